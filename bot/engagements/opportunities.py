"""Engagement opportunities: an upcoming chance for users to take part, with limited places.

The organiser posts one to channels; people take a place (while there is one, until the
day) or withdraw. The organiser gets a direct message at 09:00 in the team's time zone
the day before, listing who signed up, and at 09:00 the day after, a prompt to log the
engagement. A tick plans what fell due in the look-back before it (`bot/deliveries/catch_up.py`):
a reminder is sent only before the day, a prompt up to a week late (for a bot that was
down); one missed past that is recorded as skipped, with the reason. Neither is owed
once the engagement is logged or the opportunity cancelled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.clock import local_time, zone_named
from bot.base.text import LONG_TEXT_MAX, SUMMARY_MAX
from bot.base.validation import (
    FieldErrors,
    Invalid,
    check_coming_date,
    check_optional_text,
    check_required_text,
    no_longer_exists,
)
from bot.base.vocabulary import METHODS
from bot.deliveries.catch_up import LOOKBACK, planned_each, too_late
from storage.clock import utc_now
from storage.deliveries import Due, enqueue_to_channels
from storage.models import Opportunity, OpportunitySignup, ProducerTeam
from storage.opportunities import (
    CANCELLED,
    OPEN,
    active_signup_count,
    locked_opportunity,
    opportunities_between,
    opportunity_from_source,
    signup_of,
)

# Delivery kinds: the post in each chosen channel, and the organiser's two direct messages.
POSTED, REMINDER, LOG_PROMPT = "opportunity_posted", "opportunity_reminder", "opportunity_log"
TITLE_MAX = 150
PLACE_MAX = 300
PLACES_MAX = 10_000
MESSAGE_HOUR = 9
# How late a bot that was down still prompts the organiser to log it.
PROMPT_CATCH_UP = timedelta(days=7)


@dataclass
class OpportunityDraft:
    """An opportunity as typed in the form, with the channels to post it to."""

    title: str | None = None
    happens_on: date | None = None
    place: str | None = None
    description: str | None = None
    places: int | None = None
    channels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Posting:
    """A saved opportunity and its posts, queued (send them by their keys)."""

    opportunity: Opportunity
    dues: list[Due]

    @property
    def channels(self) -> list[str]:
        return [due.target for due in self.dues]


class Answer(StrEnum):
    """What became of a click on "I'd like to take part" or "Withdraw"."""

    SIGNED_UP = "signed_up"
    ALREADY = "already"
    FULL = "full"
    WITHDRAWN = "withdrawn"
    NOT_SIGNED_UP = "not_signed_up"
    PAST = "past"
    CANCELLED = "cancelled"
    MISSING = "missing"


@dataclass(frozen=True)
class Signup:
    answer: Answer
    opportunity: Opportunity | None

    @property
    def changed(self) -> bool:
        """Whether the places left changed, so that every posted copy must show it."""
        return self.answer in (Answer.SIGNED_UP, Answer.WITHDRAWN)


def opportunity_problems(draft: OpportunityDraft, *, today: date) -> FieldErrors:
    """What is wrong with the draft on its own; `today` is the team's."""
    errors: FieldErrors = {}
    check_required_text(errors, "title", "The title", draft.title, TITLE_MAX)
    missing = "Choose the date it takes place."
    check_coming_date(errors, "happens_on", draft.happens_on, today, missing=missing)
    check_required_text(errors, "place", "The place or link", draft.place, PLACE_MAX)
    check_optional_text(errors, "description", "The description", draft.description, LONG_TEXT_MAX)
    if draft.places is None or not 1 <= draft.places <= PLACES_MAX:
        errors["places"] = f"Give the number of places: a whole number from 1 to {PLACES_MAX:,}."
    if not draft.channels:
        errors["channels"] = "Choose at least one channel to post it to."
    return errors


