"""Queries behind a team's engagement review (`bot/reviews/figures.py`): nine statements, each of
aggregates over the team's own rows.

Each starts from an index that begins with the team (engagement(team_id, occurred_on),
the output, segment and organisation links' (team_id, occurred_on, ...), feedback(team_id,
received_on), insight(team_id, created_at), engagement_partner(team_id, ...),
team_organisation_contact(team_id, first_on)), so its cost follows the team's rows in the
period, not the size of the database. The indexes also hold the columns the queries ask
of those rows, so the rows themselves are not read. Three summaries, kept in step with
the records on every write, spare the queries reading more than the period's rows: the
engagement's team and day copied onto its links (`EngagementCopy`,
`storage/engagement_links.py`), so a period's links are one index range rather than a
lookup per engagement; each item's first response (`Feedback.first_response_at`,
`storage/first_responses.py`), so no item's history is read; and each team's first day
with each organisation (`TeamOrganisationContact`, `storage/organisation_contacts.py`), so
new organisations are counted without the team's whole history. Only one query reads
further back: the last engagement of an output with none in the longest target's window
(that output's history).

Days (`occurred_on`, `received_on`, `effective_on`) are compared as dates; moments
(`decided_at`, `created_at`) against the UTC moments at which the team's local days begin
and end (`ReviewScope`).

Two queries return a row per item rather than a total: the first response of each item
that had one by the period's end, and the changes announced. Their medians and
notice periods need each moment's local date, which only the team's time zone rules can
give (SQLite has none), so those are worked out in Python, from rows bounded by the team's
feedback or changes in the period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from storage.changes import CANCELLED
from storage.first_responses import status_change
from storage.models import (
    AudienceSegment,
    Engagement,
    EngagementCopy,
    EngagementOrganisation,
    EngagementOutput,
    EngagementPartner,
    EngagementSegment,
    Feedback,
    FeedbackDecision,
    Insight,
    Organisation,
    StatisticalOutput,
    TeamOrganisationContact,
    UpcomingChange,
)
from storage.types import fetch, primary_key

ACTED_ON = ("planned", "done")
NOT_PLANNED = "not_planned"


@dataclass(frozen=True)
class ReviewScope:
    """Whose review, and of which days: `period_from` to `period_to` inclusive, which
    begin at the moment `start` and end at `end` (00:00 team time the day after)."""

    team_id: int
    period_from: date
    period_to: date
    start: datetime
    end: datetime


@dataclass(frozen=True)
class SegmentSeen:
    """One segment of the taxonomy, and how many of the team's engagements reached it."""

    name: str
    in_period: int
    in_window: int  # in the days given up to the period's end


@dataclass(frozen=True)
class FeedbackCounts:
    received: int
    responded: int  # status left `new` by the period's end
    acted_on: int  # now planned or done
    not_planned: int  # now
    not_planned_with_note: int


@dataclass(frozen=True)
class OutputLastEngaged:
    id: int
    name: str
    profile: str
    created_at: datetime
    last_engaged: date | None  # on or before the period's last day; None: never


def _engaged(team_id: int, first: date, last: date) -> tuple[ColumnElement[bool], ...]:
    return (col(Engagement.team_id) == team_id, col(Engagement.occurred_on).between(first, last))


def _linked(
    link: type[EngagementCopy], team_id: int, first: date, last: date
) -> tuple[ColumnElement[bool], ...]:
    """The links of the team's engagements in those days, by the copies of the engagement's
    team and day on each link (`EngagementCopy`): one range of the link table's index."""
    return (col(link.team_id) == team_id, col(link.occurred_on).between(first, last))


def _number(count: Select[int]) -> ScalarSelect[int]:
    """A count, as one column of another query (SQLAlchemy types a subquery's value Any)."""
    return count.scalar_subquery()


def method_counts(*, session: Session, scope: ReviewScope) -> dict[str | None, int]:
    """The period's engagements by method (None: not recorded)."""
    rows = fetch(
        session,
        select(col(Engagement.method), func.count())
        .where(*_engaged(scope.team_id, scope.period_from, scope.period_to))
        .group_by(col(Engagement.method)),
    ).all()
    return {method: count for method, count in rows}


