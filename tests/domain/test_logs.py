"""The log redaction and formats, on records made here (`tests/e2e/test_logs.py` reads a
real `serve`'s output)."""

from __future__ import annotations

import json
import logging
import re
import sys
from re import _constants, _parser  # type: ignore[attr-defined]
from typing import Any

import pytest

from bot.base import logs
from bot.base.logs import (
    LONGEST_TEXT,
    ContextExecutor,
    JsonFormatter,
    Redactor,
    RequestIdFilter,
    TextFormatter,
    request_context,
    shortened,
)


def record(message: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("bot.test", logging.ERROR, __file__, 1, message, args, exc_info)  # type: ignore[arg-type]


def test_every_kind_of_slack_token_and_url_password_is_redacted() -> None:
    redactor = Redactor(["s3cret-signing", None, "abc"])  # too short to search for: kept
    text = (
        "xoxb-1-2-abc xoxp-9-x xapp-1-A1-2-f xoxe.xoxp-1-refresh xoxe-1-rotating "
        "postgresql+psycopg://me:p%40ss@db/x https://user:pw@host/ s3cret-signing abc"
    )
    assert redactor.redact(text) == (
        "[redacted] [redacted] [redacted] [redacted] [redacted] "
        "postgresql+psycopg://me:[redacted]@db/x https://user:[redacted]@host/ [redacted] abc"
    )


def test_message_arguments_and_exception_text_are_redacted() -> None:
    try:
        raise ValueError("refused xoxb-1-secret")
    except ValueError:
        failure = record("calling %s failed", "with xoxb-2-secret", exc_info=sys.exc_info())
    Redactor([]).filter(failure)
    for formatter in (TextFormatter(), JsonFormatter()):
        shown = formatter.format(failure)
        assert "secret" not in shown and "ValueError: refused [redacted]" in shown


def test_json_lines_carry_the_request_id_even_on_a_pool_thread() -> None:
    line = record("hello")
    with request_context("req-1"), ContextExecutor(max_workers=1) as pool:
        assert pool.submit(RequestIdFilter().filter, line).result()
    assert line.request_id == "req-1"  # type: ignore[attr-defined]  # set by the filter
    shown = json.loads(JsonFormatter().format(line))
    assert shown["request_id"] == "req-1" and shown["time"].endswith("Z")
    assert TextFormatter().format(line).endswith("ERROR bot.test [req-1]: hello")


def test_a_malformed_log_call_is_shown_not_raised() -> None:
    malformed = record("two values %s %s", "xoxb-1-only-one")
    assert Redactor([]).filter(malformed)
    assert malformed.getMessage() == "two values %s %s ('[redacted]',)"


def backtracking_repeats(node: Any) -> list[str]:
    """The repeats in a parsed pattern that may give back what they took (greedy or lazy,
    of more than one): the ones that make a match attempt cost more than one pass."""
    found = []
    if isinstance(node, _parser.SubPattern):
        for operator, argument in node:
            if operator in (_constants.MAX_REPEAT, _constants.MIN_REPEAT) and argument[1] > 1:
                found.append(f"{operator} {argument[0]}..{argument[1]}")
            found += backtracking_repeats(argument)
    elif isinstance(node, tuple | list):
        for part in node:
            found += backtracking_repeats(part)
    return found


@pytest.mark.parametrize(
    "pattern",
    [value for value in vars(logs).values() if isinstance(value, re.Pattern)],
    ids=lambda pattern: pattern.pattern,
)
def test_no_redaction_pattern_can_backtrack(pattern: re.Pattern[str]) -> None:
    """Each repeat is possessive (or a mere optional): read as `re` itself parses it."""
    assert backtracking_repeats(_parser.parse(pattern.pattern, pattern.flags)) == []


def test_the_checker_finds_a_repeat_that_backtracks() -> None:
    assert backtracking_repeats(_parser.parse(r"(?<![^@\s])[^@\s]+(?=@)")) != []
    assert backtracking_repeats(_parser.parse(r"a(?:b|c*?)d")) != []


def test_a_long_text_loses_its_middle_and_no_secret_is_half_kept() -> None:
    token = "xoxb-" + "S" * 40
    # The cut falls inside the token on both sides: neither half may be written.
    text = "start " + "w " * (LONGEST_TEXT // 4 - 10) + token * 2000 + " w" * 20000 + " end"
    cut = shortened(text)
    assert len(cut) <= LONGEST_TEXT + 40 and cut.startswith("start w w")
    assert cut.endswith("w w end") and "characters cut" in cut and "S" not in cut
    assert shortened("x" * (LONGEST_TEXT + 1)) == f" [{LONGEST_TEXT + 1} characters cut] "
    assert shortened("short") == "short"


def test_a_long_message_and_its_exception_are_cut_before_they_are_redacted() -> None:
    body = "text=" + "a://b:" * 200_000  # what the old patterns read slowest: 1.2 MB
    try:
        raise ValueError(body)
    except ValueError:
        failure = record("refused %s", body, exc_info=sys.exc_info())
    Redactor([]).filter(failure)
    assert len(failure.getMessage()) <= LONGEST_TEXT + 40
    assert failure.exc_text is not None and len(failure.exc_text) <= LONGEST_TEXT + 40
