"""Queries behind the users map: a team's engagements counted by audience segment and
output, and the organisations it was in touch with, each an aggregate in SQL.

`output_id` narrows everything to one output: engagements linked to it, feedback about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    case,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlmodel import Session, col

from storage.models import (
    Engagement,
    EngagementOrganisation,
    EngagementOutput,
    EngagementSegment,
    Feedback,
    Organisation,
)
from storage.types import fetch


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


def _engagements_in_scope(team_id: int, output_id: int | None) -> list[ColumnElement[bool]]:
    where = [col(Engagement.team_id) == team_id]
    if output_id is not None:
        where.append(
            exists().where(
                col(EngagementOutput.engagement_id) == Engagement.id,
                col(EngagementOutput.output_id) == output_id,
            )
        )
    return where


def segment_output_tallies(
    *, session: Session, team_id: int, output_id: int | None = None
) -> dict[tuple[int, int], Tally]:
    """The team's engagements by (segment id, output id): only the pairs that have any."""
    rows = fetch(
        session,
        select(
            col(EngagementSegment.segment_id),
            col(EngagementOutput.output_id),
            func.count(),
            func.max(col(Engagement.occurred_on)),
        )
        .select_from(Engagement)
        .join(EngagementSegment, col(EngagementSegment.engagement_id) == Engagement.id)
        .join(EngagementOutput, col(EngagementOutput.engagement_id) == Engagement.id)
        .where(col(Engagement.team_id) == team_id)
        .where(*([] if output_id is None else [col(EngagementOutput.output_id) == output_id]))
        .group_by(col(EngagementSegment.segment_id), col(EngagementOutput.output_id)),
    )
    return {(segment, output): Tally(count, last) for segment, output, count, last in rows}


def segment_tallies(
    *, session: Session, team_id: int, output_id: int | None = None
) -> dict[int, Tally]:
    """The team's engagements by segment id, each engagement once, whatever its outputs
    (or none)."""
    rows = fetch(
        session,
        select(
            col(EngagementSegment.segment_id), func.count(), func.max(col(Engagement.occurred_on))
        )
        .select_from(Engagement)
        .join(EngagementSegment, col(EngagementSegment.engagement_id) == Engagement.id)
        .where(*_engagements_in_scope(team_id, output_id))
        .group_by(col(EngagementSegment.segment_id)),
    )
    return {segment: Tally(count, last) for segment, count, last in rows}


def engagement_counts(
    *, session: Session, team_id: int, output_id: int | None = None
) -> tuple[int, int]:
    """How many engagements the team has, and how many of them name no audience segment."""
    segmented = exists().where(col(EngagementSegment.engagement_id) == Engagement.id)
    total, without = fetch(
        session,
        select(func.count(), func.count(case((~segmented, col(Engagement.id)))))
        .select_from(Engagement)
        .where(*_engagements_in_scope(team_id, output_id)),
    ).one()
    return total, without


def organisation_tallies(
    *, session: Session, team_id: int, output_id: int | None = None
) -> list[OrganisationTally]:
    """Every organisation the team engaged or heard from, latest contact first."""
    # Labelled, SQLModel's columns lose their types (Label[Never]): the rows, named.
    engaged: Select[int, date, int, int] = (
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
        col(Feedback.organisation_id),
        col(Feedback.received_on),
        literal(0, Integer),
        literal(1, Integer),
    ).where(
        col(Feedback.team_id) == team_id,
        col(Feedback.organisation_id).is_not(None),
        col(Feedback.merged_into_id).is_(None),
        *([] if output_id is None else [col(Feedback.output_id) == output_id]),
    )
    contacts = union_all(engaged, heard).subquery()
    last = func.max(contacts.c.day, type_=Date)
    rows = fetch(
        session,
        select(
            col(Organisation.name),
            func.sum(contacts.c.engagements),
            func.sum(contacts.c.feedback),
            last,
        )
        .join(contacts, contacts.c.organisation_id == Organisation.id)
        .group_by(col(Organisation.id), col(Organisation.name))
        .order_by(last.desc(), col(Organisation.name)),
    )
    return [
        OrganisationTally(name, int(engagements), int(feedback), day)
        for name, engagements, feedback, day in rows
    ]
