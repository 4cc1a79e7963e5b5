"""Deciding on feedback: the form, the list of open items, and the message to the recorder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import local_display
from bot.text import LONG_TEXT_MAX, escape_mrkdwn, preview
from bot.vocabulary import FEEDBACK_STATUSES
from handlers.views.blocks import (
    button,
    context,
    input_block,
    modal,
    options,
    section,
    static_select,
    text_input,
)
from storage.models import Feedback, FeedbackDecision

CALLBACK_ID = "decision_form"
DECIDE_ACTION = "feedback_decide"
LIST_LIMIT = 20  # items a list shows: two blocks each, within Slack's 50 a message


def decide_button(feedback_id: int) -> dict[str, Any]:
    return button("Decide", DECIDE_ACTION, str(feedback_id))


def status_label(status: str) -> str:
    return FEEDBACK_STATUSES.get(status, status)


def decision_modal(
    *, item: Feedback, history: Sequence[FeedbackDecision], metadata: str, timezone: ZoneInfo
) -> dict[str, Any]:
    blocks = [
        section(f"*Feedback #{item.id}* ({status_label(item.status)})\n>{preview(item.text)}"),
        *[
            context(
                f"{local_display(decision.decided_at, timezone)}: "
                f"{status_label(decision.from_status)} → {status_label(decision.to_status)}"
                + (f": {preview(decision.note, 150)}" if decision.note else "")
            )
            for decision in history[-5:]
        ],
        input_block(
            "status",
            "New status",
            static_select(
                options((v, label) for v, label in FEEDBACK_STATUSES.items() if v != item.status)
            ),
        ),
        input_block(
            "note",
            "Public note",
            text_input(multiline=True, max_length=LONG_TEXT_MAX),
            optional=True,
            hint="Users are told this. Required for Done (what changed) and Not planned (why).",
        ),
    ]
    return modal(CALLBACK_ID, f"Decide on #{item.id}", blocks, private_metadata=metadata)


def decided_modal(*, item: Feedback) -> dict[str, Any]:
    text = f":white_check_mark: Feedback *#{item.id}* is now *{status_label(item.status)}*."
    return modal("decision_saved", "Decision saved", [section(text)], submit=None)


def decision_message(*, item: Feedback, decision: FeedbackDecision, decider: str) -> dict[str, Any]:
    """The direct message to whoever recorded the item, so they can tell the user."""
    note = f"\n*Note for the user:*\n>{preview(decision.note, 2000)}" if decision.note else ""
    text = (
        f"<@{decider}> moved feedback *#{item.id}* you recorded from "
        f"{status_label(decision.from_status)} to *{status_label(decision.to_status)}*."
    )
    return {
        "text": f"Feedback #{item.id} is now {status_label(decision.to_status)}.",
        "blocks": [section(text + note), context(f">{preview(item.text, 200)}")],
    }


def open_feedback_message(
    *, team_name: str, items: Sequence[Feedback], total: int
) -> dict[str, Any]:
    """The oldest open `items` (at most LIST_LIMIT) of the team's `total`."""
    if not items:
        text = f"{escape_mrkdwn(team_name)} has no open feedback: every item is decided."
        return {"response_type": "ephemeral", "text": text, "blocks": [section(text)]}
    blocks: list[dict[str, Any]] = [
        section(f"*Open feedback for {escape_mrkdwn(team_name)}*, oldest first:")
    ]
    for item in items:
        blocks.append(
            section(
                f"*#{item.id}* received {item.received_on:%d %b %Y} · "
                f"{status_label(item.status)}\n{preview(item.text, 200)}",
                accessory=decide_button(item.id),  # type: ignore[arg-type]
            )
        )
    if total > len(items):
        blocks.append(context(f"Showing the oldest {len(items)} of {total} open items."))
    return {
        "response_type": "ephemeral",
        "text": f"Open feedback for {team_name}: {total} item(s).",
        "blocks": blocks,
    }
