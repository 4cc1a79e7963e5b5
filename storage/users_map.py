"""Queries behind the users map: a team's engagements counted by audience segment and
output, and the organisations it was in touch with, each an aggregate in SQL.

`output_id` narrows everything to one output: engagements linked to it, feedback about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, case, exists, func, literal, select, union_all
from sqlmodel import Session, col

from storage.models import (
    Engagement,
    EngagementOrganisation,
    EngagementOutput,
    EngagementSegment,
    Feedback,
    Organisation,
)


@dataclass(frozen=True)
class Tally:
    """How many engagements, and the day of the latest."""

    count: int
    last: date


@dataclass(frozen=True)
class OrganisationTally:
    name: str
    engagements: int
    feedback: int  # items received from it, leaving out those merged into another
    last: date  # the latest engagement or feedback


def _engagements_in_scope(team_id: int, output_id: int | None) -> list[Any]:
    where: list[Any] = [Engagement.team_id == team_id]
    if output_id is not None:
        where.append(
            exists().where(
                EngagementOutput.engagement_id == Engagement.id,
                EngagementOutput.output_id == output_id,
            )
        )
    return where


def segment_output_tallies(
    *, session: Session, team_id: int, output_id: int | None = None
) -> dict[tuple[int, int], Tally]:
    """The team's engagements by (segment id, output id): only the pairs that have any."""
    rows = session.execute(
        select(
            EngagementSegment.segment_id,
            EngagementOutput.output_id,
            func.count(),
            func.max(Engagement.occurred_on),
        )
        .select_from(Engagement)
        .join(EngagementSegment, col(EngagementSegment.engagement_id) == Engagement.id)
        .join(EngagementOutput, col(EngagementOutput.engagement_id) == Engagement.id)
        .where(Engagement.team_id == team_id)
        .where(*([] if output_id is None else [EngagementOutput.output_id == output_id]))
        .group_by(EngagementSegment.segment_id, EngagementOutput.output_id)
    )
    return {(segment, output): Tally(count, last) for segment, output, count, last in rows}


def segment_tallies(
    *, session: Session, team_id: int, output_id: int | None = None
) -> dict[int, Tally]:
    """The team's engagements by segment id, each engagement once, whatever its outputs
    (or none)."""
    rows = session.execute(
        select(EngagementSegment.segment_id, func.count(), func.max(Engagement.occurred_on))
        .select_from(Engagement)
        .join(EngagementSegment, col(EngagementSegment.engagement_id) == Engagement.id)
        .where(*_engagements_in_scope(team_id, output_id))
        .group_by(EngagementSegment.segment_id)
    )
    return {segment: Tally(count, last) for segment, count, last in rows}


def engagement_counts(
    *, session: Session, team_id: int, output_id: int | None = None
) -> tuple[int, int]:
    """How many engagements the team has, and how many of them name no audience segment."""
    segmented = exists().where(EngagementSegment.engagement_id == Engagement.id)
    total, without = session.execute(
        select(func.count(), func.count(case((~segmented, Engagement.id))))
        .select_from(Engagement)
        .where(*_engagements_in_scope(team_id, output_id))
    ).one()
    return total, without


def organisation_tallies(
    *, session: Session, team_id: int, output_id: int | None = None
) -> list[OrganisationTally]:
    """Every organisation the team engaged or heard from, latest contact first."""
    engaged: Any = (  # a subquery (its select is untyped here: see pyproject.toml)
        select(
            col(EngagementOrganisation.organisation_id).label("organisation_id"),
            col(Engagement.occurred_on).label("day"),
            literal(1, Integer).label("engagements"),
            literal(0, Integer).label("feedback"),
        )
        .join(Engagement, col(Engagement.id) == EngagementOrganisation.engagement_id)
        .where(*_engagements_in_scope(team_id, output_id))
    )
    heard = select(
        Feedback.organisation_id, Feedback.received_on, literal(0, Integer), literal(1, Integer)
    ).where(
        Feedback.team_id == team_id,
        col(Feedback.organisation_id).is_not(None),
        col(Feedback.merged_into_id).is_(None),
        *([] if output_id is None else [Feedback.output_id == output_id]),
    )
    contacts = union_all(engaged, heard).subquery()
    last = func.max(contacts.c.day, type_=Date)
    rows = session.execute(
        select(
            Organisation.name,
            func.sum(contacts.c.engagements),
            func.sum(contacts.c.feedback),
            last,
        )
        .join(contacts, contacts.c.organisation_id == Organisation.id)
        .group_by(Organisation.id, Organisation.name)
        .order_by(last.desc(), col(Organisation.name))
    )
    return [
        OrganisationTally(name, int(engagements), int(feedback), day)
        for name, engagements, feedback, day in rows
    ]
