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
# Slack tokens: bot, user, app-level, refresh, configuration (xoxb-, xoxp-, xapp-, xoxe-...).
_SLACK_TOKEN = re.compile(r"\b(?:xox[a-z]|xapp)(?:\.[A-Za-z0-9]+)?-[A-Za-z0-9-]+")
# The password of any URL with credentials, e.g. postgresql://user:password@host/db.
_URL_PASSWORD = re.compile(r"(?P<keep>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+(?=@)", re.I)
# A known secret shorter than this is not searched for: it would blank common words.
_SHORTEST_SECRET = 6

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def new_request_id(prefix: str = "req") -> str:
    """A short id, unique enough to find one request's lines among a day's."""
    return f"{prefix}-{secrets.token_hex(6)}"


def current_request_id() -> str | None:
    return _request_id.get()


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

    def submit(  # type: ignore[override]
        self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> Future[_T]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)  # type: ignore[arg-type]


class Redactor(logging.Filter):
    """Blanks Slack tokens, URL passwords and the given secret values in a record's message,
    arguments and exception text, before any handler formats it."""

    def __init__(self, known_secrets: Iterable[str | None]) -> None:
        super().__init__()
        values = sorted({value for value in known_secrets if value}, key=len, reverse=True)
        self._known = [value for value in values if len(value) >= _SHORTEST_SECRET]

    def redact(self, text: str) -> str:
        for value in self._known:
            text = text.replace(value, REDACTED)
        text = _SLACK_TOKEN.sub(REDACTED, text)
        return _URL_PASSWORD.sub(lambda found: found["keep"] + REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: show it rather than raise in it
            message = f"{record.msg} {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class _RequestIdFilter(logging.Filter):
    """Puts the current request id on the record (None outside any request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request id]: message`, then the exception if any."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request_tag = f" [{request_id}]" if request_id else ""
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id,
    and exception when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        line: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
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
    handler.addFilter(_RequestIdFilter())
    handler.addFilter(Redactor(known_secrets))
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    # Without force: where logging is already set up (pytest's capture), it is left alone.
    logging.basicConfig(level=level, handlers=[handler])
    if handler in logging.getLogger().handlers:
        logging.captureWarnings(True)  # Python's warnings too: as log lines, not bare text