def save_opportunity(
    *,
    session: Session,
    draft: OpportunityDraft,
    team_id: int,
    user_id: str,
    now: datetime,
    default_zone: ZoneInfo,
    source_key: str | None = None,
) -> Posting:
    """Create the opportunity and queue its post to each channel; raise `Invalid`.

    A `source_key` already used returns the opportunity it created (its posts are queued
    once: their keys exist), so a retried Slack request posts nothing twice.
    """
    existing = (
        opportunity_from_source(session=session, source_key=source_key) if source_key else None
    )
    if existing is not None:
        return _queue_posts(session, existing, draft.channels, now)
    team = session.get(ProducerTeam, team_id)
    errors = opportunity_problems(draft, today=team_today(team, now, default_zone))
    if team is None:
        errors["title"] = no_longer_exists("Your team", ": nothing was posted")
    if errors:
        raise Invalid(errors)
    assert draft.title and draft.place and draft.happens_on and draft.places
    opportunity = Opportunity(
        team_id=team_id,
        title=draft.title.strip(),
        happens_on=draft.happens_on,
        place=draft.place.strip(),
        description=(draft.description or "").strip(),
        places=draft.places,
        organiser=user_id,
        source_key=source_key,
    )
    session.add(opportunity)
    session.flush()
    return _queue_posts(session, opportunity, draft.channels, now)


def _queue_posts(
    session: Session, opportunity: Opportunity, channels: Iterable[str], now: datetime
) -> Posting:
    """Queue the opportunity's post to each channel, due now (once: the keys are unique)."""
    dues = enqueue_to_channels(
        session=session,
        kind=POSTED,
        key=lambda channel: f"opportunity:{opportunity.id}:post:{channel}",
        channels=channels,
        now=now,
        team_id=opportunity.team_id,
        subject_id=opportunity.id,
    )
    return Posting(opportunity, dues)


def team_today(team: ProducerTeam | None, now: datetime, default_zone: ZoneInfo) -> date:
    return now.astimezone(zone_named(team.timezone if team else None, default_zone)).date()


def sign_up(
    *, session: Session, opportunity_id: int, user_id: str, now: datetime, default_zone: ZoneInfo
) -> Signup:
    """Give the person a place if one is left, the day has not passed and it is not cancelled.

    The opportunity's row is locked first (on PostgreSQL), so two people taking the last
    place at once are counted one after the other: only one gets it.
    """
    opportunity, refused = _open_for_change(session, opportunity_id, now, default_zone)
    if refused is not None:
        return refused
    assert opportunity is not None
    signup = signup_of(session=session, opportunity_id=opportunity_id, user_id=user_id)
    if signup is not None and signup.withdrawn_at is None:
        return Signup(Answer.ALREADY, opportunity)
    if active_signup_count(session=session, opportunity_id=opportunity_id) >= opportunity.places:
        return Signup(Answer.FULL, opportunity)
    signup = signup or OpportunitySignup(opportunity_id=opportunity_id, user_id=user_id)
    signup.signed_up_at, signup.withdrawn_at = utc_now(), None
    session.add(signup)
    session.flush()
    return Signup(Answer.SIGNED_UP, opportunity)


def withdraw(
    *, session: Session, opportunity_id: int, user_id: str, now: datetime, default_zone: ZoneInfo
) -> Signup:
    """Give up the person's place (kept as withdrawn), freeing it for someone else."""
    opportunity, refused = _open_for_change(session, opportunity_id, now, default_zone)
    if refused is not None:
        return refused
    signup = signup_of(session=session, opportunity_id=opportunity_id, user_id=user_id)
    if signup is None or signup.withdrawn_at is not None:
        return Signup(Answer.NOT_SIGNED_UP, opportunity)
    signup.withdrawn_at = utc_now()
    session.add(signup)
    session.flush()
    return Signup(Answer.WITHDRAWN, opportunity)


def _open_for_change(
    session: Session, opportunity_id: int, now: datetime, default_zone: ZoneInfo
) -> tuple[Opportunity | None, Signup | None]:
    """The opportunity, locked, and the refusal if places can't change any more."""
    opportunity = locked_opportunity(session=session, opportunity_id=opportunity_id)
    if opportunity is None:
        return None, Signup(Answer.MISSING, None)
    if opportunity.status == CANCELLED:
        return opportunity, Signup(Answer.CANCELLED, opportunity)
    if opportunity.happens_on < team_today(opportunity.team, now, default_zone):
        return opportunity, Signup(Answer.PAST, opportunity)
    return opportunity, None


