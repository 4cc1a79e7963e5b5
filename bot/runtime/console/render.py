"""Block Kit and Slack mrkdwn shown as plain terminal text, with numbered choices for buttons."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DIVIDER = "─" * 40
# The emoji engagebot's messages use; any other stays as its :name:.
EMOJI = {
    "white_check_mark": "✓",
    "heavy_check_mark": "✓",
    "warning": "!",
    "no_entry": "⛔",
    "no_entry_sign": "🚫",
    "mega": "📣",
    "pencil2": "✏️",
    "calendar": "📅",
    "memo": "📝",
    "hourglass_flowing_sand": "⏳",
    "wave": "👋",
    "raised_hand": "✋",
    "x": "✗",
    "speech_balloon": "💬",
    "newspaper": "📰",
    "inbox_tray": "📥",
    "handshake": "🤝",
    "bulb": "💡",
}
# Select menus with options the console can offer as numbered choices; other elements
# (date pickers, user pickers…) need typing, which only modals ask for.
MENUS = ("static_select", "overflow")

_TOKEN = re.compile(r"```(.*?)```|`([^`\n]+)`|<([^<>\n]+)>", re.DOTALL)
_EMOJI = re.compile(r":([a-z0-9_+'-]+):")
_STYLES = [
    re.compile(rf"(?<![\w{m}]){re.escape(m)}(?=\S)([^{m}\n]+?)(?<=\S){re.escape(m)}(?![\w{m}])")
    for m in "*_~"
]
_SLOT = re.compile("\x00(\\d+)\x00")


@dataclass(frozen=True)
class Choice:
    """Something the person can pick by number: a button, or one option of a menu."""

    number: int
    label: str
    action: dict
    block_id: str


@dataclass
class Rendered:
    """The lines to print for a message, and the choices numbered within them."""

    text: str
    choices: list[Choice] = field(default_factory=list)


def _unescape(text: str) -> str:
    # &amp; last, so "&amp;lt;" stays the literal "&lt;" the person typed.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _token(body: str, user_names: Mapping[str, str], channel_names: Mapping[str, str]) -> str:
    target, _, label = body.partition("|")
    label = _unescape(label)
    if target.startswith("@"):
        return "@" + user_names.get(target[1:], label or target[1:])
    if target.startswith("#"):
        return "#" + channel_names.get(target[1:], label or target[1:])
    if target.startswith("!"):
        word = target[1:].split("^")[0]
        if word in ("channel", "here", "everyone"):
            return "@" + word
        return label or "@" + target[1:]
    target = _unescape(target)
    return f"{label} ({target})" if label and label != target else target


def mrkdwn_to_plain(
    text: str,
    *,
    user_names: Mapping[str, str] | None = None,
    channel_names: Mapping[str, str] | None = None,
) -> str:
    """Slack mrkdwn as plain text: styling dropped, links and mentions spelled out, unescaped."""
    users, channels = user_names or {}, channel_names or {}
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        pre, code, angle = match.groups()
        if pre is not None:
            kept.append(_unescape(pre.strip("\n")))
        elif code is not None:
            kept.append(f"`{_unescape(code)}`")
        else:
            kept.append(_token(angle, users, channels))
        return f"\x00{len(kept) - 1}\x00"

    # Links, mentions and code are set aside first so styling marks inside them survive,
    # and so text the bot escaped (&lt;!channel&gt;) is only unescaped after parsing.
    plain = _TOKEN.sub(keep, text)
    plain = _EMOJI.sub(lambda m: EMOJI.get(m[1], m[0]), plain)
    for style in _STYLES:
        plain = style.sub(r"\1", plain)
    return _SLOT.sub(lambda m: kept[int(m[1])], _unescape(plain))


def _text(obj: dict | None, **names: Any) -> str:
    """A text object's text: mrkdwn converted, plain_text as-is."""
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn_to_plain(obj.get("text", ""), **names)
    return obj.get("text", "")


def _options(element: dict) -> list[dict]:
    groups = element.get("option_groups") or []
    return list(element.get("options") or []) + [o for g in groups for o in g["options"]]


def _rich(element: dict, **names: Any) -> str:
    """Best-effort text of a rich_text element and everything inside it."""
    kind = element.get("type")
    if kind == "text":
        return element.get("text", "")
    if kind == "link":
        return element.get("text") or element.get("url", "")
    if kind == "user":
        return "@" + (names.get("user_names") or {}).get(element["user_id"], element["user_id"])
    if kind == "channel":
        channel = element["channel_id"]
        return "#" + (names.get("channel_names") or {}).get(channel, channel)
    if kind == "emoji":
        return EMOJI.get(element["name"], f":{element['name']}:")
    if kind == "broadcast":
        return "@" + element.get("range", "here")
    if kind == "rich_text_list":
        return "\n".join("• " + _rich(item, **names) for item in element.get("elements", []))
    inner = "".join(_rich(child, **names) for child in element.get("elements", []))
    return (
        "\n".join("> " + line for line in inner.split("\n")) if kind == "rich_text_quote" else inner
    )


