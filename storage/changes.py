"""Queries over upcoming changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from storage.models import UpcomingChange

ANNOUNCED, CANCELLED = "announced", "cancelled"  # a change's status


def change_from_source(*, session: Session, source_key: str) -> UpcomingChange | None:
    """The change a Slack request (identified by `source_key`) already created, if any."""
    return session.exec(
        select(UpcomingChange).where(UpcomingChange.source_key == source_key)
    ).first()


def upcoming_changes(
    *, session: Session, team_id: int, today: date, limit: int
) -> Sequence[UpcomingChange]:
    """The team's announced changes that take effect today or later, soonest first."""
    return session.exec(
        select(UpcomingChange)
        .where(*_upcoming(team_id, today))
        .order_by(col(UpcomingChange.effective_on), col(UpcomingChange.id))
        .limit(limit)
    ).all()


def count_upcoming_changes(*, session: Session, team_id: int, today: date) -> int:
    """How many changes `upcoming_changes` would list without a limit."""
    return session.exec(select(func.count()).where(*_upcoming(team_id, today))).one()


def _upcoming(team_id: int, today: date) -> tuple[ColumnElement[bool], ...]:
    return (
        col(UpcomingChange.team_id) == team_id,
        col(UpcomingChange.status) == ANNOUNCED,
        col(UpcomingChange.effective_on) >= today,
    )
