"""Queries behind the "users and uses" statement: a team's engagements and feedback in a
period, by audience segment, each an aggregate or a short list in SQL.

`output_id` narrows everything to one output: engagements linked to it, feedback and
changes about it. Nothing here reads contact details or who recorded what.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, select, union
from sqlmodel import Session, col

from storage.changes import ANNOUNCED
from storage.models import (
    Engagement,
    EngagementOrganisation,
    EngagementOutput,
    EngagementSegment,
    Feedback,
    Organisation,
    StatisticalOutput,
    UpcomingChange,
)


@dataclass(frozen=True)
class Selection:
    """Whose records (a team's, or one output's), and which days (inclusive)."""

    team_id: int
    output_id: int | None
    first: date
    last: date

    def engagements(self) -> list[Any]:
        where: list[Any] = [
            Engagement.team_id == self.team_id,
            col(Engagement.occurred_on).between(self.first, self.last),
        ]
        if self.output_id is not None:
            where.append(
                exists().where(
                    EngagementOutput.engagement_id == Engagement.id,
                    EngagementOutput.output_id == self.output_id,
                )
            )
        return where

    def feedback(self) -> list[Any]:
        """Items received in the period, less those merged into another."""
        where: list[Any] = [
            Feedback.team_id == self.team_id,
            col(Feedback.received_on).between(self.first, self.last),
            col(Feedback.merged_into_id).is_(None),
        ]
        if self.output_id is not None:
            where.append(Feedback.output_id == self.output_id)
        return where


@dataclass(frozen=True)
class AnnouncedChangeRow:
    title: str
    output: str
    effective_on: date
    announced_at: datetime


def engagement_count(*, session: Session, selection: Selection) -> int:
    return session.execute(
        select(func.count()).select_from(Engagement).where(*selection.engagements())
    ).scalar_one()


def engagements_by_segment(*, session: Session, selection: Selection) -> dict[int, int]:
    """How many engagements named each segment (only segments with any)."""
    rows = session.execute(
        select(EngagementSegment.segment_id, func.count())
        .join(Engagement, col(Engagement.id) == EngagementSegment.engagement_id)
        .where(*selection.engagements())
        .group_by(EngagementSegment.segment_id)
    )
    return {segment: count for segment, count in rows}


def feedback_by_segment(*, session: Session, selection: Selection) -> dict[int | None, int]:
    """How many feedback items came from each segment; None: the segment was not recorded."""
    rows = session.execute(
        select(Feedback.segment_id, func.count())
        .where(*selection.feedback())
        .group_by(Feedback.segment_id)
    )
    return {segment: count for segment, count in rows}


def organisations_by_segment(*, session: Session, selection: Selection) -> dict[int, list[str]]:
    """The organisations met in each segment, by name: those on an engagement naming the
    segment, and those whose feedback was recorded as coming from it."""
    engaged = (
        select(EngagementSegment.segment_id, EngagementOrganisation.organisation_id)
        .join(Engagement, col(Engagement.id) == EngagementSegment.engagement_id)
        .join(
            EngagementOrganisation,
            col(EngagementOrganisation.engagement_id) == EngagementSegment.engagement_id,
        )
        .where(*selection.engagements())
    )
    heard = select(Feedback.segment_id, Feedback.organisation_id).where(
        *selection.feedback(),
        col(Feedback.segment_id).is_not(None),
        col(Feedback.organisation_id).is_not(None),
    )
    pairs = union(engaged, heard).subquery()
    rows = session.execute(
        select(pairs.c.segment_id, Organisation.name)
        .join(Organisation, col(Organisation.id) == pairs.c.organisation_id)
        .order_by(pairs.c.segment_id, col(Organisation.name))
    )
    named: dict[int, list[str]] = defaultdict(list)
    for segment, name in rows:
        named[segment].append(name)
    return named


def methods_by_segment(
    *, session: Session, selection: Selection
) -> list[tuple[int | None, str | None, int]]:
    """(segment id, method, engagements) for each pair that has any; a None segment is
    engagements naming none, a None method one not recorded."""
    rows = session.execute(
        select(EngagementSegment.segment_id, Engagement.method, func.count())
        .select_from(Engagement)
        .outerjoin(EngagementSegment, col(EngagementSegment.engagement_id) == Engagement.id)
        .where(*selection.engagements())
        .group_by(EngagementSegment.segment_id, Engagement.method)
    )
    return [(segment, method, count) for segment, method, count in rows]


def uses_by_segment(*, session: Session, selection: Selection) -> list[tuple[int | None, str]]:
    """(segment id, what those users use the statistics for) from each engagement that
    recorded it, oldest first, once per segment it names (None: it names none)."""
    rows = session.execute(
        select(EngagementSegment.segment_id, Engagement.uses)
        .select_from(Engagement)
        .outerjoin(EngagementSegment, col(EngagementSegment.engagement_id) == Engagement.id)
        .where(*selection.engagements(), func.trim(col(Engagement.uses)) != "")
        .order_by(col(Engagement.occurred_on), col(Engagement.id))
    )
    return [(segment, uses) for segment, uses in rows]


def feedback_ids(*, session: Session, selection: Selection) -> set[int]:
    """The ids of the feedback items selected."""
    return set(session.execute(select(Feedback.id).where(*selection.feedback())).scalars())


def announced_changes(
    *, session: Session, selection: Selection, start: datetime, end: datetime
) -> list[AnnouncedChangeRow]:
    """Changes announced from `start` to before `end` (UTC) and not cancelled, in order."""
    statement = (
        select(
            UpcomingChange.title,
            StatisticalOutput.name,
            UpcomingChange.effective_on,
            UpcomingChange.created_at,
        )
        .join(StatisticalOutput, col(StatisticalOutput.id) == UpcomingChange.output_id)
        .where(
            UpcomingChange.team_id == selection.team_id,
            UpcomingChange.status == ANNOUNCED,
            col(UpcomingChange.created_at) >= start,
            col(UpcomingChange.created_at) < end,
        )
        .order_by(col(UpcomingChange.created_at), col(UpcomingChange.id))
    )
    if selection.output_id is not None:
        statement = statement.where(UpcomingChange.output_id == selection.output_id)
    return [AnnouncedChangeRow(*row) for row in session.execute(statement)]
