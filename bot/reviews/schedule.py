"""When a team's review is posted, and of which period.

A team with a review channel gets its review at 09:00 team time on the first working day
(Monday to Friday; bank holidays are not known) of each month, of the month before; or,
quarterly, on the first working day of January, April, July and October, of the quarter
before. The cross-team channels get a line on each team's review at 09:00 in
ENGAGEBOT_TIMEZONE on the first working day of each month (quarterly teams in the months
their review is posted).

As every plan (`bot/deliveries/catch_up.py`): a tick plans each review due in the look-back
before it; one missed while the bot was down is posted up to a week late, and recorded as skipped
after that. No review covers a period that ended before its team was set up or chose its
review channel, and a team's first covers only the days since it was set up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.clock import local_time, zone_named
from bot.deliveries.catch_up import (
    Period,
    covered_period,
    occurrences,
    planned_each,
    team_named,
    too_late,
)
from storage.deliveries import Due
from storage.models import ProducerTeam
from storage.review_posts import teams_with_review_channel

REVIEW_HOUR = 9
CADENCES = {"monthly": "Monthly", "quarterly": "Quarterly"}  # as the team form shows them
MONTHS = {"monthly": 1, "quarterly": 3}  # months reviewed at a time
DEFAULT_CADENCE = "monthly"
THIS_MONTH = "this month"  # so far: from its first day to today
SPANS = ("month", "quarter", "year", THIS_MONTH)  # what `/engage review` may be asked for
# Delivery kinds: a team's review in its channel, and every team's in the cross-team ones.
REVIEW, REVIEW_SUMMARY = "review", "review_summary"


@dataclass(frozen=True)
class ReviewDue:
    day: date  # the first working day it is posted on
    period_from: date
    period_to: date
    due_at: datetime  # 09:00 team time that day, as a UTC moment


def first_working_day(year: int, month: int) -> date:
    """The first Monday-to-Friday of the month (bank holidays are not known)."""
    day = date(year, month, 1)
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def month_start(day: date, months_back: int) -> date:
    """The first day of the month `months_back` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def review_day(cadence: str, today: date) -> date:
    """The latest day, on or before `today`, on which a review of this cadence is posted."""
    months = MONTHS[cadence]
    start = month_start(today, (today.month - 1) % months)  # this month, or its quarter's first
    day = first_working_day(start.year, start.month)
    if day > today:
        start = month_start(start, months)
        day = first_working_day(start.year, start.month)
    return day


def period_before(cadence: str, day: date) -> tuple[date, date]:
    """The month (or quarter) that ends before `day`'s month (or quarter) begins."""
    start = month_start(day, (day.month - 1) % MONTHS[cadence])
    return month_start(start, MONTHS[cadence]), start - timedelta(days=1)


def review_due(cadence: str, at: datetime, zone: ZoneInfo) -> ReviewDue:
    """The latest review of this cadence due by `at` (in `zone`): today's once 09:00 has
    passed, else the one before."""
    day = review_day(cadence, at.astimezone(zone).date())
    if at < local_time(day, REVIEW_HOUR, zone):
        day = review_day(cadence, day - timedelta(days=1))
    return ReviewDue(day, *period_before(cadence, day), local_time(day, REVIEW_HOUR, zone))


def cadence_of(team: ProducerTeam) -> str:
    cadence = team.review_cadence or DEFAULT_CADENCE
    return cadence if cadence in MONTHS else DEFAULT_CADENCE


def on_demand_period(span: str, today: date) -> tuple[date, date]:
    """The last full month or quarter before `today`, the 12 full months before it, or this
    month so far (today included)."""
    if span == THIS_MONTH:
        return today.replace(day=1), today
    if span == "quarter":
        return period_before("quarterly", today)
    return month_start(today, 12 if span == "year" else 1), today.replace(day=1) - timedelta(days=1)


def asked_period(team: ProducerTeam, span: str, today: date, zone: ZoneInfo) -> Period:
    """The period `/engage review` covers: `on_demand_period`'s, from the day the team was
    set up when that was during it, as its scheduled review does (so the two are one post
    in its channel); a period over before then as asked (records imported from before)."""
    period = on_demand_period(span, today)
    set_up = covered_period(period, team_set_up=team.created_at, channel_chosen=None, zone=zone)
    return set_up or period


