"""What the schedule owes for time the bot was not running, and what it never owes.

Every plan follows these rules (docs/operator/replicas.md, "Catching up"):

- A tick looks back `LOOKBACK` for what fell due. Each delivery due in that time ends as
  sent or as skipped with a reason, never left out: one whose moment passed while the bot
  was down is sent late if it still says something true and useful (worded when it is
  sent), else recorded as skipped, with the reason, the moment the plan finds it.
  What fell due before the look-back is not looked for.
- A periodic post (a review, a digest) goes out up to `CATCH_UP` late (each kind says
  how long); later than that it is skipped as old news. The cross-team posts (the
  weekly digest, the review summary) look only at the latest due: their channels are
  configuration, with no date to say since when a post was owed there.
- A team's periodic post covers no period that ended before the team was set up, or
  before it chose the channel; the first period, begun before the team was, covers only
  the days since it was (`covered_period`).
- No record stops a tick: one that cannot be planned (`RECORD_FAULTS`: a date with no day
  after it, 9999-12-31, which a change or an opportunity saved before dates had a ceiling
  may hold; a time zone no longer known) is left out with one log line naming it
  (`planned_each`), and everything else is planned; a delivery that cannot be worded from
  its record is skipped with the reason (`bot/deliveries/scheduler.py: Scheduler._message`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from storage.deliveries import Due
from storage.models import ProducerTeam

logger = logging.getLogger(__name__)

LOOKBACK = timedelta(days=31)
CATCH_UP = timedelta(days=7)
# What a record's own values can raise when its messages are planned or worded: a date
# with no day after it, a value of no known kind, a time zone no longer known.
RECORD_FAULTS = (ArithmeticError, ValueError, LookupError)

Period = tuple[date, date]  # first and last day, both included
Occurrence = TypeVar("Occurrence")
Planned = TypeVar("Planned")


@dataclass(frozen=True)
class Skip:
    """A delivery not to send after all, and why: `engagebot deliveries` shows the reason."""

    reason: str


def too_late(due_at: datetime, at: datetime, catch_up: timedelta = CATCH_UP) -> str | None:
    """Why a post due at `due_at` is not sent at `at` (more than `catch_up` late), or None."""
    if at - due_at <= catch_up:
        return None
    return f"more than {_days(catch_up)} late when the bot came to send it"


def planned_each(
    records: Iterable[Planned],
    plan: Callable[[Planned], Iterable[Due]],
    named: Callable[[Planned], str],
) -> list[Due]:
    """What `plan` makes of each record; one it cannot plan (`RECORD_FAULTS`) is left out of
    this tick, with one log line naming it (`named`), and never holds up the others."""
    dues: list[Due] = []
    for record in records:
        try:
            planned = list(plan(record))
        except RECORD_FAULTS as fault:
            logger.warning(
                "could not plan %s (%s): left out of this tick", named(record), fault_text(fault)
            )
        else:
            dues.extend(planned)
    return dues


def team_named(team: ProducerTeam) -> str:
    """A team, as `planned_each` names it."""
    return f"team {team.id} ({team.name})"


def fault_text(fault: Exception) -> str:
    """A fault in a few words, for a log line or a skipped delivery's reason."""
    return f"{type(fault).__name__}: {fault}"


def occurrences(
    latest_due_by: Callable[[datetime], tuple[Occurrence, datetime]], at: datetime
) -> list[tuple[Occurrence, datetime]]:
    """Each occurrence of a periodic post that fell due in the `LOOKBACK` up to `at`, with
    its moment, latest first. `latest_due_by(moment)` is the latest due by `moment`."""
    found: list[tuple[Occurrence, datetime]] = []
    latest = latest_due_by(at)
    while latest[1] > at - LOOKBACK:
        found.append(latest)
        latest = latest_due_by(latest[1] - timedelta(microseconds=1))
    return found


def covered_period(
    period: Period, *, team_set_up: datetime, channel_chosen: datetime | None, zone: ZoneInfo
) -> Period | None:
    """The part of `period` (days in `zone`) a team's scheduled post covers: None when the
    period ended before the team was set up or chose the post's channel (None: as it was
    set up); from the day it was set up when that was during the period."""
    began = team_set_up.astimezone(zone).date()
    chosen = (channel_chosen or team_set_up).astimezone(zone).date()
    if period[1] < max(began, chosen):
        return None
    return max(period[0], began), period[1]


def _days(span: timedelta) -> str:
    return "a week" if span == timedelta(days=7) else f"{span.days} days"