def render_blocks(
    blocks: list[dict],
    *,
    text: str = "",
    first_number: int = 1,
    user_names: Mapping[str, str] | None = None,
    channel_names: Mapping[str, str] | None = None,
) -> Rendered:
    """A message's (or Home tab's, or modal's) blocks as plain lines with numbered choices."""
    names: dict[str, Any] = {"user_names": user_names, "channel_names": channel_names}
    if not blocks:
        return Rendered(mrkdwn_to_plain(text, **names), [])
    lines: list[str] = []
    choices: list[Choice] = []

    def offer(element: dict, block_id: str) -> None:
        kind = element.get("type")
        if kind == "button":
            label = _text(element.get("text"), **names)
            choices.append(Choice(first_number + len(choices), label, element, block_id))
            lines.append(f"[{choices[-1].number}] {label}")
        elif kind in MENUS:
            prompt = _text(element.get("placeholder"), **names) or "Select"
            for option in _options(element):
                label = _text(option.get("text"), **names)
                action = {**element, "selected_option": option}
                choices.append(Choice(first_number + len(choices), label, action, block_id))
                lines.append(f"[{choices[-1].number}] {prompt}: {label}")
        elif kind == "image":
            lines.append(f"[{element.get('alt_text', 'image')}]")
        else:
            lines.append(f"[unsupported element: {kind}]")

    for block in blocks:
        kind, block_id = block.get("type"), block.get("block_id", "")
        if kind == "header":
            title = _text(block.get("text"), **names)
            lines += [title, "═" * len(title)]
        elif kind == "section":
            if block.get("text"):
                lines.append(_text(block["text"], **names))
            for item in block.get("fields", []):
                label, _, value = _text(item, **names).partition("\n")
                lines.append(f"{label.rstrip(':')}: {value}" if value else label)
            if block.get("accessory"):
                offer(block["accessory"], block_id)
        elif kind == "context":
            parts = [
                f"[{e.get('alt_text', 'image')}]" if e.get("type") == "image" else _text(e, **names)
                for e in block.get("elements", [])
            ]
            lines.append("  " + " · ".join(parts))
        elif kind == "divider":
            lines.append(DIVIDER)
        elif kind == "actions":
            for element in block.get("elements", []):
                offer(element, block_id)
        elif kind == "image":
            lines.append(f"[{block.get('alt_text', 'image')}]")
        elif kind == "input":
            lines.append(f"{_text(block.get('label'), **names)}: …")
        elif kind == "rich_text":
            lines.append(_rich(block, **names))
        else:
            lines.append(f"[unsupported block: {kind}]")
    return Rendered("\n".join(lines), choices)


def _initial(element: dict) -> str:
    """The value an input element starts with, as text ("" when it starts empty)."""
    for key in ("initial_value", "initial_date", "initial_time", "initial_date_time"):
        if element.get(key) is not None:
            return str(element[key])
    if element.get("initial_option"):
        return _text(element["initial_option"].get("text"))
    if element.get("initial_options"):
        return ", ".join(_text(option.get("text")) for option in element["initial_options"])
    for key in ("initial_conversation", "initial_channel", "initial_user"):
        if element.get(key):
            return element[key]
    for key in ("initial_conversations", "initial_channels", "initial_users"):
        if element.get(key):
            return ", ".join(element[key])
    return ""


def describe_input(block: dict, shown_value: str | None = None) -> str:
    """One line describing a modal's input block: label, (optional), hint, [current value].

    `shown_value` replaces the element's initial value (an answer given since).
    """
    parts = [_text(block.get("label"))]
    if block.get("optional"):
        parts.append("(optional)")
    if block.get("hint"):
        parts.append("— " + _text(block["hint"]))
    value = shown_value if shown_value is not None else _initial(block.get("element") or {})
    if value:
        parts.append(f"[{value}]")
    return " ".join(parts)


def render_modal_header(view: dict) -> str:
    """The modal's title line with its submit and close labels."""
    buttons = []
    if view.get("submit"):
        buttons.append("submit: " + _text(view["submit"]))
    # Slack always shows a close button, labelled "Cancel" unless the view says otherwise.
    buttons.append("close: " + (_text(view.get("close")) or "Cancel"))
    return f"── {_text(view.get('title'))} ── ({' · '.join(buttons)})"
