"""Queries shared by the two kinds of entry people record: engagements and feedback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import Select, func, literal, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import Engagement, Feedback

Entry = TypeVar("Entry", Engagement, Feedback)


def entry_from_source(*, session: Session, model: type[Entry], source_key: str) -> Entry | None:
    """The entry a Slack request (identified by `source_key`) already created, if any."""
    return session.exec(select(model).where(model.source_key == source_key)).first()


@dataclass(frozen=True)
class RecentEntry:
    kind: str  # "engagement" or "feedback"
    id: int
    day: str
    text: str
    created_at: datetime


def recent_entries(*, session: Session, user_id: str, limit: int) -> list[RecentEntry]:
    """The person's latest entries of both kinds, newest first (merged feedback left out)."""
    # Labelled, SQLModel's columns lose their types (Label[Never]): the rows, named.
    engagements: Select[str, int, date, str, datetime] = sa_select(
        literal("engagement").label("kind"),
        col(Engagement.id).label("id"),
        col(Engagement.occurred_on).label("day"),
        col(Engagement.summary).label("text"),
        col(Engagement.created_at).label("created_at"),
    ).where(col(Engagement.logged_by) == user_id)
    feedback: Select[str, int, date, str, datetime] = sa_select(
        literal("feedback").label("kind"),
        col(Feedback.id).label("id"),
        col(Feedback.received_on).label("day"),
        col(Feedback.text).label("text"),
        col(Feedback.created_at).label("created_at"),
    ).where(col(Feedback.recorded_by) == user_id, col(Feedback.merged_into_id).is_(None))
    both = union_all(engagements, feedback).subquery()
    rows = session.execute(
        sa_select(both).order_by(both.c.created_at.desc(), both.c.id.desc()).limit(limit)
    ).all()
    return [
        RecentEntry(
            kind=row.kind,
            id=row.id,
            day=str(row.day),
            text=row.text,
            created_at=row.created_at,
        )
        for row in rows
    ]


def team_counts_since(*, session: Session, team_id: int, since: date) -> tuple[int, int]:
    """How many engagements took place, and feedback items came in, for the team since `since`."""
    engagements = session.exec(
        select(func.count()).where(Engagement.team_id == team_id, Engagement.occurred_on >= since)
    ).one()
    feedback = session.exec(
        select(func.count()).where(
            Feedback.team_id == team_id,
            Feedback.received_on >= since,
            col(Feedback.merged_into_id).is_(None),  # counted as the item it was merged into
        )
    ).one()
    return engagements, feedback
