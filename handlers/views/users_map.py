"""The users map as an ephemeral Slack message.

Slack has no table block, and a grid of nine segments by many outputs does not fit a
phone's width; so each output is a section listing every segment in taxonomy order (the
same rows each time, so outputs compare down the page), with its last engagement and count,
or :x: never. Slack allows 50 blocks and 3,000 characters a section: outputs that do not fit
are counted, with the command that exports the whole map.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any

from bot.base.text import counted, escape_mrkdwn
from bot.base.vocabulary import segment_label
from bot.users.map import Column, UsersMap, short_date
from handlers.views.blocks import Block, context, header, section
from handlers.views.limits import MESSAGE_BLOCKS_MAX, SECTION_MAX
from storage.users_map import OrganisationTally, Tally

ORGANISATIONS_SHOWN = 20
NEVER = ":x: never"


def users_map_message(users_map: UsersMap) -> dict[str, Any]:
    """The ephemeral answer to `/engage users`."""
    title = f"Users map: {users_map.team_name}"
    if users_map.output_name:
        title += f", {users_map.output_name}"
    fixed = [header(title), section(_intro(users_map))]
    if users_map.output_name is None:
        fixed += [section(text) for text in _packed("*All engagements*", _rows(users_map, None))]
    organisations, organisations_hidden = _organisations(users_map.organisations)
    # Room for the organisations and the closing line.
    room = MESSAGE_BLOCKS_MAX - len(fixed) - 2
    outputs: list[Block] = []
    hidden = 0
    for column in users_map.outputs:
        texts = _packed(_output_heading(column), _rows(users_map, column))
        if hidden or len(outputs) + len(texts) > room:
            hidden += 1
            continue
        outputs += [section(text) for text in texts]
    closing = _closing(users_map, hidden, organisations_hidden)
    blocks = [*fixed, *outputs, section(organisations), closing]
    return {"response_type": "ephemeral", "text": escape_mrkdwn(title), "blocks": blocks}


def _intro(users_map: UsersMap) -> str:
    text = (
        "Engagements with each audience segment, over all time: the last one and how many. "
        f"{NEVER} marks a gap."
    )
    if users_map.output_name is None and not users_map.outputs:
        text += (
            f"\n{escape_mrkdwn(users_map.team_name)} has no outputs yet: add them with "
            f"`/engage team {escape_mrkdwn(users_map.team_name)}`."
        )
    count = counted(users_map.engagements, "engagement")
    text += f"\n{count} in all"
    if users_map.without_segment:
        verb = "names" if users_map.without_segment == 1 else "name"
        text += f"; {users_map.without_segment} {verb} no audience segment"
    return text + "."


def _output_heading(column: Column) -> str:
    return f"*{escape_mrkdwn(column.name)}* ({column.profile} profile)"


def _rows(users_map: UsersMap, column: Column | None) -> list[str]:
    """One line per segment: the output's cells, or with no column the segment totals."""
    tallies = [
        users_map.cell(segment, column.name) if column else users_map.segment_totals.get(segment)
        for segment in users_map.segments
    ]
    if column is not None and not any(tallies):
        return [f"{NEVER}: no engagement names this output."]
    return [
        f"• {escape_mrkdwn(segment_label(segment))}: {_tally(tally)}"
        for segment, tally in zip(users_map.segments, tallies, strict=True)
    ]


def _tally(tally: Tally | None) -> str:
    return f"last {short_date(tally.last)} ({tally.count})" if tally else NEVER


def _packed(heading: str, lines: Sequence[str]) -> list[str]:
    """`heading` and `lines` in as few sections as fit Slack's limit."""
    texts: list[str] = []
    current = heading
    for line in lines:
        if len(current) + 1 + len(line) > SECTION_MAX:
            texts.append(current)
            current = f"{heading} (continued)"
        current += f"\n{line}"
    return [*texts, current]


def _organisations(organisations: Sequence[OrganisationTally]) -> tuple[str, int]:
    """The organisations section, as many as fit, and how many did not."""
    text = "*Organisations, by last contact*"
    if not organisations:
        return text + "\nNone recorded yet.", 0
    for shown, organisation in enumerate(organisations):
        parts = []
        if organisation.engagements:
            parts.append(counted(organisation.engagements, "engagement"))
        if organisation.feedback:
            parts.append(counted(organisation.feedback, "feedback item"))
        line = (
            f"\n• {escape_mrkdwn(organisation.name)}: {short_date(organisation.last)} "
            f"({', '.join(parts)})"
        )
        if shown == ORGANISATIONS_SHOWN or len(text) + len(line) > SECTION_MAX:
            return text, len(organisations) - shown
        text += line
    return text, 0


def _closing(users_map: UsersMap, outputs_hidden: int, organisations_hidden: int) -> Block:
    """Where the whole map is: the export command (JSON when organisations were left out,
    as the CSV holds only the cells)."""
    command = ["engagebot", "export", "users-map", "--team", users_map.team_name]
    if users_map.output_name:
        command += ["--output", users_map.output_name]
    if organisations_hidden:
        command += ["--format", "json"]
    export = f"`{escape_mrkdwn(shlex.join(command))}`"
    hidden = [
        counted(count, noun)
        for count, noun in (
            (outputs_hidden, "more output"),
            (organisations_hidden, "more organisation"),
        )
        if count
    ]
    if not hidden:
        return context(f"As a file: {export} (add `--format json` for the organisations too).")
    return context(f"…and {' and '.join(hidden)} not shown here: {export} has them all.")
