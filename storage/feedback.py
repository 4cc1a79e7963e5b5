"""Queries over feedback items and the decisions taken on them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Feedback, FeedbackDecision

CLOSED_STATUSES = ("done", "not_planned")


def open_feedback(*, session: Session, team_id: int, limit: int) -> Sequence[Feedback]:
    """The team's items still awaiting a final decision, oldest first."""
    return session.exec(
        select(Feedback)
        .where(Feedback.team_id == team_id, col(Feedback.status).not_in(CLOSED_STATUSES))
        .order_by(col(Feedback.received_on), col(Feedback.id))
        .limit(limit)
    ).all()


def count_open_feedback(*, session: Session, team_id: int) -> int:
    """How many of the team's items still await a final decision."""
    return session.exec(
        select(func.count()).where(
            Feedback.team_id == team_id, col(Feedback.status).not_in(CLOSED_STATUSES)
        )
    ).one()


def decisions_on(*, session: Session, feedback_id: int) -> Sequence[FeedbackDecision]:
    """The item's history of decisions, oldest first."""
    return session.exec(
        select(FeedbackDecision)
        .where(FeedbackDecision.feedback_id == feedback_id)
        .order_by(col(FeedbackDecision.decided_at), col(FeedbackDecision.id))
    ).all()
