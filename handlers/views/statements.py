"""The "You said, we did" statement as a Slack message: the digest a team's channel gets.

Slack allows 50 blocks a message and 3,000 characters a section, so items are packed into
sections theme by theme; what does not fit is counted, with the command that prints it all.
"""

from __future__ import annotations

import shlex
from typing import Any

from bot.base.text import escape_mrkdwn, preview
from bot.statements.you_said_we_did import (
    Statement,
    StatementItem,
    item_about,
    period_text,
    statement_title,
    summary_text,
)
from handlers.views.blocks import Block, context, header, section
from handlers.views.limits import MESSAGE_BLOCKS_MAX, SECTION_MAX

# Room for the header, the summary and the "and N more" line.
ITEMS_BLOCKS_MAX = MESSAGE_BLOCKS_MAX - 3
# The previews' lengths once escaped: one item and its theme's heading, whatever they
# hold, stay within a section.
SAID_MAX = 200
DID_MAX = 220


def digest_message(statement: Statement, note: str | None = None) -> dict[str, Any]:
    """chat.postMessage arguments (text, blocks) for the statement, with `note` (plain
    text) under its summary."""
    title = statement_title(statement)
    summary = f"{period_text(statement)}\n{summary_text(statement)}"
    if note:
        summary += f"\n{escape_mrkdwn(note)}"
    blocks = [header(title), section(summary)]
    sections, hidden = _item_sections(statement)
    blocks += sections
    if hidden:
        command = shlex.join([
            "engagebot", "publish", "you-said-we-did", "--team", statement.team_name,
            "--from", statement.period_from.isoformat(), "--to", statement.period_to.isoformat(),
        ])  # fmt: skip
        blocks.append(
            context(f"…and {hidden} more. For the whole statement, run `{escape_mrkdwn(command)}`.")
        )
    text = f"{title}. {period_text(statement)} {summary_text(statement)}"
    return {"text": escape_mrkdwn(text), "blocks": blocks}


def _item_sections(statement: Statement) -> tuple[list[Block], int]:
    """Sections listing the items theme by theme, at most ITEMS_BLOCKS_MAX of them, and how
    many listings did not fit."""
    texts: list[str] = []
    current = ""
    listings = [
        (group, index, item) for group in statement.themes for index, item in enumerate(group.items)
    ]
    for shown, (group, index, item) in enumerate(listings):
        theme = f"*{escape_mrkdwn(group.theme)}*"
        heading = f"{theme} ({len(group.items)})" if index == 0 else f"{theme} (continued)"
        line = _item_text(item)
        addition = f"\n\n{heading}\n{line}" if index == 0 else f"\n{line}"
        if current and len(current) + len(addition) <= SECTION_MAX:
            current += addition
            continue
        if current:
            if len(texts) + 1 == ITEMS_BLOCKS_MAX:
                texts.append(current)
                return [section(text) for text in texts], len(listings) - shown
            texts.append(current)
        current = f"{heading}\n{line}"
    if current:
        texts.append(current)
    return [section(text) for text in texts], 0


def _item_text(item: StatementItem) -> str:
    return (
        f"• {preview(item.said, SAID_MAX)} _({escape_mrkdwn(item_about(item))})_\n"
        f"      *{item.outcome}:* {preview(item.did, DID_MAX)}"
    )
