"""The App Home tab."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.base.clock import local_display
from bot.base.text import escape_mrkdwn, preview
from handlers.views.blocks import actions, button, confirmed, context, divider, header, section
from handlers.views.decisions import decide_button
from handlers.views.entries import DETAILS_ACTION, UNDO_ACTION
from storage.entries import RecentEntry

LOG_ACTION = "home_log_engagement"
FEEDBACK_ACTION = "home_record_feedback"


def home_view(
    *,
    entries: Sequence[RecentEntry],
    team_name: str | None,
    month_counts: tuple[int, int] | None,
    awaiting_decision: int = 0,
    timezone: ZoneInfo,
) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        header("engagebot"),
        section("Record how your team hears from the people who use its statistics."),
        actions(
            "home_buttons",
            button("Log an engagement", LOG_ACTION, style="primary"),
            button("Record feedback", FEEDBACK_ACTION),
        ),
        divider(),
    ]
    if team_name is None or month_counts is None:
        blocks.append(
            section(
                "You haven't recorded anything for a team yet. A workspace admin can create "
                "your team with `/engage team`."
            )
        )
    else:
        engagements, feedback = month_counts
        blocks.append(
            section(
                f"*{escape_mrkdwn(team_name)} this month:* {engagements} "
                f"engagement{'s' if engagements != 1 else ''}, {feedback} feedback "
                f"item{'s' if feedback != 1 else ''}."
            )
        )
        if awaiting_decision:
            blocks.append(
                context(
                    f"{awaiting_decision} feedback "
                    + ("item awaits" if awaiting_decision == 1 else "items await")
                    + " a decision: `/engage feedback list`."
                )
            )
    blocks.append(header("Your last 10 entries"))
    if not entries:
        blocks.append(section("Nothing yet. Try `/engage log Met the ONS user group`."))
    for entry in entries:
        label = "Engagement" if entry.kind == "engagement" else "Feedback"
        text = f"*{label} #{entry.id}* ({entry.day})\n{preview(entry.text, 200)}"
        blocks.append(section(text, decide_button(entry.id) if entry.kind == "feedback" else None))
        blocks.append(context(f"Recorded {local_display(entry.created_at, timezone)}"))
        blocks.append(entry_buttons(entry.kind, entry.id, label))
    return {"type": "home", "blocks": blocks}


def entry_buttons(kind: str, record_id: int, label: str) -> dict[str, Any]:
    """Edit and Undo, as on the entry's confirmation (the same listeners), Undo asking first."""
    value = f"{kind}:{record_id}"
    undo = confirmed(
        button("Undo", UNDO_ACTION, value, style="danger"),
        f"Delete {label.lower()} #{record_id}?",
        "It goes from every list, count and export. This cannot be undone.",
        "Delete",
    )
    return actions(f"home_{kind}_{record_id}", button("Edit", DETAILS_ACTION, value), undo)


def home_problem_view(text: str) -> dict[str, Any]:
    return {"type": "home", "blocks": [header("engagebot"), section(f":warning: {text}")]}
