"""Queries behind the "users and uses" statement: a team's engagements and feedback in a
period, by audience segment, each an aggregate or a short list in SQL. An organisation
counts by its own segment (the register's), never by those of the records naming it.

`output_id` narrows everything to one output: engagements linked to it, feedback and
changes about it. Nothing here reads contact details or who recorded what.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Subquery,
    cast,
    exists,
    func,
    null,
    select,
    union,
    union_all,
)
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
from storage.types import fetch, primary_key


@dataclass(frozen=True)
class Selection:
    """Whose records (a team's, or one output's), and which days (inclusive)."""

    team_id: int
    output_id: int | None
    first: date
    last: date

    def engagements(self) -> list[ColumnElement[bool]]:
        where = [
            col(Engagement.team_id) == self.team_id,
            col(Engagement.occurred_on).between(self.first, self.last),
        ]
        if self.output_id is not None:
            where.append(
                exists().where(
                    col(EngagementOutput.engagement_id) == Engagement.id,
                    col(EngagementOutput.output_id) == self.output_id,
                )
            )
        return where

    def feedback(self) -> list[ColumnElement[bool]]:
        """Items received in the period, less those merged into another."""
        where = [
            col(Feedback.team_id) == self.team_id,
            col(Feedback.received_on).between(self.first, self.last),
            col(Feedback.merged_into_id).is_(None),
        ]
        if self.output_id is not None:
            where.append(col(Feedback.output_id) == self.output_id)
        return where


# The segment of a record that names none (a typed NULL, which a UNION needs).
_NO_SEGMENT = cast(null(), Integer).label("segment_id")


@dataclass(frozen=True)
class AnnouncedChangeRow:
    title: str
    output: str
    effective_on: date
    announced_at: datetime


def engagement_count(*, session: Session, selection: Selection) -> int:
    return fetch(
        session, select(func.count()).select_from(Engagement).where(*selection.engagements())
    ).scalar_one()


def _engagement_segments(selection: Selection) -> Subquery:
    """(engagement_id, segment_id): each segment an engagement reached, once: those it
    names, and each of its organisations' own (None for an organisation whose segment is
    not recorded); an engagement naming neither, with None."""
    tagged = select(col(EngagementSegment.engagement_id), col(EngagementSegment.segment_id)).join(
        Engagement, col(Engagement.id) == EngagementSegment.engagement_id
    )
    named = (
        select(col(EngagementOrganisation.engagement_id), col(Organisation.segment_id))
        .join(Engagement, col(Engagement.id) == EngagementOrganisation.engagement_id)
        .join(Organisation, col(Organisation.id) == EngagementOrganisation.organisation_id)
    )
    neither = select(col(Engagement.id), _NO_SEGMENT).where(
        ~exists().where(col(EngagementSegment.engagement_id) == Engagement.id),
        ~exists().where(col(EngagementOrganisation.engagement_id) == Engagement.id),
    )
    where = selection.engagements()
    return union(tagged.where(*where), named.where(*where), neither.where(*where)).subquery(
        "engagement_segments"
    )


def _feedback_segments(selection: Selection) -> Subquery:
    """(feedback_id, segment_id): the segment an item was recorded as coming from, and its
    organisation's own (None if not recorded); an item with neither, with None."""
    recorded = select(col(Feedback.id), col(Feedback.segment_id)).where(
        col(Feedback.segment_id).is_not(None)
    )
    named = select(col(Feedback.id), col(Organisation.segment_id)).join(
        Organisation, col(Organisation.id) == Feedback.organisation_id
    )
    neither = select(col(Feedback.id), _NO_SEGMENT).where(
        col(Feedback.segment_id).is_(None), col(Feedback.organisation_id).is_(None)
    )
    where = selection.feedback()
    return union(recorded.where(*where), named.where(*where), neither.where(*where)).subquery(
        "feedback_segments"
    )


def engagements_by_segment(*, session: Session, selection: Selection) -> dict[int | None, int]:
    """How many engagements reached each segment (`_engagement_segments`; None: a segment
    not recorded), only segments with any."""
    reached = _engagement_segments(selection)
    rows = fetch(
        session,
        select(reached.c.segment_id, func.count().label("engagements")).group_by(
            reached.c.segment_id
        ),
    )
    return {row.segment_id: row.engagements for row in rows}


def feedback_by_segment(*, session: Session, selection: Selection) -> dict[int | None, int]:
    """How many feedback items came from each segment (`_feedback_segments`; None: a segment
    not recorded), only segments with any."""
    heard = _feedback_segments(selection)
    rows = fetch(
        session,
        select(heard.c.segment_id, func.count().label("items")).group_by(heard.c.segment_id),
    )
    return {row.segment_id: row.items for row in rows}


def feedback_count(*, session: Session, selection: Selection) -> int:
    return fetch(
        session, select(func.count()).select_from(Feedback).where(*selection.feedback())
    ).scalar_one()


