"""The `/engage help` message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.base.text import escape_mrkdwn, preview
from handlers.views.blocks import context, section

if TYPE_CHECKING:
    from handlers.engage import Subcommand


def help_message(subcommands: Sequence[Subcommand], unknown: str | None = None) -> dict[str, Any]:
    lines = [
        f"*/engage {sub.name}*: {sub.summary}\n" + "\n".join(f"`{ex}`" for ex in sub.examples)
        for sub in subcommands
    ]
    blocks = []
    if unknown is not None:
        blocks.append(
            section(
                f":warning: Unknown subcommand `{escape_mrkdwn(unknown[:50])}`. "
                "Here is what I know:"
            )
        )
    blocks.append(
        section("*engagebot* records how your team engages with users of your statistics.")
    )
    blocks.extend(section(line) for line in lines)
    blocks.append(
        context(
            "Shortcuts: *Log an engagement* (global) and *Record as feedback* (on any message)."
        )
    )
    prefix = f"Unknown subcommand '{escape_mrkdwn(unknown[:50])}'. " if unknown is not None else ""
    return {
        "response_type": "ephemeral",
        "text": prefix + "engagebot help: " + ", ".join(f"/engage {s.name}" for s in subcommands),
        "blocks": blocks,
    }


def not_a_command_message(typed: str, usage: str) -> dict[str, Any]:
    """The answer to `typed` (the whole `/engage ...`), which reads as a command but is none:
    nothing is recorded, and `usage` (safe mrkdwn) says what the subcommand takes."""
    text = (
        f":warning: Nothing was recorded: `{preview(typed, 120)}` is not a command engagebot "
        f"knows. {usage}"
    )
    return {"response_type": "ephemeral", "text": text, "blocks": [section(text)]}
