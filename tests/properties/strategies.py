"""What people type, generated broadly: plain words, Slack's entities, unicode, control
characters, text far over every limit."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from bot.runtime.console.payloads import state_values

# Slack's own markup in a message or a command's text, as Slack sends it.
ENTITIES = st.sampled_from(
    [
        "<#C0123ABCD|prices>",
        "<#C0123ABCD>",
        "<@U0123ABCD>",
        "<@U0123ABCD|someone>",
        "<!channel>",
        "<!here>",
        "<!subteam^S0123|@analysts>",
        "<!date^1392734382^{date_short}|Feb 18, 2014>",
        "<https://example.org/a?b=1&amp;c=2|a link>",
        "<mailto:someone@example.org|someone@example.org>",
        "&amp;",
        "&lt;",
        "&gt;",
        "&amp;lt;",
    ]
)
WORDS = st.sampled_from(
    [
        "Prices",
        "prices",
        "list",
        "merge",
        "into",
        "#12",
        "12",
        "0",
        "-1",
        "99999999999999999999",
        "2026-01-31",
        "2026-02-30",
        "month",
        "quarter",
        "year",
        "Consumer price inflation",
        ":",
        "|",
        ";",
        ",",
        "%",
        "_",
        "\\",
        "'",
        '"',
        "`",
        "*bold*",
        "Office for Students, Wales",
        "ÉCOLE",
        "ß",
        "İ",
        "١٢",
        "😀",
        "\u200b",
        "\u2028",
        "\x00",
        "\x1c",
        "\t",
        "\n",
        "\r\n",
        " ",
    ]
)
# Text as a person (or a paste, or a broken client) might send it.
TYPED = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(WORDS, ENTITIES, st.text(max_size=8)), max_size=12).map("".join),
    st.lists(st.one_of(WORDS, ENTITIES), max_size=8).map(" ".join),
)
# Over every limit the bot has (3,000 characters is the longest).
OVERLONG = st.builds(
    lambda unit, times: unit * times, st.sampled_from(["a", "é ", "😀"]), st.integers(3001, 5000)
)
ANY_TEXT = st.one_of(TYPED, OVERLONG)

NUMBERS_TYPED = st.one_of(
    st.integers(-3, 40).map(str), st.sampled_from(["99999999999999999999", "2147483648", "١٢"])
)
# `/engage feedback merge 12 into 9`, with any numbers.
MERGES = st.builds(
    "merge {}{} into {}".format, st.sampled_from(["", "#"]), NUMBERS_TYPED, NUMBERS_TYPED
)


# Option values a broken or stale client could send: ids that exist or not, and no ids.
ID_VALUES = st.sampled_from(["1", "2", "3", "0", "-1", "abc", "²", "", "99999999999999999999"])
DAYS = st.one_of(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat),
    st.sampled_from(["2026-02-30", "31/01/2026", "", "tomorrow"]),
)
NUMBERS = st.one_of(
    st.integers(-10, 2_000_000).map(str),
    st.sampled_from(["", "1.5", "1e3", "twelve", "99999999999999999999", "١٢"]),
)
CONVERSATIONS = st.sampled_from(["CPRICES", "COTHER", "C0NEW", "D0001", "G0PRIVATE", ""])


def _option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value or "?", "emoji": True}, "value": value}


def _options_of(element: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """One of the element's own options, or a value it never offered."""
    own = [o for o in element.get("options", [])]
    own += [o for group in element.get("option_groups", []) for o in group["options"]]
    made_up = st.one_of(ID_VALUES, TYPED).map(_option)
    return st.one_of(st.sampled_from(own), made_up) if own else made_up


def element_state(element: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """What Slack reports for the element: empty, a good value, or a bad one."""
    kind = element["type"]
    if kind in ("plain_text_input", "email_text_input", "url_text_input"):
        value: st.SearchStrategy[Any] = st.one_of(st.none(), ANY_TEXT)
        return value.map(lambda text: {"type": kind, "value": text})
    if kind == "number_input":
        return st.one_of(st.none(), NUMBERS).map(lambda text: {"type": kind, "value": text})
    if kind == "datepicker":
        return st.one_of(st.none(), DAYS).map(lambda day: {"type": kind, "selected_date": day})
    if kind in ("static_select", "external_select", "radio_buttons"):
        chosen = st.one_of(st.none(), _options_of(element))
        return chosen.map(lambda option: {"type": kind, "selected_option": option})
    if kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        chosen_many = st.lists(_options_of(element), max_size=4)
        return chosen_many.map(lambda options: {"type": kind, "selected_options": options})
    if kind in ("conversations_select", "channels_select", "users_select"):
        noun = kind.removesuffix("s_select").removesuffix("_select")
        picked = st.one_of(st.none(), CONVERSATIONS if noun != "user" else st.just("U0002"))
        return picked.map(lambda pick: {"type": kind, f"selected_{noun}": pick or None})
    if kind in ("multi_conversations_select", "multi_channels_select", "multi_users_select"):
        noun = kind.removeprefix("multi_").removesuffix("_select")
        return st.lists(CONVERSATIONS.filter(bool), max_size=3, unique=True).map(
            lambda picks: {"type": kind, f"selected_{noun}": picks}
        )
    raise AssertionError(f"no values made for a {kind}")


def sensible_state(block: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """What a person filling the form in usually sends: what it opened with, and some text
    in a required text field left empty."""
    element = block["element"]
    untouched = state_values({"blocks": [block]})[block["block_id"]][element["action_id"]]
    if element["type"] == "plain_text_input" and not untouched.get("value"):
        if block.get("optional"):
            return st.just(untouched)
        typed = TYPED.filter(lambda text: bool(text.strip()) and len(text) < 200)
        return typed.map(lambda text: {**untouched, "value": text})
    own = element.get("options")
    if element["type"] == "static_select" and not untouched["selected_option"] and own:
        return st.sampled_from(own).map(lambda option: {**untouched, "selected_option": option})
    return st.just(untouched)


def submitted_values(view: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """`view.state.values` for the view's inputs: most as a person fills them in, some
    left out (a broken client) or holding anything at all."""
    fields = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        sensible = sensible_state(block)
        state = st.one_of(sensible, sensible, sensible, element_state(block["element"]))
        action_id = block["element"]["action_id"]
        fields[block["block_id"]] = state.map(lambda chosen, key=action_id: {key: chosen})
    return st.fixed_dictionaries(
        {field: state for field, state in fields.items() if field != "_left_out"}
    ) | st.fixed_dictionaries({}, optional=fields)
