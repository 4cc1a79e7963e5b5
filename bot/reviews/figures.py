"""A team's engagement review: is its engagement working? The figures for a period, and
what they flag (segments not heard from, a few dominant voices, outputs overdue for
engagement, changes announced at short notice). docs/reference/review-figures.md defines each
figure; the queries are in `storage/review.py`, the formats in `bot/reviews/formats.py`.

Days are the team's local days: a moment (a decision, an announcement, an insight) is in
the period from 00:00 team time on its first day to before 00:00 the day after its last.
Shares are rounded half up: `top3_share` to 2 decimals, percentages and medians to 1.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.clock import local_time, zone_named
from bot.base.vocabulary import METHODS
from storage.models import ProducerTeam
from storage.review import (
    FeedbackCounts,
    ReviewScope,
    SegmentSeen,
    changes_announced,
    feedback_counts,
    first_responses,
    method_counts,
    organisation_counts,
    outputs_overdue,
    period_counts,
    segments_seen,
    top_organisations,
)
from storage.teams import team_named

# Days an output of each profile may go without engagement, unless its team says otherwise.
DEFAULT_TARGET_DAYS = {"high": 30, "medium": 90, "low": 180}
GAP_WINDOW_DAYS = 180  # a segment with no engagement in these days (to the period's end) is missing
TOP_VOICES = 3  # how many organisations' share of the feedback is watched
DOMINANT_MIN_ITEMS = 10  # fewer items than this are too few to call dominated
SHORT_NOTICE_DAYS = 28  # a change announced fewer days ahead is at short notice
UNRECORDED_METHOD = "unspecified"  # by_method's key for engagements with no method


class ReviewRefused(ValueError):
    """No review can be made as asked; the message says why, in one line."""


@dataclass(frozen=True)
class EngagementFigures:
    count: int
    previous_count: int  # in the same number of days just before the period
    by_method: dict[str, int]  # METHODS value (or UNRECORDED_METHOD) -> count; no zeros


@dataclass(frozen=True)
class Reach:
    segments_reached: tuple[str, ...]  # by name
    segments_missing: tuple[str, ...]  # in taxonomy order
    organisations: int
    new_organisations: int


@dataclass(frozen=True)
class Voices:
    top3_share: float
    dominated: bool
    top_organisations: tuple[tuple[str, int], ...]  # (name, items): most first, ties by name


@dataclass(frozen=True)
class FeedbackFigures:
    received: int
    responded_pct: float | None  # None when nothing was received
    median_days_to_response: float | None
    acted_on_pct: float | None
    declined_with_reason_pct: float


@dataclass(frozen=True)
class OverdueOutput:
    output: str
    profile: str
    days_since: int | None  # None: never engaged
    target_days: int


@dataclass(frozen=True)
class Openness:
    changes_announced: int
    median_notice_days: float | None
    short_notice_changes: int


@dataclass(frozen=True)
class Collaboration:
    insights_shared: int
    joint_engagements: int


@dataclass(frozen=True)
class Review:
    team: str
    period_from: date
    period_to: date
    engagements: EngagementFigures
    reach: Reach
    voices: Voices
    feedback: FeedbackFigures
    overdue_outputs: tuple[OverdueOutput, ...]
    openness: Openness
    collaboration: Collaboration


def last_full_month(today: date) -> tuple[date, date]:
    """The calendar month before the one `today` is in: the default period."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def previous_period(period_from: date, period_to: date) -> tuple[date, date]:
    """As many days as the period, ending the day before it starts."""
    before = period_from - timedelta(days=1)
    return before - (period_to - period_from), before


def target_days(team: ProducerTeam) -> dict[str, int]:
    """Days each profile's outputs may go without engagement: the team's, else the default."""
    own = {
        "high": team.target_days_high,
        "medium": team.target_days_medium,
        "low": team.target_days_low,
    }
    return {
        profile: default if (days := own[profile]) is None else days
        for profile, default in DEFAULT_TARGET_DAYS.items()
    }


