"""What a team's public pages show, read from its records as they are now: its changes,
its "You said, we did" and "Users and uses" (the statements' own functions, so a page says
what `engagebot publish` would), and its opportunities with the places left.

Nothing here names a person: changes, opportunities and statements hold no contact, and an
opportunity's organiser (a Slack user) is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import MINYEAR, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.clock import zone_named
from bot.base.vocabulary import segment_label
from bot.deliveries.catch_up import Period
from bot.statements.users_and_uses import UsesStatement, twelve_months_to, users_and_uses
from bot.statements.you_said_we_did import (
    Statement,
    latest_digest_period,
    period_containing,
    you_said_we_did,
)
from bot.users.map import Scope
from storage.changes import CANCELLED
from storage.models import ProducerTeam, UpcomingChange
from storage.opportunities import upcoming_opportunities
from storage.public import changes_from

# A change stays on the page this long after it takes effect, or would have.
DECIDED_DAYS = 365
OPPORTUNITIES_MAX = 100
PERIODS_SHOWN = 8  # quarters of "You said, we did" to choose from, the current one first
QUARTERLY = "quarterly"
_PERIOD_NAME = re.compile(r"(\d{4})-q([1-4])")

# What became of a change.
UPCOMING, IN_EFFECT = "upcoming", "in_effect"  # and CANCELLED


def team_day(team: ProducerTeam, now: datetime, default_zone: ZoneInfo) -> tuple[date, ZoneInfo]:
    """The day it is `now` where the team is, and its time zone."""
    zone = zone_named(team.timezone, default_zone)
    return now.astimezone(zone).date(), zone


@dataclass(frozen=True)
class PublicChange:
    id: int  # its comment form's address, its feed entry's
    title: str
    output: str
    description: str  # what changes and why, as the team wrote it
    effective_on: date
    feedback_by: date | None  # feedback wanted until then (None: not asked for)
    affects: tuple[str, ...]  # the kinds of user it affects, in the taxonomy's order
    state: str  # UPCOMING, IN_EFFECT or CANCELLED
    cancel_reason: str | None
    revision: int  # one more at each edit, and at its cancellation
    updated_at: datetime  # when it was last announced, edited or cancelled


@dataclass(frozen=True)
class ChangesPage:
    today: date
    upcoming: tuple[PublicChange, ...]  # soonest first
    decided: tuple[PublicChange, ...]  # took effect or cancelled, latest first

    def feedback_open(self, change: PublicChange) -> bool:
        """Whether the team still wants feedback on `change`."""
        return (
            change.state == UPCOMING
            and change.feedback_by is not None
            and change.feedback_by >= self.today
        )


def changes_page(*, session: Session, team: ProducerTeam, today: date) -> ChangesPage:
    """The team's changes to come, and those of the last DECIDED_DAYS and what became of
    them (in effect, or cancelled and why)."""
    assert team.id is not None
    first = today - timedelta(days=DECIDED_DAYS)
    changes = [
        _public(change, today)
        for change in changes_from(session=session, team_id=team.id, first=first)
    ]
    return ChangesPage(
        today=today,
        upcoming=tuple(change for change in changes if change.state == UPCOMING),
        decided=tuple(reversed([change for change in changes if change.state != UPCOMING])),
    )


def _public(change: UpcomingChange, today: date) -> PublicChange:
    if change.status == CANCELLED:
        state = CANCELLED
    else:
        state = UPCOMING if change.effective_on >= today else IN_EFFECT
    segments = sorted(change.segments, key=lambda segment: (segment.position, segment.name))
    assert change.id is not None
    return PublicChange(
        id=change.id,
        title=change.title,
        output=change.output.name,
        description=change.description,
        effective_on=change.effective_on,
        feedback_by=change.feedback_by,
        affects=tuple(segment_label(segment.name) for segment in segments),
        state=state,
        cancel_reason=change.cancel_reason if state == CANCELLED else None,
        revision=change.revision,
        updated_at=change.updated_at,
    )


@dataclass(frozen=True)
class PublicOpportunity:
    id: int
    title: str
    happens_on: date
    place: str  # a place or a link, as the team wrote it
    description: str
    places: int
    places_left: int
    updated_at: datetime


def opportunities(
    *, session: Session, team: ProducerTeam, today: date
) -> tuple[PublicOpportunity, ...]:
    """The team's open opportunities from `today` on, soonest first, with the places left."""
    assert team.id is not None
    found = upcoming_opportunities(
        session=session, team_id=team.id, today=today, limit=OPPORTUNITIES_MAX
    )
    return tuple(
        PublicOpportunity(
            id=opportunity.id,  # type: ignore[arg-type]  # read from the database
            title=opportunity.title,
            happens_on=opportunity.happens_on,
            place=opportunity.place,
            description=opportunity.description,
            places=opportunity.places,
            places_left=max(opportunity.places - taken, 0),
            updated_at=opportunity.updated_at,
        )
        for opportunity, taken in found
    )


def statement_periods(today: date) -> list[Period]:
    """The quarters whose "You said, we did" can be read: the current one (so far) and
    the PERIODS_SHOWN - 1 before it, latest first."""
    periods = [period_containing(QUARTERLY, today)]
    while len(periods) < PERIODS_SHOWN:
        periods.append(period_containing(QUARTERLY, periods[-1][0] - timedelta(days=1)))
    return periods


def default_period(today: date) -> Period:
    """The quarter shown first: the last complete one, as `engagebot publish` makes it."""
    return latest_digest_period(QUARTERLY, today)


def period_name(period: Period) -> str:
    """A quarter as the page's address names it: "2026-q3"."""
    return f"{period[0].year}-q{(period[0].month - 1) // 3 + 1}"


def period_named(name: str, today: date) -> Period | None:
    """The quarter `name` ("2026-q3") names, if it is one of `statement_periods`."""
    found = _PERIOD_NAME.fullmatch(name)
    if found is None:
        return None
    year, quarter = int(found[1]), int(found[2])
    if year < MINYEAR:  # "0000-q1" names no quarter
        return None
    period = period_containing(QUARTERLY, date(year, quarter * 3 - 2, 1))
    return period if period in statement_periods(today) else None


def statement_of(*, session: Session, team: ProducerTeam, period: Period) -> Statement:
    """The team's "You said, we did" for `period`, as `engagebot publish` makes it, but for
    the items not yet decided: counted, not shown, so that nothing sent from the public site
    is on its pages before the team has read it."""
    return you_said_we_did(
        session=session,
        team=team,
        period_from=period[0],
        period_to=period[1],
        undecided=False,
    )


def uses_of(*, session: Session, team: ProducerTeam, today: date, zone: ZoneInfo) -> UsesStatement:
    """The team's "Users and uses" of the twelve months to `today`, as `engagebot publish
    users-and-uses` makes it by default."""
    first, last = twelve_months_to(today)
    return users_and_uses(
        session=session, scope=Scope(team), period_from=first, period_to=last, zone=zone
    )
