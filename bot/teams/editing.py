"""Creating and editing producer teams: the statistical outputs they publish, their
members, and their settings (time zone, the days before a change that reminders go out,
the digest, the engagement review, each profile's target days between engagements, and
the address of its public pages)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import available_timezones

from sqlmodel import Session

from bot.base.text import NAME_MAX, OUTPUT_NAME_MAX, blank_to_none, listed
from bot.base.validation import (
    FieldErrors,
    Invalid,
    check_names,
    check_required_text,
    still_there,
)
from bot.base.vocabulary import PROFILES, value_for
from bot.changes.alerts import MAX_LEAD_DAYS
from bot.public.addresses import address_problem
from bot.reviews.figures import DEFAULT_TARGET_DAYS
from bot.reviews.schedule import CADENCES as REVIEW_CADENCES
from bot.reviews.schedule import DEFAULT_CADENCE as DEFAULT_REVIEW_CADENCE
from bot.statements.you_said_we_did import CADENCES, DEFAULT_CADENCE
from storage.clock import utc_now
from storage.models import ProducerTeam
from storage.teams import (
    WantedOutput,
    outputs_in_use,
    remember_team,
    replace_members,
    replace_outputs,
    team_for_channel,
    team_named,
)
from storage.types import flushed_id

OUTPUTS_MAX = 500
RENAMED, RETIRED = "->", "retired"
OUTPUT_LINE_HINT = (
    "one output a line, as: name | high, medium or low (old name -> new name | ... renames "
    "one; ... | retired retires it)"
)
REMINDERS_MAX = 6  # reminders per change
NEVER = "never"  # the form's cadence that stops posting (the digest, the review)
TARGET_DAYS_MAX = 3650
MEMBERS_MAX = 100  # as the form's people picker allows


@dataclass
class TeamDraft:
    name: str
    home_channel_id: str | None = None
    outputs_text: str = ""
    timezone: str | None = None  # blank: ENGAGEBOT_TIMEZONE
    alert_lead_days: str | None = None  # as typed, e.g. "28, 7, 1"; blank: the default
    digest_channel_id: str | None = None
    digest_cadence: str | None = None  # a CADENCES key, NEVER, or blank
    review_channel_id: str | None = None
    review_cadence: str | None = None  # a review_schedule.CADENCES key, NEVER, or blank
    # Days between engagements an output of each profile warrants, as typed; blank: default.
    target_days_high: str | None = None
    target_days_medium: str | None = None
    target_days_low: str | None = None
    # Slack user ids of the members; None leaves them as they are (a new team: its creator).
    member_ids: tuple[str, ...] | None = None
    public_address: str | None = None  # as typed; blank: no public pages


def draft_of(team: ProducerTeam, member_ids: Sequence[str] = ()) -> TeamDraft:
    """The team as the form shows it, for editing."""
    return TeamDraft(
        name=team.name,
        member_ids=tuple(member_ids),
        home_channel_id=team.home_channel_id,
        outputs_text=format_outputs(team),
        timezone=team.timezone,
        alert_lead_days=team.alert_lead_days,
        digest_channel_id=team.digest_channel_id,
        digest_cadence=team.digest_cadence,
        review_channel_id=team.review_channel_id,
        review_cadence=team.review_cadence,
        public_address=team.public_slug,
        **{
            field: None if (days := getattr(team, field)) is None else str(days)
            for field in TARGET_FIELDS
        },
    )


def parse_outputs(text: str) -> tuple[list[WantedOutput], str | None]:
    """Outputs typed one a line as `name | profile`, `old name -> name | profile` to rename
    one, ending `| retired` for one no longer published; the error names the first bad line."""
    outputs: list[WantedOutput] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        rest, _, last = line.rpartition("|")
        retired = last.strip().lower() == RETIRED
        name, _, profile_text = rest.rpartition("|") if retired else (rest, "", last)
        was, arrow, name = name.rpartition(RENAMED)
        name, was = " ".join(name.split()), " ".join(was.split())
        profile = value_for(PROFILES, profile_text)
        if not name or profile is None or (arrow and not was):
            return [], f"Line {number} ('{line.strip()[:40]}'): write {OUTPUT_LINE_HINT}."
        if name.lower() in seen:
            return [], f"Line {number}: '{name}' is listed twice."
        seen.add(name.lower())
        outputs.append(WantedOutput(name, profile, retired, was or None))
    if len(outputs) > OUTPUTS_MAX:
        return [], f"A team can list at most {OUTPUTS_MAX} outputs here."
    return outputs, None


def _renaming_problem(team: ProducerTeam, outputs: Sequence[WantedOutput]) -> str | None:
    """Why the renames in `outputs` can't be done on `team`, or None."""
    current = {output.name.lower() for output in team.outputs}
    kept = {(wanted.was or wanted.name).lower() for wanted in outputs}
    for wanted in outputs:
        if wanted.was is None:
            continue
        if wanted.was.lower() not in current:
            return f"There is no output called '{wanted.was}' to rename."
        taken = wanted.name.lower()
        if taken != wanted.was.lower() and taken in current and taken in kept:
            return (
                f"'{wanted.name}' is already an output: give it another name first, "
                "and save, then rename."
            )
    return None


