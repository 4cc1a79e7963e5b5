"""Limits on what people type, making their text safe to post back to Slack, and the bits
of wording every message shares (counting things, listing names)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

# Stored lengths. Slack's plain_text_input holds at most 3,000 characters, so nothing
# typed in a modal can exceed LONG_TEXT_MAX; slash-command text is checked against these.
NAME_MAX = 80
OUTPUT_NAME_MAX = 120
# The longest name of a team's output as typed after a command: "Prices: Consumer price inflation".
TEAM_OUTPUT_NAME_MAX = NAME_MAX + len(": ") + OUTPUT_NAME_MAX
ORGANISATION_MAX = 150
THEME_MAX = 60
SUMMARY_MAX = 1000
LONG_TEXT_MAX = 3000
LIST_SEPARATOR = ";"  # joins several names in one CSV cell, so names may not contain it
PREVIEW_MAX = 280


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack gives meaning to, so `<!channel>` pings nobody."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape_mrkdwn(text: str) -> str:
    """A Slack message's text as its author typed it: Slack sends &, < and > as entities."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def storable(text: str) -> str:
    """`text` without NUL characters: no one means to type them, and PostgreSQL can't store
    them (a paste or a spreadsheet can carry them in)."""
    return text.replace("\x00", "")


def preview(text: str, limit: int = PREVIEW_MAX) -> str:
    """A short, escaped excerpt for a confirmation, of at most `limit` characters once
    escaped (as Slack counts them: `&` is five); the stored text stays whole."""
    return shortened(escape_mrkdwn(" ".join(text.split())), limit)


def shortened(mrkdwn: str, limit: int) -> str:
    """`mrkdwn` if it has at most `limit` characters, else its start and "…" within them,
    never cut inside an entity (`&am` would show as typed)."""
    if len(mrkdwn) <= limit:
        return mrkdwn
    cut = mrkdwn[: limit - 1]
    entity = cut.rfind("&", max(0, len(cut) - 4))
    if entity >= 0 and ";" not in cut[entity:]:
        cut = cut[:entity]
    return cut.rstrip() + "…"


def listed_within(
    items: Sequence[str],
    room: int,
    more: Callable[[int], str],
    *,
    most: int | None = None,
    separator: str = ", ",
) -> str:
    """`items` joined, as many as fit in `room` characters (and `most` at the most); the
    rest are counted after them: `more(count)` (" and 12 more")."""
    most = len(items) if most is None else most
    joined = separator.join(items)
    if len(items) <= most and len(joined) <= room:
        return joined
    shown: list[str] = []
    used = 0
    for item in items[:most]:
        left = len(items) - len(shown) - 1
        if used + len(item) + len(separator) + len(more(left)) > room:
            break
        shown.append(item)
        used += len(item) + len(separator)
    return separator.join(shown) + more(len(items) - len(shown))


def too_long(label: str, text: str, limit: int) -> str | None:
    """The message refusing `text` when it is over `limit`, else None."""
    if len(text) <= limit:
        return None
    return f"{label} is {len(text):,} characters; the most it can hold is {limit:,}."


def split_list(text: str | None, separators: str = ",;") -> list[str]:
    """Distinct names typed or stored as one string (case-insensitively distinct)."""
    if not text:
        return []
    for separator in separators[1:]:
        text = text.replace(separator, separators[0])
    parts = text.split(separators[0])
    seen: dict[str, str] = {}
    for part in parts:
        name = " ".join(part.split())
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


def blank_to_none(text: str | None) -> str | None:
    """Stripped text, or None when nothing but spaces was typed."""
    return text.strip() if text and text.strip() else None


def counted(number: int, noun: str) -> str:
    """ "1 item", "2 items": `noun` as one of them is called, made plural with an s."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def listed(names: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
