"""What people type, generated broadly: plain words, Slack's entities, unicode, control
characters, text far over every limit."""

from __future__ import annotations

from hypothesis import strategies as st

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