def record_logged(*, session: Session, opportunity_id: int, engagement_id: int) -> None:
    """Remember the engagement logged for the opportunity (the first one, if logged twice)."""
    opportunity = session.get(Opportunity, opportunity_id)
    if opportunity is not None and opportunity.engagement_id is None:
        opportunity.engagement_id = engagement_id
        opportunity.updated_at = utc_now()
        session.add(opportunity)


# --- the organiser's direct messages ---------------------------------------------------------


def reminder_at(happens_on: date, zone: ZoneInfo) -> datetime:
    return local_time(happens_on - timedelta(days=1), MESSAGE_HOUR, zone)


def prompt_at(happens_on: date, zone: ZoneInfo) -> datetime:
    return local_time(happens_on + timedelta(days=1), MESSAGE_HOUR, zone)


def organiser_messages(opportunity: Opportunity, zone: ZoneInfo, at: datetime) -> list[Due]:
    """The organiser's direct messages that fell due in the look-back to `at`, each
    skipped, with the reason, if it no longer matters then."""
    if opportunity.status != OPEN:
        return []
    today = at.astimezone(zone).date()
    day = opportunity.happens_on
    due: list[tuple[str, str, datetime, str | None]] = []
    if at - LOOKBACK < reminder_at(day, zone) <= at:
        came = None if today < day else "the opportunity's day had come before it was sent"
        due.append((REMINDER, "reminder", reminder_at(day, zone), came))
    logged = opportunity.engagement_id is not None
    if not logged and at - LOOKBACK < prompt_at(day, zone) <= at:
        late = too_late(prompt_at(day, zone), at, PROMPT_CATCH_UP)
        due.append((LOG_PROMPT, "log-prompt", prompt_at(day, zone), late))
    return [
        Due(
            key=f"opportunity:{opportunity.id}:{name}",
            kind=kind,
            target=opportunity.organiser,
            due_at=due_at,
            team_id=opportunity.team_id,
            subject_id=opportunity.id,
            skip_reason=reason,
        )
        for kind, name, due_at, reason in due
    ]


def plan_organiser_messages(session: Session, at: datetime, default_zone: ZoneInfo) -> list[Due]:
    """Every reminder and prompt to log due as of `at` (the scheduler's plan for both); an
    opportunity that cannot be planned is left out, logged (`planned_each`)."""
    # A team's today is within a day of UTC's: reminders can be due for dates up to two
    # days ahead, prompts for dates back to the look-back.
    utc_day = at.astimezone(UTC).date()
    candidates = opportunities_between(
        session=session,
        first=utc_day - LOOKBACK - timedelta(days=2),
        last=utc_day + timedelta(days=2),
    )
    return planned_each(candidates, partial(_messages_of, at, default_zone), _named)


def _messages_of(at: datetime, default_zone: ZoneInfo, opportunity: Opportunity) -> list[Due]:
    return organiser_messages(opportunity, zone_named(opportunity.team.timezone, default_zone), at)


def _named(opportunity: Opportunity) -> str:
    return f"opportunity {opportunity.id}, on {opportunity.happens_on.isoformat()}"


# --- logging the engagement it was -------------------------------------------------------------


def method_named_in(*texts: str) -> str | None:
    """The engagement method the opportunity names ("Workshop on ...": workshop), if any:
    the one named first in the first text naming one."""
    for text in texts:
        found = [
            (match.start(), value)
            for value, label in METHODS.items()
            if value != "other"
            for match in [re.search(rf"\b{re.escape(label)}s?\b", text, re.IGNORECASE)]
            if match
        ]
        if found:
            return min(found)[1]
    return None


def log_summary(opportunity: Opportunity) -> str:
    """The title, and the description under it when both fit in a summary."""
    both = f"{opportunity.title}\n\n{opportunity.description}".strip()
    return both if len(both) <= SUMMARY_MAX else opportunity.title
