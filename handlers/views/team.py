"""The team form and its confirmation."""

from __future__ import annotations

from typing import Any

from bot.teams import OUTPUT_LINE_HINT, format_outputs
from bot.text import NAME_MAX, escape_mrkdwn
from handlers.views.blocks import input_block, modal, text_input

CALLBACK_ID = "team_form"


def team_modal(
    *,
    metadata: str,
    name: str = "",
    home_channel_id: str | None = None,
    outputs: str = "",
    editing: bool = False,
) -> dict[str, Any]:
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if home_channel_id:
        channel["initial_conversation"] = home_channel_id
    blocks = [
        input_block("name", "Team name", text_input(name, max_length=NAME_MAX)),
        input_block(
            "home_channel",
            "Home channel",
            channel,
            optional=True,
            hint="Entries logged in this channel are filed under this team.",
        ),
        input_block(
            "outputs",
            "Statistical outputs and their public profile",
            text_input(outputs, multiline=True),
            optional=True,
            hint=f"Write {OUTPUT_LINE_HINT}, e.g. 'Consumer price inflation | high'.",
        ),
    ]
    return modal(
        CALLBACK_ID, "Edit team" if editing else "Create a team", blocks, private_metadata=metadata
    )


def edit_team_modal(team: Any, metadata: str) -> dict[str, Any]:
    return team_modal(
        metadata=metadata,
        name=team.name,
        home_channel_id=team.home_channel_id,
        outputs=format_outputs(team),
        editing=True,
    )


def team_saved_text(*, name: str, created: bool, outputs: int, home_channel_id: str | None) -> str:
    home = f" Home channel: <#{home_channel_id}>." if home_channel_id else ""
    verb = "Created" if created else "Updated"
    plural = "" if outputs == 1 else "s"
    name = escape_mrkdwn(name)
    return f":white_check_mark: {verb} team *{name}* with {outputs} output{plural}.{home}"