def review_for(
    *,
    session: Session,
    team_name: str,
    period_from: date | None,
    period_to: date | None,
    now: datetime,
    default_zone: ZoneInfo,
) -> Review:
    """The review of the team named, of the period given, or by default of the last full
    calendar month in the team's time zone as of `now`. Raises `ReviewRefused`."""
    team = team_named(session=session, name=team_name)
    if team is None:
        raise ReviewRefused(f"no team is called {team_name!r}")
    if (period_from is None) != (period_to is None):
        raise ReviewRefused("give both --from and --to, or neither for the last full month")
    if period_from is None or period_to is None:
        period_from, period_to = last_full_month(
            now.astimezone(zone_named(team.timezone, default_zone)).date()
        )
    return review_team(
        session=session,
        team=team,
        period_from=period_from,
        period_to=period_to,
        default_zone=default_zone,
    )


def review_team(
    *,
    session: Session,
    team: ProducerTeam,
    period_from: date,
    period_to: date,
    default_zone: ZoneInfo,
) -> Review:
    """The team's review of `period_from` to `period_to` (inclusive; days in the team's
    time zone, else `default_zone`), in nine queries. Raises `ReviewRefused`."""
    if period_to < period_from:
        raise ReviewRefused(
            f"the period ends ({period_to.isoformat()}) before it starts "
            f"({period_from.isoformat()})"
        )
    assert team.id is not None
    zone = zone_named(team.timezone, default_zone)
    scope = ReviewScope(
        team_id=team.id,
        period_from=period_from,
        period_to=period_to,
        start=local_time(period_from, 0, zone),
        end=local_time(period_to + timedelta(days=1), 0, zone),
    )
    totals = period_counts(
        session=session, scope=scope, previous=previous_period(period_from, period_to)
    )
    items = feedback_counts(session=session, scope=scope)
    return Review(
        team=team.name,
        period_from=period_from,
        period_to=period_to,
        engagements=_engagements(
            method_counts(session=session, scope=scope), totals.previous_engagements
        ),
        reach=_reach(
            segments_seen(
                session=session,
                scope=scope,
                window_from=period_to - timedelta(days=GAP_WINDOW_DAYS - 1),
            ),
            *organisation_counts(session=session, scope=scope),
        ),
        voices=_voices(
            top_organisations(session=session, scope=scope, limit=TOP_VOICES), items.received
        ),
        feedback=_feedback(items, first_responses(session=session, scope=scope), zone),
        overdue_outputs=_overdue(session, scope, target_days(team), zone),
        openness=_openness(changes_announced(session=session, scope=scope), zone),
        collaboration=Collaboration(totals.insights_shared, totals.joint_engagements),
    )


def _engagements(by_method: dict[str | None, int], previous: int) -> EngagementFigures:
    order = {method: index for index, method in enumerate(METHODS)}
    methods = sorted(
        by_method.items(),
        key=lambda item: (item[0] is None, order.get(item[0] or "", len(order)), item[0] or ""),
    )
    return EngagementFigures(
        count=sum(by_method.values()),
        previous_count=previous,
        by_method={method or UNRECORDED_METHOD: count for method, count in methods},
    )


def _reach(segments: Sequence[SegmentSeen], organisations: int, new: int) -> Reach:
    return Reach(
        segments_reached=tuple(sorted(seen.name for seen in segments if seen.in_period)),
        segments_missing=tuple(seen.name for seen in segments if not seen.in_window),
        organisations=organisations,
        new_organisations=new,
    )


def _voices(top: Sequence[tuple[str, int]], received: int) -> Voices:
    """The top organisations' share of the items. Ties cannot change it (the three largest
    counts are the same whichever tied organisation is named); items with no organisation
    count in the whole but are no organisation's."""
    items = sum(count for _, count in top)
    return Voices(
        top3_share=_rounded(Decimal(items) / received, 2) if received else 0.0,
        dominated=received >= DOMINANT_MIN_ITEMS and 2 * items > received,
        top_organisations=tuple(top),
    )


def _feedback(
    counts: FeedbackCounts, responses: Sequence[tuple[date, datetime]], zone: ZoneInfo
) -> FeedbackFigures:
    waits = [(moment.astimezone(zone).date() - received).days for received, moment in responses]
    declined = _percent(counts.not_planned_with_note, counts.not_planned)
    return FeedbackFigures(
        received=counts.received,
        responded_pct=_percent(counts.responded, counts.received),
        median_days_to_response=_median(waits),
        acted_on_pct=_percent(counts.acted_on, counts.received),
        # With none declined, all of them gave a reason.
        declined_with_reason_pct=100.0 if declined is None else declined,
    )


