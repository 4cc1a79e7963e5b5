"""Deciding on feedback: the form, the list of open items, and the message to the recorder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.base.clock import local_display
from bot.base.text import LONG_TEXT_MAX, counted, escape_mrkdwn, preview
from bot.base.vocabulary import FEEDBACK_STATUSES
from handlers.views.blocks import (
    button,
    context,
    input_block,
    modal,
    option,
    options,
    section,
    static_select,
    text_input,
)
from storage.feedback import MERGED
from storage.models import Feedback, FeedbackDecision
from storage.types import flushed_id

CALLBACK_ID = "decision_form"
MERGE_CALLBACK_ID = "merge_form"
DECIDE_ACTION = "feedback_decide"
MERGE_CHOICE = "merge"  # the decision form's way to the merge form; not a status
MERGE_TARGETS_MAX = 100  # Slack's limit on a static select's options
HISTORY_SHOWN = 8  # a merged item's history comes along: room for both, within 100 blocks
LIST_LIMIT = 20  # items a list shows: two blocks each, within Slack's 50 a message


def decide_button(feedback_id: int) -> dict[str, Any]:
    return button("Decide", DECIDE_ACTION, str(feedback_id))


def status_label(status: str) -> str:
    return FEEDBACK_STATUSES.get(status, status)


def decision_modal(
    *, item: Feedback, history: Sequence[FeedbackDecision], metadata: str, timezone: ZoneInfo
) -> dict[str, Any]:
    earlier = len(history) - HISTORY_SHOWN
    blocks = [
        section(f"*Feedback #{item.id}* ({status_label(item.status)})\n>{preview(item.text)}"),
        *([context(f"{counted(earlier, 'earlier change')} not shown.")] if earlier > 0 else []),
        *[
            context(history_line(decision, item.id, timezone))
            for decision in history[-HISTORY_SHOWN:]
        ],
        input_block(
            "status",
            "New status",
            static_select(
                options(
                    [
                        *((v, label) for v, label in FEEDBACK_STATUSES.items() if v != item.status),
                        (MERGE_CHOICE, "Merge into another item…"),
                    ]
                )
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


def history_line(decision: FeedbackDecision, item_id: int | None, timezone: ZoneInfo) -> str:
    """One entry of an item's history; one of an item merged into it names that item."""
    origin = "" if decision.feedback_id == item_id else f" (#{decision.feedback_id})"
    if decision.to_status in (decision.from_status, MERGED):  # a merge: its note says it all
        what = preview(decision.note or "", 150)
    else:
        what = f"{status_label(decision.from_status)} → {status_label(decision.to_status)}" + (
            f": {preview(decision.note, 150)}" if decision.note else ""
        )
    return f"{local_display(decision.decided_at, timezone)}{origin}: {what}"


def merge_modal(
    *, item: Feedback, targets: Sequence[Feedback], more: bool, metadata: str
) -> dict[str, Any]:
    """Choosing the item that `item` is merged into, among its team's open `targets`."""
    blocks = [
        section(
            f"*Merge feedback #{item.id}* into another item of {escape_mrkdwn(item.team.name)}:"
            f"\n>{preview(item.text)}"
        ),
        input_block(
            "into",
            "Merge it into",
            static_select(
                [option(f"#{t.id} {' '.join(t.text.split())}", str(t.id)) for t in targets],
                placeholder="Choose the item to keep",
            ),
            hint=(
                f"#{item.id} leaves every list; its history and themes go to the item kept, "
                "which carries on with its own status."
                + (
                    f" Only the oldest {len(targets)} open items are listed: "
                    f"`/engage feedback merge {item.id} into N` merges into any."
                    if more
                    else ""
                )
            ),
        ),
    ]
    return modal(
        MERGE_CALLBACK_ID, f"Merge #{item.id}", blocks, submit="Merge", private_metadata=metadata
    )


def decided_modal(*, item: Feedback) -> dict[str, Any]:
    text = (
        f":white_check_mark: Feedback *#{item.id}* for {escape_mrkdwn(item.team.name)} is now "
        f"*{status_label(item.status)}*."
    )
    return modal("decision_saved", "Decision saved", [section(text)], submit=None)


def merged_modal(*, kept: Feedback, merged: Feedback) -> dict[str, Any]:
    return modal(
        "merge_saved", "Merged", [section(merged_text(kept=kept, merged=merged))], submit=None
    )


def merged_text(*, kept: Feedback, merged: Feedback) -> str:
    """The confirmation of a merge, for the modal or the command's answer."""
    return (
        f":white_check_mark: Feedback *#{merged.id}* for {escape_mrkdwn(kept.team.name)} is "
        f"merged into *#{kept.id}* "
        f"({status_label(kept.status)}), which carries on for both:\n>{preview(kept.text)}"
    )


def merged_message(*, kept: Feedback, merged: Feedback, merger: str) -> dict[str, Any]:
    """The direct message to whoever recorded the merged item, so they can tell the user."""
    text = (
        f"<@{merger}> merged feedback *#{merged.id}* you recorded into *#{kept.id}* "
        f"({status_label(kept.status)}), which carries on for both:\n>{preview(kept.text, 2000)}"
    )
    return {
        "text": f"Feedback #{merged.id} was merged into #{kept.id}.",
        "blocks": [section(text), context(f"#{merged.id}: {preview(merged.text, 200)}")],
    }


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
                accessory=decide_button(flushed_id(item)),
            )
        )
    if total > len(items):
        blocks.append(context(f"Showing the oldest {len(items)} of {total} open items."))
    return {
        "response_type": "ephemeral",
        "text": f"Open feedback for {team_name}: {counted(total, 'item')}.",
        "blocks": blocks,
    }