def segments_seen(*, session: Session, scope: ReviewScope, window_from: date) -> list[SegmentSeen]:
    """Every segment of the taxonomy, in its order, with the team's engagements that
    reached it in the period, and from `window_from` to the period's end."""
    # Counted per segment first, so the taxonomy is joined to a row per segment rather
    # than to every engagement's.
    day = col(EngagementSegment.occurred_on)
    counts = (
        select(
            col(EngagementSegment.segment_id),
            func.count(case((day >= scope.period_from, 1))).label("in_period"),
            func.count(case((day >= window_from, 1))).label("in_window"),
        )
        .where(
            *_linked(
                EngagementSegment,
                scope.team_id,
                min(scope.period_from, window_from),
                scope.period_to,
            )
        )
        .group_by(col(EngagementSegment.segment_id))
        .subquery()
    )
    rows = fetch(
        session,
        select(
            col(AudienceSegment.name),
            func.coalesce(counts.c.in_period, 0),
            func.coalesce(counts.c.in_window, 0),
        )
        .outerjoin(counts, counts.c.segment_id == AudienceSegment.id)
        .order_by(col(AudienceSegment.position), col(AudienceSegment.name)),
    ).all()
    return [SegmentSeen(*row) for row in rows]


def organisation_counts(*, session: Session, scope: ReviewScope) -> tuple[int, int]:
    """How many organisations the team engaged in the period, and how many of those it had
    never engaged before. An organisation is new when the team's first day with it
    (`TeamOrganisationContact`) is in the period, which also means it was engaged then:
    so neither count reads the team's history before the period."""
    engaged = select(func.count(func.distinct(col(EngagementOrganisation.organisation_id)))).where(
        *_linked(EngagementOrganisation, scope.team_id, scope.period_from, scope.period_to)
    )
    new = select(func.count()).where(
        col(TeamOrganisationContact.team_id) == scope.team_id,
        col(TeamOrganisationContact.first_on).between(scope.period_from, scope.period_to),
    )
    engaged_count, new_count = fetch(session, select(_number(engaged), _number(new))).one()
    return engaged_count, new_count


def _received(scope: ReviewScope) -> tuple[ColumnElement[bool], ...]:
    """The team's items received in the period, less those merged into another item."""
    return (
        col(Feedback.team_id) == scope.team_id,
        col(Feedback.received_on).between(scope.period_from, scope.period_to),
        col(Feedback.merged_into_id).is_(None),
    )


def feedback_counts(*, session: Session, scope: ReviewScope) -> FeedbackCounts:
    """The period's items, and of those: responded to by the period's end (a status change
    before `end`; or, for an item whose status was set with no history, as an import sets
    it, any status but `new`), now planned or done, now not planned, and not planned with
    a note on a change to that status."""
    decision = aliased(FeedbackDecision)
    changed = and_(col(decision.feedback_id) == Feedback.id, status_change(decision))
    first = col(Feedback.first_response_at)
    responded = or_(first < scope.end, and_(col(Feedback.status) != "new", first.is_(None)))
    not_planned = col(Feedback.status) == NOT_PLANNED
    with_note = exists().where(
        changed, col(decision.to_status) == NOT_PLANNED, col(decision.note).is_not(None)
    )
    row = fetch(
        session,
        select(
            func.count(),
            func.count(case((responded, 1))),
            func.count(case((col(Feedback.status).in_(ACTED_ON), 1))),
            func.count(case((not_planned, 1))),
            func.count(case((and_(not_planned, with_note), 1))),
        ).where(*_received(scope)),
    ).one()
    return FeedbackCounts(*row)


def first_responses(*, session: Session, scope: ReviewScope) -> list[tuple[date, datetime]]:
    """(received on, first status change) of each of the period's items whose status
    first changed before the period's end."""
    # Each item's first response is kept on it (`storage/first_responses.py`), and the
    # index the period's items are read by holds it: no item's history is read.
    rows = fetch(
        session,
        select(col(Feedback.received_on), col(Feedback.first_response_at)).where(
            *_received(scope), col(Feedback.first_response_at) < scope.end
        ),
    ).all()
    # Not None: the query keeps the items first answered before the end.
    return [(received_on, cast(datetime, moment)) for received_on, moment in rows]


def top_organisations(*, session: Session, scope: ReviewScope, limit: int) -> list[tuple[str, int]]:
    """The organisations that gave most of the period's items, with how many: most first,
    ties by name. Items with no organisation are no organisation's."""
    items = func.count()
    rows = fetch(
        session,
        select(col(Organisation.name), items)
        .join(Feedback, col(Feedback.organisation_id) == Organisation.id)
        .where(*_received(scope))
        .group_by(col(Organisation.id), col(Organisation.name))
        .order_by(items.desc(), col(Organisation.name))
        .limit(limit),
    ).all()
    return [(name, count) for name, count in rows]


