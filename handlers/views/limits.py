"""Slack's limits on a message, a view and an options menu, and the one check against them.

Slack refuses a whole message or view when any part of it is over a limit (the person then
sees an error, though the work behind it was done), and counts the characters as sent: an
escaped `&` is five (`&amp;`). Every builder keeps within these; `problems` says where one
does not (the property tests in tests/properties/test_views_within_limits.py run every
builder through it, and the fuzzer every reply). The figures are Slack's Block Kit
reference's (docs.slack.dev/reference/block-kit).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100  # a modal's or the Home tab's
MESSAGE_TEXT_MAX = 40_000  # a message's own text (Slack answers msg_too_long past it)
SECTION_MAX = 3000  # a section's text
FIELD_MAX = 2000  # each of a section's fields
FIELDS_MAX = 10
CONTEXT_MAX = 2000  # each text of a context block
CONTEXT_ELEMENTS_MAX = 10
HEADER_MAX = 150
ACTIONS_MAX = 25  # elements of an actions block
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
URL_MAX = 3000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTIONS_MAX = 100  # of a select menu, or an options answer
CHECKBOXES_MAX = 10
PLACEHOLDER_MAX = 150
LABEL_MAX = 2000  # an input's label, and its hint
INPUT_MAX = 3000  # what a plain_text_input holds
TITLE_MAX = 24  # a modal's title, and its submit and close buttons
PRIVATE_METADATA_MAX = 3000
ID_MAX = 255  # a block_id, an action_id or a callback_id
ALT_TEXT_MAX = 2000  # an image's, and its title

VIEW_TYPES = ("modal", "home")
_SELECTS = ("static_select", "multi_static_select", "external_select", "multi_external_select")


def problems(surface: Mapping[str, Any]) -> list[str]:
    """What Slack would refuse in `surface`: a view (modal or Home tab), a form's answer
    (`response_action`), an options menu's answer, or a message; empty when all is well."""
    if "response_action" in surface:
        view = surface.get("view")
        return problems(view) if isinstance(view, Mapping) else []
    if surface.get("type") in VIEW_TYPES:
        return list(_view(surface))
    if "options" in surface and "blocks" not in surface:
        return list(_options(surface["options"], "options", OPTIONS_MAX))
    return list(_message(surface))


def _message(message: Mapping[str, Any]) -> Iterator[str]:
    blocks = message.get("blocks") or []
    text = message.get("text") or ""
    if not blocks and not text:
        yield "a message with neither text nor blocks"
    yield from _length("text", text, MESSAGE_TEXT_MAX, minimum=0)
    yield from _blocks(blocks, MESSAGE_BLOCKS_MAX)


def _view(view: Mapping[str, Any]) -> Iterator[str]:
    blocks = view.get("blocks") or []
    yield from _blocks(blocks, VIEW_BLOCKS_MAX)
    yield from _length("private_metadata", view.get("private_metadata"), PRIVATE_METADATA_MAX, 0)
    yield from _length("callback_id", view.get("callback_id"), ID_MAX, minimum=0)
    if view.get("type") != "modal":
        return
    yield from _text("title", view.get("title"), TITLE_MAX)
    for button in ("submit", "close"):
        if button in view:
            yield from _text(button, view[button], TITLE_MAX)
    if "submit" not in view and any(block.get("type") == "input" for block in blocks):
        yield "a modal with inputs but no submit button"


def _blocks(blocks: Sequence[Mapping[str, Any]], most: int) -> Iterator[str]:
    if len(blocks) > most:
        yield f"{len(blocks)} blocks, over {most}"
    seen: set[str] = set()
    for number, block in enumerate(blocks):
        where = f"block {number} ({block.get('type')})"
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in seen:
                yield f"{where}: block_id {block_id!r} used twice"
            seen.add(block_id)
            yield from _length(f"{where} block_id", block_id, ID_MAX)
        yield from _block(where, block)


