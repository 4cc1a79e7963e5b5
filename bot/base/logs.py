"""Logging: plain text or one JSON object a line, a request id on every line, no secrets.

A request id is set where work enters (each Slack request, each scheduler tick) and read
by every log line written while that work runs, on whatever thread: Bolt's work after
ack() runs on a thread pool, so that pool is a `ContextExecutor`, which carries it over.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

_P = ParamSpec("_P")
_T = TypeVar("_T")

LOG_FORMATS = ("text", "json")
REDACTED = "[redacted]"
# A message, or an exception's text, longer than this loses its middle before it is redacted
# and written: a line stays readable and its redaction bounded, whatever was put in it.
LONGEST_TEXT = 20_000
# The patterns below each read a line in time proportional to its length, whatever it holds
# (a request body logged whole once made one run for minutes): every repeat is possessive
# (`++`, `*+`: it never gives back what it took, so no backtracking), and a repeat that can
# run long starts only where a literal or a lookbehind allows, so no two attempts read the
# same run. tests/domain/test_logs.py checks the first; bench/redaction_bench.py times them.
#
# Slack tokens: bot, user, app-level, refresh, configuration (xoxb-, xoxp-, xapp-, xoxe-...).
_SLACK_TOKEN = re.compile(r"\b(?:xox[a-z]|xapp)(?:\.[A-Za-z0-9]++)?-[A-Za-z0-9-]++")
# The password of a URL with credentials (postgresql://user:password@host/db) ends at an
# "@" and holds no space: each run of such characters up to an "@", from where it starts,
_BEFORE_AN_AT = re.compile(r"(?<![^@\s])[^@\s]++(?=@)")
# is searched for "scheme://user:" (a user has no ":", "/" or "@"); the password follows.
_URL_USER = re.compile(r"[a-z0-9+.-]://[^:/@\s]*+:", re.IGNORECASE)
# A known secret shorter than this is not searched for: it would blank common words.
_SHORTEST_SECRET = 6

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def new_request_id(prefix: str = "req") -> str:
    """A short id, unique enough to find one request's lines among a day's."""
    return f"{prefix}-{secrets.token_hex(6)}"


@contextmanager
def request_context(request_id: str) -> Iterator[str]:
    """Every line logged inside (and in work it hands to a `ContextExecutor`) carries
    `request_id`."""
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in the submitter's context, request id included
    (a plain pool's threads start from an empty one)."""

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        context = contextvars.copy_context()
        # mypy: context.run takes fn and its arguments, as submit passes them.
        return super().submit(context.run, fn, *args, **kwargs)  # type: ignore[arg-type]


class Redactor(logging.Filter):
    """Blanks Slack tokens, URL passwords and the given secret values in a record's message,
    arguments and exception text, before any handler formats it; cuts any of them longer
    than `LONGEST_TEXT` first."""

    def __init__(self, known_secrets: Iterable[str | None]) -> None:
        super().__init__()
        values = sorted({value for value in known_secrets if value}, key=len, reverse=True)
        self._known = [value for value in values if len(value) >= _SHORTEST_SECRET]

    def redact(self, text: str) -> str:
        for value in self._known:
            text = text.replace(value, REDACTED)
        text = _SLACK_TOKEN.sub(REDACTED, text)
        return _BEFORE_AN_AT.sub(_without_url_password, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: show it rather than raise in it
            message = f"{record.msg} {record.args!r}"
        record.msg = self.redact(shortened(message))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(shortened(record.exc_text))
        if record.stack_info:
            record.stack_info = self.redact(shortened(record.stack_info))
        return True


def _without_url_password(run: re.Match[str]) -> str:
    """A run of characters up to an "@", with the password blanked if it ends a URL's
    "scheme://user:" (the first such in the run; the rest of the run is the password)."""
    user = _URL_USER.search(run[0])
    if user is None or user.end() == len(run[0]):
        return run[0]
    return run[0][: user.end()] + REDACTED


def shortened(text: str) -> str:
    """`text`, or if longer than `LONGEST_TEXT` its start and end with the middle cut out.

    The words either side of the cut go too: a secret cut in two would no longer be
    recognised, and half of it would be written.
    """
    if len(text) <= LONGEST_TEXT:
        return text
    half = LONGEST_TEXT // 2
    words_before = text[:half].rsplit(maxsplit=1)  # [all but the last word, the last word]
    words_after = text[-half:].split(maxsplit=1)  # [the first word, the rest]
    start = words_before[0] if len(words_before) == 2 else ""
    end = words_after[1] if len(words_after) == 2 else ""
    return f"{start} [{len(text) - len(start) - len(end)} characters cut] {end}"


# Lines of Bolt's own (slack_bolt 1.x) that hold a request's whole body, by logger and by
# how the line starts, and what is written instead: a body is never logged (it holds what
# people typed, and an unsigned one is whatever anyone sent).
_BOLT_LINES_WITH_A_BODY = {
    "slack_bolt.RequestVerification": {
        "Invalid request signature detected": "Invalid request signature detected",
    },
    "slack_bolt.App": {
        "A global middleware": "A global middleware answered nothing",
        "Unhandled request": "Unhandled request: no listener took it",
    },
}


class _WithoutRequestBody(logging.Filter):
    """Writes one of Bolt's lines that would hold a request's body without it."""

    def __init__(self, replacements: dict[str, str]) -> None:
        super().__init__()
        self._replacements = replacements

    def filter(self, record: logging.LogRecord) -> bool:
        for start, replacement in self._replacements.items():
            if isinstance(record.msg, str) and record.msg.startswith(start):
                record.msg, record.args = f"{replacement} (the request's body is not logged)", None
        return True


def keep_request_bodies_out_of_bolts_log() -> None:
    """Filters Bolt's loggers themselves (not a handler), so that whatever writes their
    lines, a test's capture included, never gets a body."""
    for name, replacements in _BOLT_LINES_WITH_A_BODY.items():
        bolt_logger = logging.getLogger(name)
        if not any(isinstance(known, _WithoutRequestBody) for known in bolt_logger.filters):
            bolt_logger.addFilter(_WithoutRequestBody(replacements))


class RequestIdFilter(logging.Filter):
    """Puts the current request id on the record (None outside any request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """`time [pid] LEVEL logger [request id]: message`, then the exception if any. The pid
    tells apart the lines of `serve`'s processes, which write to one stream."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s [%(process)d] %(levelname)s %(name)s%(request_tag)s: %(message)s"
        )

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request_tag = f" [{request_id}]" if request_id else ""
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), pid, level, logger, message,
    request_id, and exception when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        line: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "pid": record.process,
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


def install(*, level: str, log_format: str, known_secrets: Iterable[str | None]) -> None:
    """Send every log line to stderr in `log_format`, at `level`, redacted.

    The filters sit on the handler, so they see lines from every library's logger too.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(Redactor(known_secrets))
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    # Without force: where logging is already set up (pytest's capture), it is left alone.
    logging.basicConfig(level=level, handlers=[handler])
    if handler in logging.getLogger().handlers:
        logging.captureWarnings(True)  # Python's warnings too: as log lines, not bare text
