"""The team form and its confirmation."""

from __future__ import annotations

from typing import Any

from bot.base.text import NAME_MAX, escape_mrkdwn
from bot.changes.alerts import DEFAULT_LEAD_DAYS, lead_days
from bot.public.addresses import ADDRESS_HINT, ADDRESS_MAX
from bot.reviews.figures import DEFAULT_TARGET_DAYS, target_days
from bot.reviews.schedule import CADENCES as REVIEW_CADENCES
from bot.statements.you_said_we_did import CADENCES
from bot.teams.editing import (
    MEMBERS_MAX,
    NEVER,
    OUTPUT_LINE_HINT,
    REMINDERS_MAX,
    TARGET_DAYS_MAX,
    TeamDraft,
)
from handlers.views.blocks import (
    Block,
    context,
    input_block,
    modal,
    options,
    static_select,
    text_input,
    text_sections,
    typed_text_input,
)
from storage.models import ProducerTeam

CALLBACK_ID = "team_form"
ZONE_MAX = 64  # as stored
LEAD_DAYS_TEXT_MAX = 40  # as stored
CADENCE_CHOICES = {**CADENCES, NEVER: "Never (no digest)"}
REVIEW_CADENCE_CHOICES = {**REVIEW_CADENCES, NEVER: "Never (no review posts)"}
TARGET_TEXT_MAX = 10


def _channel_select(initial: str | None) -> dict[str, Any]:
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if initial:
        channel["initial_conversation"] = initial
    return channel


def _members_block(draft: TeamDraft) -> Block:
    people: dict[str, Any] = {"type": "multi_users_select", "max_selected_items": MEMBERS_MAX}
    if draft.member_ids:
        people["initial_users"] = list(draft.member_ids)
    return input_block(
        "members",
        "Members",
        people,
        hint="Members may decide on the team's feedback, announce its changes, post its "
        "review, export its records and change these settings.",
    )


def team_modal(
    *,
    metadata: str,
    draft: TeamDraft,
    default_zone: str,
    editing: bool = False,
    note: str | None = None,
    public_url: str | None = None,
) -> dict[str, Any]:
    """The form; creating a team asks only what it needs, editing it asks its settings too;
    `note` (safe mrkdwn) heads it. `public_url`: ENGAGEBOT_PUBLIC_URL."""
    blocks = [
        *([context(note)] if note else []),
        input_block("name", "Team name", typed_text_input(draft.name, limit=NAME_MAX)),
        input_block(
            "home_channel",
            "Home channel",
            _channel_select(draft.home_channel_id),
            optional=True,
            hint="Entries logged in this channel are filed under this team.",
        ),
        input_block(
            "outputs",
            "Statistical outputs and their public profile",
            text_input(draft.outputs_text, multiline=True),
            optional=True,
            hint=f"Write {OUTPUT_LINE_HINT}, e.g. 'Consumer price inflation | high'.",
        ),
    ]
    if editing:  # a new team's first member is whoever creates it
        blocks += [
            _members_block(draft),
            *_settings_blocks(draft, default_zone),
            _public_address_block(draft, public_url),
        ]
    return modal(
        CALLBACK_ID, "Edit team" if editing else "Create a team", blocks, private_metadata=metadata
    )


def _settings_blocks(draft: TeamDraft, default_zone: str) -> list[Block]:
    default_days = ", ".join(str(day) for day in DEFAULT_LEAD_DAYS)
    # A cadence is shown only with its channel: choosing a channel alone means the default.
    cadence = draft.digest_cadence if draft.digest_channel_id else None
    review_cadence = draft.review_cadence if draft.review_channel_id else None
    return [
        input_block(
            "timezone",
            "Time zone",
            text_input(draft.timezone, max_length=ZONE_MAX),
            optional=True,
            hint=f"An IANA name such as Europe/London. Blank: {default_zone}.",
        ),
        input_block(
            "alert_lead_days",
            "Reminder days before a change",
            text_input(draft.alert_lead_days, max_length=LEAD_DAYS_TEXT_MAX),
            optional=True,
            hint=(
                f"Whole days, separated by commas, at most {REMINDERS_MAX}. Blank: {default_days}."
            ),
        ),
        input_block(
            "digest_channel",
            "Post “You said, we did” to",
            _channel_select(draft.digest_channel_id),
            optional=True,
            hint="A digest of the feedback and what was done, posted at 09:00 after each period.",
        ),
        input_block(
            "digest_cadence",
            "How often",
            static_select(options(CADENCE_CHOICES.items()), cadence),
            optional=True,
            hint="Quarterly if a channel is chosen; Never turns the digest off.",
        ),
        input_block(
            "review_channel",
            "Post the engagement review to",
            _channel_select(draft.review_channel_id),
            optional=True,
            hint="The team's review, with a chart, at 09:00 on the first working day of each "
            "month (or quarter), of the month (or quarter) before.",
        ),
        input_block(
            "review_cadence",
            "How often",
            static_select(options(REVIEW_CADENCE_CHOICES.items()), review_cadence),
            optional=True,
            hint="Monthly if a channel is chosen; Never turns the review posts off.",
        ),
        *(
            input_block(
                f"target_days_{profile}",
                f"Target days between engagements: {profile}-profile outputs",
                text_input(getattr(draft, f"target_days_{profile}"), max_length=TARGET_TEXT_MAX),
                optional=True,
                hint=f"Whole days from 1 to {TARGET_DAYS_MAX}. Blank: {days}.",
            )
            for profile, days in DEFAULT_TARGET_DAYS.items()
        ),
    ]