def outputs_overdue(
    *, session: Session, scope: ReviewScope, engaged_since: Mapping[str, date]
) -> list[OutputLastEngaged]:
    """The team's outputs (of the profiles in `engaged_since`) never engaged by the
    period's end, or last engaged before `engaged_since[profile]`: never first, then the
    longest since, then by name. Those may be overdue; `bot/reviews/figures.py: overdue_outputs`
    says which are, counting from when each was added too.

    The last engagements are looked for among the team's engagements since the earliest
    `engaged_since` (through its index on days); only an output with none there has its
    whole history read, through the link table's reverse index, to say how long it has been.
    """
    window = (
        select(
            col(EngagementOutput.output_id).label("output_id"),
            func.max(col(EngagementOutput.occurred_on)).label("last"),
        )
        .where(
            *_linked(EngagementOutput, scope.team_id, min(engaged_since.values()), scope.period_to)
        )
        .group_by(col(EngagementOutput.output_id))
        .subquery()
    )
    earlier = (
        select(func.max(col(Engagement.occurred_on)))
        .join(EngagementOutput, col(EngagementOutput.engagement_id) == Engagement.id)
        .where(
            col(EngagementOutput.output_id) == StatisticalOutput.id,
            col(Engagement.occurred_on) <= scope.period_to,
        )
        .correlate(StatisticalOutput)
        .scalar_subquery()
    )
    # COALESCE reads `earlier` only for the rows left with no engagement in the window.
    last = func.coalesce(window.c.last, earlier)
    due_since = case(dict(engaged_since), value=col(StatisticalOutput.profile))
    rows = fetch(
        session,
        select(
            primary_key(StatisticalOutput.id),
            col(StatisticalOutput.name),
            col(StatisticalOutput.profile),
            col(StatisticalOutput.created_at),
            last,
        )
        .outerjoin(window, window.c.output_id == StatisticalOutput.id)
        .where(
            col(StatisticalOutput.team_id) == scope.team_id,
            col(StatisticalOutput.profile).in_(engaged_since),
            or_(window.c.last.is_(None), window.c.last < due_since),
            # One retired by the period's end is no longer published, so not overdue.
            or_(
                col(StatisticalOutput.retired_at).is_(None),
                col(StatisticalOutput.retired_at) >= scope.end,
            ),
        ),
    ).all()
    found = [OutputLastEngaged(*row) for row in rows]
    return sorted(found, key=lambda o: (o.last_engaged is not None, o.last_engaged, o.name))


def changes_announced(*, session: Session, scope: ReviewScope) -> list[tuple[datetime, date]]:
    """(announced at, takes effect on) of each change the team announced in the period
    and has not cancelled."""
    rows = fetch(
        session,
        select(col(UpcomingChange.created_at), col(UpcomingChange.effective_on))
        .where(
            col(UpcomingChange.team_id) == scope.team_id,
            col(UpcomingChange.status) != CANCELLED,
            col(UpcomingChange.created_at) >= scope.start,
            col(UpcomingChange.created_at) < scope.end,
        )
        .order_by(col(UpcomingChange.created_at)),
    ).all()
    return [(created_at, effective_on) for created_at, effective_on in rows]


@dataclass(frozen=True)
class PeriodCounts:
    previous_engagements: int  # in the days given before the period
    insights_shared: int
    joint_engagements: int  # the team's own naming a partner, and others' naming it one


def period_counts(
    *, session: Session, scope: ReviewScope, previous: tuple[date, date]
) -> PeriodCounts:
    """The counts that are one number each, in one statement of scalar subqueries."""
    engaged_before = select(func.count()).where(*_engaged(scope.team_id, *previous))
    insights = select(func.count()).where(
        col(Insight.team_id) == scope.team_id,
        col(Insight.created_at) >= scope.start,
        col(Insight.created_at) < scope.end,
    )
    own_joint = select(func.count()).where(
        *_engaged(scope.team_id, scope.period_from, scope.period_to),
        exists().where(col(EngagementPartner.engagement_id) == Engagement.id),
    )
    as_partner = (
        select(func.count())
        .select_from(EngagementPartner)
        .join(Engagement, col(Engagement.id) == EngagementPartner.engagement_id)
        .where(
            col(EngagementPartner.team_id) == scope.team_id,
            col(Engagement.team_id) != scope.team_id,
            col(Engagement.occurred_on).between(scope.period_from, scope.period_to),
        )
    )
    before, shared, joint_own, joint_other = fetch(
        session,
        select(_number(engaged_before), _number(insights), _number(own_joint), _number(as_partner)),
    ).one()
    return PeriodCounts(before, shared, joint_own + joint_other)