def organisations_by_segment(
    *, session: Session, selection: Selection
) -> dict[int | None, list[str]]:
    """The organisations engaged or heard from, by name, under their own segment (None:
    not recorded), whatever the segments of the records naming them."""
    engaged = (
        select(col(EngagementOrganisation.organisation_id))
        .join(Engagement, col(Engagement.id) == EngagementOrganisation.engagement_id)
        .where(*selection.engagements())
    )
    heard = select(col(Feedback.organisation_id)).where(
        *selection.feedback(), col(Feedback.organisation_id).is_not(None)
    )
    met = union(engaged, heard).subquery()
    rows = fetch(
        session,
        select(col(Organisation.segment_id), col(Organisation.name))
        .join(met, met.c.organisation_id == Organisation.id)
        .order_by(col(Organisation.name)),
    )
    named: dict[int | None, list[str]] = defaultdict(list)
    for segment, name in rows:
        named[segment].append(name)
    return named


def methods_by_segment(
    *, session: Session, selection: Selection
) -> list[tuple[int | None, str | None, int]]:
    """(segment id, method, engagements) for each pair that has any, by the segments each
    engagement reached (`_engagement_segments`); a None method is one not recorded."""
    reached = _engagement_segments(selection)
    rows = fetch(
        session,
        select(reached.c.segment_id, col(Engagement.method), func.count().label("engagements"))
        .join(Engagement, col(Engagement.id) == reached.c.engagement_id)
        .group_by(reached.c.segment_id, col(Engagement.method)),
    )
    return [(row.segment_id, row.method, row.engagements) for row in rows]


@dataclass(frozen=True)
class SaidUse:
    """What an engagement recorded its users use the statistics for, with one of those it
    can be told they are: one of its organisations (`organisation`, and the organisation's
    own segment), or, if it names none, one of its segments (`organisation` None)."""

    engagement_id: int
    uses: str
    organisation: str | None
    segment_id: int | None  # None: not recorded, or the engagement names no segment either


def uses_said(*, session: Session, selection: Selection) -> list[SaidUse]:
    """Each engagement's recorded use, once with each of its organisations, or, for an
    engagement naming none, once with each of its segments (or once with neither): the
    engagements oldest first, each's organisations by name."""
    where = [*selection.engagements(), func.trim(col(Engagement.uses)) != ""]
    # Labelled, SQLModel's columns lose their types (Label[Never]): the rows, named.
    by_organisation: Select[date, int | None, str | None, str, int | None] = (
        select(
            col(Engagement.occurred_on),
            col(Engagement.id),
            col(Engagement.uses),
            col(Organisation.name).label("organisation"),
            col(Organisation.segment_id),
        )
        .join(EngagementOrganisation, col(EngagementOrganisation.engagement_id) == Engagement.id)
        .join(Organisation, col(Organisation.id) == EngagementOrganisation.organisation_id)
        .where(*where)
    )
    by_segment = (
        select(
            col(Engagement.occurred_on),
            col(Engagement.id),
            col(Engagement.uses),
            cast(null(), String).label("organisation"),
            col(EngagementSegment.segment_id),
        )
        .outerjoin(EngagementSegment, col(EngagementSegment.engagement_id) == Engagement.id)
        .where(*where, ~exists().where(col(EngagementOrganisation.engagement_id) == Engagement.id))
    )
    said = union_all(by_organisation, by_segment).subquery()
    rows = fetch(
        session,
        select(said.c.id, said.c.uses, said.c.organisation, said.c.segment_id).order_by(
            said.c.occurred_on, said.c.id, said.c.organisation, said.c.segment_id
        ),
    )
    return [SaidUse(row.id, row.uses, row.organisation, row.segment_id) for row in rows]


def feedback_ids(*, session: Session, selection: Selection) -> set[int]:
    """The ids of the feedback items selected."""
    return set(
        fetch(session, select(primary_key(Feedback.id)).where(*selection.feedback())).scalars()
    )


def announced_changes(
    *, session: Session, selection: Selection, start: datetime, end: datetime
) -> list[AnnouncedChangeRow]:
    """Changes announced from `start` to before `end` (UTC) and not cancelled, in order."""
    statement = (
        select(
            col(UpcomingChange.title),
            col(StatisticalOutput.name),
            col(UpcomingChange.effective_on),
            col(UpcomingChange.created_at),
        )
        .join(StatisticalOutput, col(StatisticalOutput.id) == UpcomingChange.output_id)
        .where(
            col(UpcomingChange.team_id) == selection.team_id,
            col(UpcomingChange.status) == ANNOUNCED,
            col(UpcomingChange.created_at) >= start,
            col(UpcomingChange.created_at) < end,
        )
        .order_by(col(UpcomingChange.created_at), col(UpcomingChange.id))
    )
    if selection.output_id is not None:
        statement = statement.where(col(UpcomingChange.output_id) == selection.output_id)
    return [AnnouncedChangeRow(*row) for row in fetch(session, statement)]