def overdue_from(*, added_on: date, last_engaged: date | None, target_days: int) -> date:
    """The first day an output is overdue for engagement: the day after its target's last
    day, counted from the later of the day it was added and its last engagement. The
    review and the prompts both count so (through `overdue_outputs`)."""
    start = added_on if last_engaged is None else max(added_on, last_engaged)
    return start + timedelta(days=target_days + 1)


@dataclass(frozen=True)
class Overdue:
    """An output overdue for engagement at the end of a scope's period."""

    output_id: int
    name: str
    profile: str
    last_engaged: date | None  # None: never
    target_days: int
    since: date  # the first day it was overdue


def overdue_outputs(
    *, session: Session, scope: ReviewScope, targets: dict[str, int], zone: ZoneInfo
) -> list[Overdue]:
    """The team's outputs overdue for engagement on the scope's last day (`overdue_from`;
    days in `zone`), never engaged first, then the longest since, then by name: the
    review's list, and what the prompts are about."""
    as_of = scope.period_to
    engaged_since = {profile: as_of - timedelta(days=days) for profile, days in targets.items()}
    found = []
    # The query narrows to the outputs not engaged within their target; `overdue_from`
    # decides, counting from when each was added too.
    for output in outputs_overdue(session=session, scope=scope, engaged_since=engaged_since):
        target, last = targets[output.profile], output.last_engaged
        added_on = output.created_at.astimezone(zone).date()
        since = overdue_from(added_on=added_on, last_engaged=last, target_days=target)
        if since <= as_of:
            found.append(Overdue(output.id, output.name, output.profile, last, target, since))
    return found


def _overdue(
    session: Session, scope: ReviewScope, targets: dict[str, int], zone: ZoneInfo
) -> tuple[OverdueOutput, ...]:
    """Outputs whose days since they were added, or since their last engagement if later,
    exceed their profile's target."""
    as_of = scope.period_to
    return tuple(
        OverdueOutput(
            output=output.name,
            profile=output.profile,
            days_since=None if output.last_engaged is None else (as_of - output.last_engaged).days,
            target_days=output.target_days,
        )
        for output in overdue_outputs(session=session, scope=scope, targets=targets, zone=zone)
    )


def _openness(changes: Sequence[tuple[datetime, date]], zone: ZoneInfo) -> Openness:
    notice = [(effective - moment.astimezone(zone).date()).days for moment, effective in changes]
    return Openness(
        changes_announced=len(notice),
        median_notice_days=_median(notice),
        short_notice_changes=len([days for days in notice if days < SHORT_NOTICE_DAYS]),
    )


def _rounded(value: Decimal, places: int) -> float:
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _percent(part: int, whole: int) -> float | None:
    return _rounded(Decimal(100 * part) / whole, 1) if whole else None


def _median(days: Sequence[int]) -> float | None:
    return _rounded(Decimal(statistics.median(days)), 1) if days else None


def review_json(review: Review) -> dict[str, Any]:
    """The review as JSON: exactly the keys of issue #5, in its order."""
    engagements, reach, feedback = review.engagements, review.reach, review.feedback
    return {
        "team": review.team,
        "period": {"from": review.period_from.isoformat(), "to": review.period_to.isoformat()},
        "engagements": {
            "count": engagements.count,
            "previous_count": engagements.previous_count,
            "by_method": dict(engagements.by_method),
        },
        "reach": {
            "segments_reached": list(reach.segments_reached),
            "segments_missing": list(reach.segments_missing),
            "organisations": reach.organisations,
            "new_organisations": reach.new_organisations,
        },
        "voices": {"top3_share": review.voices.top3_share, "dominated": review.voices.dominated},
        "feedback": {
            "received": feedback.received,
            "responded_pct": feedback.responded_pct,
            "median_days_to_response": feedback.median_days_to_response,
            "acted_on_pct": feedback.acted_on_pct,
            "declined_with_reason_pct": feedback.declined_with_reason_pct,
        },
        "proportionality": {
            "overdue_outputs": [
                {
                    "output": overdue.output,
                    "profile": overdue.profile,
                    "days_since": overdue.days_since,
                    "target_days": overdue.target_days,
                }
                for overdue in review.overdue_outputs
            ]
        },
        "openness": {
            "changes_announced": review.openness.changes_announced,
            "median_notice_days": review.openness.median_notice_days,
            "short_notice_changes": review.openness.short_notice_changes,
        },
        "collaboration": {
            "insights_shared": review.collaboration.insights_shared,
            "joint_engagements": review.collaboration.joint_engagements,
        },
    }