def _block(where: str, block: Mapping[str, Any]) -> Iterator[str]:
    kind = block.get("type")
    if kind == "section":
        if "text" in block:
            yield from _text(f"{where} text", block["text"], SECTION_MAX)
        fields = block.get("fields") or []
        if not fields and "text" not in block:
            yield f"{where}: neither text nor fields"
        if len(fields) > FIELDS_MAX:
            yield f"{where}: {len(fields)} fields, over {FIELDS_MAX}"
        for field in fields:
            yield from _text(f"{where} field", field, FIELD_MAX)
        if "accessory" in block:
            yield from _element(f"{where} accessory", block["accessory"])
    elif kind == "header":
        yield from _text(f"{where} text", block.get("text"), HEADER_MAX)
    elif kind == "context":
        elements = block.get("elements") or []
        if not 0 < len(elements) <= CONTEXT_ELEMENTS_MAX:
            yield f"{where}: {len(elements)} elements, not 1 to {CONTEXT_ELEMENTS_MAX}"
        for element in elements:
            if element.get("type") != "image":
                yield from _text(f"{where} element", element, CONTEXT_MAX)
    elif kind == "actions":
        yield from _actions(where, block.get("elements") or [])
    elif kind == "input":
        yield from _text(f"{where} label", block.get("label"), LABEL_MAX)
        if "hint" in block:
            yield from _text(f"{where} hint", block["hint"], LABEL_MAX)
        yield from _element(f"{where} element", block.get("element") or {})
    elif kind == "image":
        yield from _length(f"{where} alt_text", block.get("alt_text"), ALT_TEXT_MAX)
        if "title" in block:
            yield from _text(f"{where} title", block["title"], ALT_TEXT_MAX)
    elif kind != "divider":
        yield f"{where}: a block of a type these checks do not know"


def _actions(where: str, elements: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    if not 0 < len(elements) <= ACTIONS_MAX:
        yield f"{where}: {len(elements)} elements, not 1 to {ACTIONS_MAX}"
    action_ids = [element.get("action_id") for element in elements if element.get("action_id")]
    if len(set(action_ids)) != len(action_ids):
        yield f"{where}: an action_id used twice"
    for element in elements:
        yield from _element(f"{where} element", element)


def _element(where: str, element: Mapping[str, Any]) -> Iterator[str]:
    kind = str(element.get("type"))
    where = f"{where} ({kind})"
    yield from _length(f"{where} action_id", element.get("action_id"), ID_MAX)
    if "placeholder" in element:
        yield from _text(f"{where} placeholder", element["placeholder"], PLACEHOLDER_MAX)
    if kind == "button":
        yield from _text(f"{where} text", element.get("text"), BUTTON_TEXT_MAX)
        yield from _length(f"{where} value", element.get("value"), BUTTON_VALUE_MAX, 0)
        yield from _length(f"{where} url", element.get("url"), URL_MAX)
    elif kind == "plain_text_input":
        room = element.get("max_length", INPUT_MAX)
        if room > INPUT_MAX:
            yield f"{where}: max_length {room}, over {INPUT_MAX}"
        yield from _length(f"{where} initial_value", element.get("initial_value"), room)
    elif kind in _SELECTS or kind == "checkboxes":
        yield from _choices(where, element, CHECKBOXES_MAX if kind == "checkboxes" else OPTIONS_MAX)


def _choices(where: str, element: Mapping[str, Any], most: int) -> Iterator[str]:
    offered = element.get("options")
    if offered is not None:
        yield from _options(offered, where, most)
    initial = list(element.get("initial_options") or [])
    if element.get("initial_option"):
        initial.append(element["initial_option"])
    yield from _options(initial, f"{where} initial", most)
    if offered is not None and any(option not in offered for option in initial):
        yield f"{where}: an initial option it does not offer"


def _options(options: Sequence[Mapping[str, Any]], where: str, most: int) -> Iterator[str]:
    if len(options) > most:
        yield f"{where}: {len(options)} options, over {most}"
    for option in options:
        yield from _text(f"{where} option text", option.get("text"), OPTION_TEXT_MAX)
        yield from _length(f"{where} option value", option.get("value"), OPTION_VALUE_MAX)


def _text(where: str, text: Any, most: int) -> Iterator[str]:
    """A text object: plain_text or mrkdwn, of 1 to `most` characters."""
    if not isinstance(text, Mapping) or text.get("type") not in ("plain_text", "mrkdwn"):
        yield f"{where}: not a text object: {text!r:.80}"
        return
    yield from _length(where, text.get("text"), most)


def _length(where: str, value: Any, most: int, minimum: int = 1) -> Iterator[str]:
    """A string of `minimum` to `most` characters (None: absent, which is allowed)."""
    if value is None:
        return
    if not isinstance(value, str):
        yield f"{where}: not a string: {value!r:.80}"
    elif not minimum <= len(value) <= most:
        yield f"{where}: {len(value):,} characters, not {minimum} to {most:,}"
