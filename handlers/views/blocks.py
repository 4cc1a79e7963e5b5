"""Small builders for Block Kit elements, so views read as a list of fields."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from bot.base.text import shortened
from handlers.views.limits import (
    HEADER_MAX,
    INPUT_MAX,
    MESSAGE_BLOCKS_MAX,
    OPTION_TEXT_MAX,
    SECTION_MAX,
    TITLE_MAX,
)

Block = dict[str, Any]


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def option(label: str, value: str) -> dict[str, Any]:
    if len(label) > OPTION_TEXT_MAX:
        label = label[: OPTION_TEXT_MAX - 1] + "…"
    return {"text": plain(label), "value": value}


def options(pairs: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """Options from (value, label) pairs."""
    return [option(label, value) for value, label in pairs]


def section(mrkdwn: str, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text[:HEADER_MAX])}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn}]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id}
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    return element


def confirmed(element: dict[str, Any], title: str, text: str, yes: str) -> dict[str, Any]:
    """`element` asking "Are you sure?" (Slack's confirm dialog) before it acts."""
    dialog = {
        "title": plain(title),
        "text": plain(text),
        "confirm": plain(yes),
        "deny": plain("Cancel"),
    }
    return {**element, "confirm": {**dialog, "style": "danger"}}


def actions(block_id: str, *elements: dict[str, Any]) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def input_block(
    field: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    """An input whose block_id and action_id are both `field`, as the forms module reads."""
    element = {**element, "action_id": field}
    block: Block = {
        "type": "input",
        "block_id": field,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def text_input(
    initial: str | None = None, *, multiline: bool = False, max_length: int = 3000
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        if len(initial) > max_length:  # Slack refuses the view; callers shorten, and say so
            raise ValueError(f"initial value of {len(initial)} characters over {max_length}")
        element["initial_value"] = initial
    return element


def typed_text_input(typed: str | None, *, limit: int, multiline: bool = False) -> dict[str, Any]:
    """A text input holding what a person typed, even over `limit` (up to Slack's 3,000
    characters): widened to hold it, so they can shorten it there; saving checks `limit`."""
    room = max(limit, min(len(typed or ""), INPUT_MAX))
    return text_input(typed, multiline=multiline, max_length=room)


def date_picker(initial: date) -> dict[str, Any]:
    return {"type": "datepicker", "initial_date": initial.isoformat()}


def number_input(initial: int | None, *, minimum: int = 0) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "number_input",
        "is_decimal_allowed": False,
        "min_value": str(minimum),
    }
    if initial is not None:
        element["initial_value"] = str(initial)
    return element


def static_select(
    choices: Sequence[dict[str, Any]], initial: str | None = None, placeholder: str = "Choose"
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "placeholder": plain(placeholder),
        "options": list(choices),
    }
    chosen = [choice for choice in choices if choice["value"] == initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def multi_static_select(
    choices: Sequence[dict[str, Any]], initial: Iterable[str] = (), placeholder: str = "Choose"
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "multi_static_select",
        "placeholder": plain(placeholder),
        "options": list(choices),
    }
    wanted = set(initial)
    chosen = [choice for choice in choices if choice["value"] in wanted]
    if chosen:
        element["initial_options"] = chosen
    return element


def external_select(
    initial: dict[str, Any] | None = None, *, placeholder: str = "Type to search"
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "external_select",
        "placeholder": plain(placeholder),
        "min_query_length": 0,
    }
    if initial:
        element["initial_option"] = initial
    return element


def multi_external_select(
    initial: Sequence[dict[str, Any]] = (), *, placeholder: str = "Type to search"
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "multi_external_select",
        "placeholder": plain(placeholder),
        "min_query_length": 0,
    }
    if initial:
        element["initial_options"] = list(initial)
    return element


def checkbox(label: str, value: str, checked: bool) -> dict[str, Any]:
    choice = option(label, value)
    element: dict[str, Any] = {"type": "checkboxes", "options": [choice]}
    if checked:
        element["initial_options"] = [choice]
    return element


def modal(
    callback_id: str,
    title: str,
    blocks: list[Block],
    *,
    submit: str | None = "Save",
    private_metadata: str = "",
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title[:TITLE_MAX]),
        "close": plain("Cancel" if submit else "Close"),
        "blocks": blocks,
        "private_metadata": private_metadata,
    }
    if submit:
        view["submit"] = plain(submit)
    return view


def packed_sections(lines: Sequence[str], room: int, more: Callable[[int], str]) -> list[Block]:
    """`lines` (mrkdwn) in as few sections as hold them, a line cut to fit one if it must;
    in at most `room` blocks: when they need more, the last is a context counting the lines
    left out, `more(count)` ("…and 12 more: ..."), which should say where to see them."""
    texts: list[str] = []
    held: list[int] = []  # how many lines each section holds
    for line in lines:
        fitting = shortened(line, SECTION_MAX)
        if texts and len(texts[-1]) + 1 + len(fitting) <= SECTION_MAX:
            texts[-1] += "\n" + fitting
            held[-1] += 1
        else:
            texts.append(fitting)
            held.append(1)
    if len(texts) <= room:
        return [section(text) for text in texts]
    shown = room - 1
    left_out = len(lines) - sum(held[:shown])
    return [*(section(text) for text in texts[:shown]), context(more(left_out))]


def text_sections(mrkdwn: str) -> list[Block]:
    """`mrkdwn` in one section, or in several split between its lines when it is longer
    than one holds (a confirmation naming many people, a long name)."""
    lines = mrkdwn.split("\n")
    return packed_sections(lines, MESSAGE_BLOCKS_MAX, lambda count: f"…and {count} more lines.")


def names_in_lines(names: Sequence[str], per_line: int = 10) -> list[str]:
    """Names (mentions of people or channels) a few to a line, for `packed_sections`: a
    long list stays readable, and is cut between names."""
    return [", ".join(names[start : start + per_line]) for start in range(0, len(names), per_line)]


def typed_text_blocks(typed: str, room: int) -> list[Block]:
    """What a person typed, whole, in at most `room` blocks: plain-text sections (shown as
    typed, nothing read as a mention or a link, easy to copy) within Slack's 3,000
    characters each, split at a line break or a space where there is one."""
    pieces: list[str] = []
    rest = typed
    while rest:
        cut = len(rest) if len(rest) <= SECTION_MAX else _last_break(rest[:SECTION_MAX])
        pieces.append(rest[:cut])
        rest = rest[cut:]
    blocks = [
        {"type": "section", "text": {"type": "plain_text", "text": piece, "emoji": False}}
        for piece in pieces
    ]
    if len(blocks) <= room:
        return blocks
    left_out = sum(len(piece) for piece in pieces[room - 1 :])
    return [*blocks[: room - 1], context(f"…and {left_out:,} more characters, too many for Slack.")]


def _last_break(text: str) -> int:
    """Where to end a piece of `text`: after its last line break, else its last space (in
    the second half, so pieces stay long), else at its end."""
    for separator in ("\n", " "):
        at = text.rfind(separator)
        if at >= len(text) // 2:
            return at + 1
    return len(text)
