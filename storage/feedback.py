"""Queries over feedback items and the decisions taken on them.

An item merged into another (`merged_into_id` set) is left out of every list and count:
it lives on only as part of the item it was merged into.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from storage.models import Feedback, FeedbackDecision

CLOSED_STATUSES = ("done", "not_planned")
# No decision taken yet: "planned" is one, though the item stays open until it is done.
UNDECIDED_STATUSES = ("new", "under_consideration")
# The `to_status` of the history entry that records an item being merged away; the item
# itself keeps the status it had (no decision can choose this one).
MERGED = "merged"

_OPEN = (col(Feedback.status).not_in(CLOSED_STATUSES), col(Feedback.merged_into_id).is_(None))


def open_feedback(*, session: Session, team_id: int, limit: int) -> Sequence[Feedback]:
    """The team's items still awaiting a final decision, oldest first."""
    return session.exec(
        select(Feedback)
        .where(Feedback.team_id == team_id, *_OPEN)
        .order_by(col(Feedback.received_on), col(Feedback.id))
        .limit(limit)
    ).all()


def count_open_feedback(*, session: Session, team_id: int) -> int:
    """How many of the team's items still await a final decision."""
    return session.exec(select(func.count()).where(Feedback.team_id == team_id, *_OPEN)).one()


def count_undecided_feedback(*, session: Session, team_id: int) -> int:
    """How many of the team's items await a decision: none has been taken on them yet."""
    return session.exec(
        select(func.count()).where(
            Feedback.team_id == team_id,
            col(Feedback.status).in_(UNDECIDED_STATUSES),
            col(Feedback.merged_into_id).is_(None),
        )
    ).one()


def items_merged_into(*, session: Session, feedback_id: int) -> Sequence[Feedback]:
    """The items merged into this one."""
    return session.exec(select(Feedback).where(Feedback.merged_into_id == feedback_id)).all()


def decisions_on(*, session: Session, feedback_id: int) -> Sequence[FeedbackDecision]:
    """The item's history, with that of the items merged into it, oldest first.

    A merged item's own "merged into this one" entry is left out: the item kept has its
    twin ("#B merged into this item").
    """
    merged = select(Feedback.id).where(Feedback.merged_into_id == feedback_id)
    return session.exec(
        select(FeedbackDecision)
        .where(
            or_(
                col(FeedbackDecision.feedback_id) == feedback_id,
                and_(
                    col(FeedbackDecision.feedback_id).in_(merged),
                    col(FeedbackDecision.to_status) != MERGED,
                ),
            )
        )
        .order_by(col(FeedbackDecision.decided_at), col(FeedbackDecision.id))
    ).all()