def _public_address_block(draft: TeamDraft, public_url: str | None) -> Block:
    where = f"{public_url}<address>/" if public_url else "the public site, under its address"
    return input_block(
        "public_address",
        "Public pages address",
        text_input(draft.public_address, max_length=ADDRESS_MAX),
        optional=True,
        hint=f"Your changes, “You said, we did”, users and uses, and opportunities, for anyone "
        f"to read at {where}: {ADDRESS_HINT}. Blank: no public pages.",
    )


def public_pages_text(team: ProducerTeam, public_url: str | None) -> str:
    """Where the team's public pages are, as mrkdwn: its address under `public_url`;
    nothing when it has none."""
    if not team.public_slug:
        return ""
    if public_url:
        return f"Public pages: {public_url}{team.public_slug}/"
    return f"Public pages: at the address “{team.public_slug}” of the public site."


def team_settings_text(team: ProducerTeam, default_zone: str) -> str:
    """The team's time zone, reminder days, digest, and its review and targets when set,
    as one line of mrkdwn."""
    zone = team.timezone or f"{default_zone} (the default)"
    *most, last = (str(day) for day in lead_days(team.alert_lead_days))
    days = f"{', '.join(most)} and {last}" if most else last
    if team.digest_channel_id and team.digest_cadence:
        cadence = CADENCES.get(team.digest_cadence, team.digest_cadence).lower()
        digest = f"{cadence} in <#{team.digest_channel_id}>"
    else:
        digest = "none"
    text = (
        f"Time zone: {escape_mrkdwn(zone)}. Reminders {days} days before a change. "
        f"“You said, we did” digest: {digest}."
    )
    if team.review_channel_id and team.review_cadence:
        cadence = REVIEW_CADENCES.get(team.review_cadence, team.review_cadence).lower()
        text += f" Engagement review: {cadence} in <#{team.review_channel_id}>."
    targets = target_days(team)
    if targets != DEFAULT_TARGET_DAYS:
        text += (
            " Target days between engagements: "
            + ", ".join(f"{profile} {days}" for profile, days in targets.items())
            + "."
        )
    return text


def members_text(member_ids: list[str]) -> str:
    """The team's members as mrkdwn mentions, or that it has none yet."""
    if not member_ids:
        return "Members: none yet (a workspace admin can add them)."
    return "Members: " + ", ".join(f"<@{user_id}>" for user_id in member_ids) + "."


def team_saved_text(
    *,
    team: ProducerTeam,
    created: bool,
    default_zone: str,
    member_ids: list[str],
    public_url: str | None = None,
) -> str:
    home = f" Home channel: <#{team.home_channel_id}>." if team.home_channel_id else ""
    verb = "Created" if created else "Updated"
    outputs = len(team.outputs)
    plural = "" if outputs == 1 else "s"
    name = escape_mrkdwn(team.name)
    change = f" Change these with `/engage team {name}`." if created else ""
    return (
        f":white_check_mark: {verb} team *{name}* with {outputs} output{plural}.{home}\n"
        f"{members_text(member_ids)}\n{team_settings_text(team, default_zone)}"
        f"{' ' if team.public_slug else ''}{public_pages_text(team, public_url)}{change}"
    )


def team_saved_modal(text: str) -> dict[str, Any]:
    """What the form turns into once saved, when there is no channel to confirm in: the
    confirmation of `team_saved_text`."""
    return modal("team_saved", "Team saved", text_sections(text), submit=None)
