"""Queries behind the "You said, we did" statement: a team's feedback received in a period,
with what was decided on each, in two queries however many items there are."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, ScalarSelect, select
from sqlmodel import Session, col

from storage.models import AudienceSegment, Feedback, FeedbackDecision, FeedbackTheme, Theme
from storage.types import fetch, primary_key


@dataclass(frozen=True)
class StatementRow:
    """One feedback item as the statement may show it: no contact details, no organisation."""

    feedback_id: int
    received_on: date
    text: str
    segment: str | None
    status: str
    note: str | None  # the latest public note given on moving it to its current status


def _received(team_id: int, period_from: date, period_to: date) -> list[ColumnElement[bool]]:
    """The team's items received in the period, less those merged into another item."""
    return [
        col(Feedback.team_id) == team_id,
        col(Feedback.received_on).between(period_from, period_to),
        col(Feedback.merged_into_id).is_(None),
    ]


def statement_rows(
    *, session: Session, team_id: int, period_from: date, period_to: date
) -> list[StatementRow]:
    """The items received from `period_from` to `period_to` (inclusive), oldest first."""
    latest_note: ScalarSelect[str | None] = (  # SQLAlchemy types a subquery's value Any
        select(col(FeedbackDecision.note))
        .where(
            col(FeedbackDecision.feedback_id) == Feedback.id,
            col(FeedbackDecision.to_status) == Feedback.status,
            col(FeedbackDecision.note).is_not(None),
            col(FeedbackDecision.merged_id).is_(None),  # a merge is history, not a decision
        )
        .order_by(col(FeedbackDecision.decided_at).desc(), col(FeedbackDecision.id).desc())
        .limit(1)
        .correlate(Feedback)
        .scalar_subquery()
    )
    rows = fetch(
        session,
        select(
            primary_key(Feedback.id),
            col(Feedback.received_on),
            col(Feedback.text),
            col(AudienceSegment.name),
            col(Feedback.status),
            latest_note,
        )
        .outerjoin(AudienceSegment, col(AudienceSegment.id) == Feedback.segment_id)
        .where(*_received(team_id, period_from, period_to))
        .order_by(col(Feedback.received_on), col(Feedback.id)),
    )
    return [StatementRow(*row) for row in rows]


def statement_themes(
    *, session: Session, team_id: int, period_from: date, period_to: date
) -> dict[int, list[str]]:
    """The themes of each item `statement_rows` returns that has any, by name."""
    rows = fetch(
        session,
        select(col(FeedbackTheme.feedback_id), col(Theme.name))
        .join(Theme, col(Theme.id) == FeedbackTheme.theme_id)
        .join(Feedback, col(Feedback.id) == FeedbackTheme.feedback_id)
        .where(*_received(team_id, period_from, period_to))
        .order_by(col(Theme.name)),
    )
    themes: dict[int, list[str]] = defaultdict(list)
    for feedback_id, name in rows:
        themes[feedback_id].append(name)
    return themes