def parse_lead_days(text: str | None) -> tuple[str | None, str | None]:
    """Days typed as "28, 7, 1", stored as "28,7,1" (distinct, largest first), or None for
    the default; else the problem to show."""
    if not blank_to_none(text):
        return None, None
    days: set[int] = set()
    for part in (text or "").replace(",", " ").split():
        if not (part.isascii() and part.isdigit()):
            return None, f"'{part[:20]}' is not a whole number of days: write e.g. 28, 7, 1."
        if not 1 <= int(part) <= MAX_LEAD_DAYS:
            return None, f"{int(part)} days: each must be from 1 to {MAX_LEAD_DAYS}."
        days.add(int(part))
    if len(days) > REMINDERS_MAX:
        return None, f"{len(days)} reminders: a change can have at most {REMINDERS_MAX}."
    # Only separators typed (", ,"): the default, as for a blank field.
    return ",".join(str(day) for day in sorted(days, reverse=True)) or None, None


@cache
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def zone_name(text: str | None) -> tuple[str | None, str | None]:
    """The IANA time zone typed (any case), as spelt in the database, or None for the
    default; else the problem to show."""
    typed = blank_to_none(text)
    if typed is None:
        return None, None
    name = _zones().get(typed.lower())
    if name is None:
        return None, f"'{typed[:40]}' is not a time zone: use a name like Europe/London."
    return name, None


@dataclass(frozen=True)
class Posting:
    """Something the team has posted to a channel it chooses, as often as it chooses."""

    channel_field: str
    cadence_field: str
    what: str  # "the digest"
    cadences: Collection[str]
    default: str


DIGEST = Posting("digest_channel", "digest_cadence", "the digest", CADENCES, DEFAULT_CADENCE)
REVIEW = Posting(
    "review_channel", "review_cadence", "the review", REVIEW_CADENCES, DEFAULT_REVIEW_CADENCE
)
TARGET_FIELDS = tuple(f"target_days_{profile}" for profile in DEFAULT_TARGET_DAYS)


def posting_setting(
    errors: FieldErrors, posting: Posting, channel_id: str | None, cadence: str | None
) -> tuple[str | None, str | None]:
    """(channel, cadence) to store from what the form chose; problems go into `errors`."""
    if cadence == NEVER:
        return None, None
    if cadence is not None and cadence not in posting.cadences:
        errors[posting.cadence_field] = "Choose how often, from the list."
    elif channel_id is None and cadence is not None:
        errors[posting.channel_field] = (
            f"Choose the channel to post {posting.what} in, or choose Never."
        )
    if channel_id is None:
        return None, None
    return channel_id, cadence or posting.default


def parse_target_days(text: str | None) -> tuple[int | None, str | None]:
    """Whole days from 1 to TARGET_DAYS_MAX, or None for the default; else the problem."""
    typed = blank_to_none(text)
    if typed is None:
        return None, None
    if not (typed.isascii() and typed.isdigit()):
        return None, f"'{typed[:20]}' is not a whole number of days: write e.g. 30."
    if not 1 <= int(typed) <= TARGET_DAYS_MAX:
        return None, f"{int(typed)} days: the target must be from 1 to {TARGET_DAYS_MAX}."
    return int(typed), None


def _settings(draft: TeamDraft, errors: FieldErrors) -> dict[str, str | int | None]:
    """The team's settings to store, by column; problems go into `errors` by field."""
    timezone, problem = zone_name(draft.timezone)
    if problem:
        errors["timezone"] = problem
    alert_lead_days, problem = parse_lead_days(draft.alert_lead_days)
    if problem:
        errors["alert_lead_days"] = problem
    digest = posting_setting(errors, DIGEST, draft.digest_channel_id, draft.digest_cadence)
    review = posting_setting(errors, REVIEW, draft.review_channel_id, draft.review_cadence)
    settings: dict[str, str | int | None] = {
        "timezone": timezone,
        "alert_lead_days": alert_lead_days,
        "digest_channel_id": digest[0],
        "digest_cadence": digest[1],
        "review_channel_id": review[0],
        "review_cadence": review[1],
    }
    for field in TARGET_FIELDS:
        settings[field], problem = parse_target_days(getattr(draft, field))
        if problem:
            errors[field] = problem
    return settings


