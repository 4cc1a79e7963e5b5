"""The answers to `/engage organisation`: an organisation's audience segment in the
register, and what setting it did."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.base.text import escape_mrkdwn, preview
from bot.base.vocabulary import segment_label
from bot.users.organisations import SEPARATOR, RegisterEntry, SegmentSet
from handlers.views.blocks import Block, context
from handlers.views.entries import notice_message

REASON_SHOWN_MAX = 2000  # it quotes what was typed: kept well within a section's 3000
NOTES_SHOWN = 5  # organisations told of below a confirmation, well within 50 blocks
EXAMPLE = "/engage organisation Bank of England: central government"


def segment_notes(entries: Sequence[RegisterEntry], label: str) -> list[Block]:
    """Below a saved record (`label`: "Engagement"), for each organisation it named that had
    no audience segment in the register: the one it took from the record and why, or that
    it still has none; and how to set it. A context block each (a name, escaped, can take
    750 characters of one block's 3000)."""
    record = f"this {label.lower()}"
    notes = []
    for entry in entries[:NOTES_SHOWN]:
        name, command = f"*{_name(entry.name)}*", f"`{_command(entry.name)}<segment>`"
        if entry.segment is None:
            notes.append(
                f"{name} has no audience segment recorded, as {record} does not name exactly "
                f"one. Set it: {command}"
            )
        else:
            segment = escape_mrkdwn(segment_label(entry.segment))
            notes.append(
                f"{name} is now recorded as {segment}, {record}'s only audience segment. "
                f"If it is not, change it: {command}"
            )
    if len(entries) > NOTES_SHOWN:
        notes.append(f"…and {len(entries) - NOTES_SHOWN} more: `/engage organisation` and a name.")
    return [context(note) for note in notes]


def usage_message(segments: list[str]) -> dict[str, Any]:
    return notice_message(
        "Each organisation has its own audience segment: published statements list it, and "
        "what it uses the statistics for, under that segment. "
        f"`/engage organisation Bank of England` shows it; `{EXAMPLE}` sets it (team members "
        "and workspace admins). The audience segments are: "
        + ", ".join(escape_mrkdwn(segment) for segment in segments)
        + "."
    )


def entry_message(entry: RegisterEntry) -> dict[str, Any]:
    name = _name(entry.name)
    if entry.segment is None:
        return notice_message(
            f"*{name}* has no audience segment recorded: published statements list it under "
            f"“Segment not recorded”. Set it with `{_command(entry.name)}<segment>`."
        )
    return notice_message(
        f"*{name}*: {escape_mrkdwn(segment_label(entry.segment))}. "
        f"Change it with `{_command(entry.name)}<segment>`."
    )


def set_message(done: SegmentSet) -> dict[str, Any]:
    name, segment = _name(done.entry.name), escape_mrkdwn(segment_label(done.entry.segment or ""))
    if done.before == done.entry.segment:
        return notice_message(f"*{name}* is already {segment}. Nothing was changed.")
    before = (
        f"it was {escape_mrkdwn(segment_label(done.before))}"
        if done.before
        else "it had none recorded"
    )
    return notice_message(
        f":white_check_mark: *{name}* is now {segment} ({before}): published statements "
        "list it there from now on."
    )


def refused_message(reason: str) -> dict[str, Any]:
    return notice_message(f":warning: {preview(reason, REASON_SHOWN_MAX)}")  # escaped


def _name(name: str) -> str:
    return escape_mrkdwn(name)


def _command(name: str) -> str:
    # Inside a code span: only &, < and > need escaping for Slack.
    return f"/engage organisation {escape_mrkdwn(name)}{SEPARATOR} "
