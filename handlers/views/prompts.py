"""The prompt to engage about an output overdue for engagement, and how it reads once
snoozed."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.base.text import escape_mrkdwn
from bot.engagements.prompts import SNOOZE_DAYS, OverduePrompt
from bot.statements.you_said_we_did import long_date
from handlers.views.blocks import actions, button, context, section

LOG_ACTION = "overdue_log_engagement"
SNOOZE_ACTION = "overdue_snooze"
ACTIONS_BLOCK = "overdue_actions"


def prompt_message(prompt: OverduePrompt) -> dict[str, Any]:
    """chat.postMessage arguments for the prompt."""
    output = prompt.output
    name = escape_mrkdwn(output.name)
    if prompt.last_engaged is None or prompt.days_since is None:
        since = "has had no engagement logged yet"
    else:
        since = (
            f"has had no engagement for {prompt.days_since} days "
            f"(the last on {long_date(prompt.last_engaged)})"
        )
    lead = (
        f":hourglass_flowing_sand: *{name}* {since}: the target for a {output.profile}-profile "
        f"output is {prompt.target_days} days."
    )
    missing = prompt.segments_not_heard
    heard = (
        "Every audience segment was heard from about it in the last 12 months."
        if not missing
        else "Not heard from about it in the last 12 months: "
        + ", ".join(escape_mrkdwn(segment) for segment in missing)
        + "."
    )
    value = str(output.id)
    return {
        "text": escape_mrkdwn(f"{output.name} is overdue for engagement."),
        "blocks": [
            section(f"{lead}\n{heard}"),
            context(
                f"{escape_mrkdwn(output.team.name)} · Snooze holds prompts about this output "
                f"back for {SNOOZE_DAYS} days."
            ),
            actions(
                ACTIONS_BLOCK,
                button("Log an engagement", LOG_ACTION, value, "primary"),
                button(f"Snooze {SNOOZE_DAYS} days", SNOOZE_ACTION, value),
            ),
        ],
    }


def snoozed_note(*, output_name: str, user_id: str, until: date) -> str:
    return (
        f"Snoozed by <@{user_id}> until {long_date(until)}: no prompt about "
        f"{escape_mrkdwn(output_name)} before then."
    )


def snoozed_message(prompt: dict[str, Any], note: str) -> dict[str, Any]:
    """The prompt as posted (its text and blocks), its buttons replaced by `note`."""
    kept = [block for block in prompt.get("blocks", []) if block.get("type") != "actions"]
    # A message always has its text (for notifications and screen readers).
    return {"text": prompt.get("text") or note, "blocks": [*kept, context(note)]}