def _members(errors: FieldErrors, draft: TeamDraft, *, creator: str | None) -> list[str] | None:
    """The members to store (None: leave them); a new team's creator is its first member,
    and a team keeps at least one, so that someone other than an admin can look after it."""
    if draft.member_ids is None and creator is None:
        return None
    members = list(dict.fromkeys([*([creator] if creator else []), *(draft.member_ids or ())]))
    if draft.member_ids is not None and not members:
        errors["members"] = "A team needs at least one member: keep yourself, or add someone."
    elif len(members) > MEMBERS_MAX:
        errors["members"] = f"A team can have at most {MEMBERS_MAX} members here."
    return members


def _kept_outputs_text(names: list[str]) -> str:
    """Why the outputs `names` must stay in the team's list, and what to do."""
    it = "it" if len(names) == 1 else "them"
    return (
        f"{listed(names)} can't be removed: engagements, feedback, changes or subscriptions "
        f"refer to {it}. Put {it} back in the list to save your other changes; to stop "
        f"using {it}, end {'its line' if len(names) == 1 else 'their lines'} with "
        f"'| {RETIRED}' (a retired output keeps its history)."
    )


def _note_channels_chosen(
    team: ProducerTeam, settings: dict[str, str | int | None], now: datetime
) -> None:
    """Stamp when the digest and review channels were chosen, for the scheduler: a channel
    chosen, or changed, gets no post of a period that ended before
    (`bot/deliveries/catch_up.py`)."""
    for posting in (DIGEST, REVIEW):
        channel = settings[f"{posting.channel_field}_id"]
        if channel != getattr(team, f"{posting.channel_field}_id"):
            setattr(team, f"{posting.channel_field}_set_at", now if channel else None)


def format_outputs(team: ProducerTeam) -> str:
    """The team's outputs in the form `parse_outputs` reads back."""
    return "\n".join(
        f"{output.name} | {output.profile}" + (f" | {RETIRED}" if output.retired_at else "")
        for output in team.outputs
    )


def save_team(
    *, session: Session, draft: TeamDraft, user_id: str | None, team_id: int | None = None
) -> ProducerTeam:
    """Create the team, or update `team_id`; raise `Invalid` and write nothing."""
    errors: FieldErrors = {}
    name = " ".join(draft.name.split())
    check_required_text(errors, "name", "The team name", name, NAME_MAX)
    check_names(errors, "name", "The team name", [name], NAME_MAX)
    team = still_there(session, ProducerTeam, team_id, errors, "name", "That team")
    same_name = team_named(session=session, name=name) if name else None
    if same_name is not None and same_name is not team:
        errors["name"] = f"There is already a team called {same_name.name}."
    if draft.home_channel_id:
        owner = team_for_channel(session=session, channel_id=draft.home_channel_id)
        if owner is not None and owner is not team:
            errors["home_channel"] = f"That channel is already the home of {owner.name}."
    outputs, problem = parse_outputs(draft.outputs_text)
    if problem:
        errors["outputs"] = problem
    else:
        check_names(errors, "outputs", "Output", [o.name for o in outputs], OUTPUT_NAME_MAX)
    if team is not None and "outputs" not in errors:
        problem = _renaming_problem(team, outputs)
        if problem:
            errors["outputs"] = problem
    if team is not None and "outputs" not in errors:
        kept = {(wanted.was or wanted.name).lower() for wanted in outputs}
        dropped = [output for output in team.outputs if output.name.lower() not in kept]
        in_use = outputs_in_use(session=session, output_ids=[o.id for o in dropped if o.id])
        if in_use:
            errors["outputs"] = _kept_outputs_text([o.name for o in dropped if o.id in in_use])
    settings = _settings(draft, errors)
    public_slug, problem = address_problem(
        session=session, address=draft.public_address, team_id=team_id
    )
    if problem:
        errors["public_address"] = problem
    members = _members(errors, draft, creator=user_id if team is None else None)
    if errors:
        raise Invalid(errors)
    if team is None:
        team = ProducerTeam(name=name, created_by=user_id)
    team.name = name
    team.home_channel_id = draft.home_channel_id or None
    team.public_slug = public_slug
    now = utc_now()
    _note_channels_chosen(team, settings, now)
    for column, value in settings.items():
        setattr(team, column, value)
    team.updated_at = now
    session.add(team)
    session.flush()
    replace_outputs(session=session, team=team, outputs=outputs)
    if members is not None:
        replace_members(
            session=session, team_id=flushed_id(team), user_ids=members, added_by=user_id
        )
    if user_id:  # whoever sets up a team is taken to work in it until they record elsewhere
        remember_team(session=session, user_id=user_id, team_id=flushed_id(team))
    return team
