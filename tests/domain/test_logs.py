"""The log redaction and formats, on records made here (`tests/e2e/test_logs.py` reads a
real `serve`'s output)."""

from __future__ import annotations

import json
import logging
import sys

from bot.logs import (
    ContextExecutor,
    JsonFormatter,
    Redactor,
    TextFormatter,
    current_request_id,
    request_context,
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
    with request_context("req-1"), ContextExecutor(max_workers=1) as pool:
        assert pool.submit(current_request_id).result() == "req-1"
    line = record("hello")
    line.request_id = "req-1"
    shown = json.loads(JsonFormatter().format(line))
    assert shown["request_id"] == "req-1" and shown["time"].endswith("Z")
    assert TextFormatter().format(line).endswith("ERROR bot.test [req-1]: hello")


def test_a_malformed_log_call_is_shown_not_raised() -> None:
    malformed = record("two values %s %s", "xoxb-1-only-one")
    assert Redactor([]).filter(malformed)
    assert malformed.getMessage() == "two values %s %s ('[redacted]',)"