def review_key(team_id: int, period: tuple[date, date], channel: str) -> str:
    return f"review:{team_id}:{period[0].isoformat()}:{period[1].isoformat()}:{channel}"


def period_note(period: tuple[date, date]) -> str:
    """A delivery's note naming the period it posts ("2027-04-01/2027-04-30")."""
    return f"{period[0].isoformat()}/{period[1].isoformat()}"


def period_of_note(note: str) -> tuple[date, date]:
    first, last = note.split("/")[:2]
    return date.fromisoformat(first), date.fromisoformat(last)


def latest_review_due(cadence: str, zone: ZoneInfo, moment: datetime) -> tuple[ReviewDue, datetime]:
    """The latest review of this cadence due by `moment`, with when it fell due."""
    due = review_due(cadence, moment, zone)
    return due, due.due_at


def review_plan(session: Session, at: datetime, default_zone: ZoneInfo) -> list[Due]:
    """The scheduler's plan: each team with a review channel, its reviews due in the
    look-back to `at`, of the periods `reviewed_period` allows; sent up to CATCH_UP late,
    else skipped."""
    teams = teams_with_review_channel(session=session)
    return planned_each(teams, partial(_team_reviews, at, default_zone), team_named)


def _team_reviews(at: datetime, default_zone: ZoneInfo, team: ProducerTeam) -> Iterator[Due]:
    assert team.id is not None and team.review_channel_id is not None
    zone = zone_named(team.timezone, default_zone)
    for due, due_at in occurrences(partial(latest_review_due, cadence_of(team), zone), at):
        period = reviewed_period(team, due.day, zone)
        if period is None:
            continue
        yield Due(
            key=review_key(team.id, period, team.review_channel_id),
            kind=REVIEW,
            target=team.review_channel_id,
            due_at=due_at,
            team_id=team.id,
            note=period_note(period),
            skip_reason=too_late(due_at, at),
        )


def summary_plan(
    channels: Sequence[str],
) -> Callable[[Session, datetime, ZoneInfo], list[Due]]:
    """The plan of the review summary in each of `channels` (ENGAGEBOT_CROSS_TEAM_CHANNELS):
    on the first working day of each month, at 09:00 in ENGAGEBOT_TIMEZONE, when some
    team's review is posted that month; its note is that day, which says each team's period.
    The latest is sent up to CATCH_UP late, else skipped; earlier ones are not looked for
    (the channels are configuration, with no date to say since when one was owed)."""

    def plan(session: Session, at: datetime, default_zone: ZoneInfo) -> list[Due]:
        due = review_due(DEFAULT_CADENCE, at, default_zone)
        teams = teams_with_review_channel(session=session)
        if not periods_reviewed(due.day, teams, default_zone):
            return []
        return [
            Due(
                key=f"review-summary:{due.day.isoformat()}:{channel}",
                kind=REVIEW_SUMMARY,
                target=channel,
                due_at=due.due_at,
                note=due.day.isoformat(),
                skip_reason=too_late(due.due_at, at),
            )
            for channel in dict.fromkeys(channels)
        ]

    return plan


def reviewed_period(team: ProducerTeam, day: date, zone: ZoneInfo) -> Period | None:
    """The period of the team's review posted on `day` (a first working day): the month
    or quarter before, from the day the team was set up if it was set up during it; None
    if it ended before the team was set up or chose its review channel."""
    return covered_period(
        period_before(cadence_of(team), day),
        team_set_up=team.created_at,
        channel_chosen=team.review_channel_set_at,
        zone=zone,
    )


def periods_reviewed(
    day: date, teams: Sequence[ProducerTeam], default_zone: ZoneInfo
) -> list[tuple[ProducerTeam, Period]]:
    """The teams whose review is posted on `day` (a first working day), with its period:
    monthly teams every month, quarterly ones in January, April, July and October, each
    as `reviewed_period` says."""
    reviewed = []
    for team in teams:
        zone = zone_named(team.timezone, default_zone)
        period = reviewed_period(team, day, zone)
        if review_day(cadence_of(team), day) == day and period is not None:
            reviewed.append((team, period))
    return reviewed
