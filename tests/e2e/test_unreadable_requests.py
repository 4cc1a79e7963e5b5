"""Requests that cannot be read are the sender's error: 400 when signed, 401 when not (or
when the timestamp is not a number), one line in the log and no traceback (issue #13,
point 2). Through the real HTTP server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from bot.base.logs import RequestIdFilter
from bot.runtime.console.payloads import FORM, slash_command
from tests.conftest import RunningBot
from tests.e2e.hostile import post

JSON = "application/json"
UNREADABLE = {
    "a payload that is not JSON": (b"payload=%7Bnot+json", FORM),
    "an empty payload": (b"payload=", FORM),
    "a payload that is a JSON array": (b"payload=%5B%7B%7D%5D", FORM),
    "a payload that is not UTF-8": (b'payload={"type":"block_actions","x":"\xff\xfe"}', FORM),
    "a JSON body that is not an object": (b'"block_actions"', JSON),
    "a slash command sent as JSON": (urlencode(slash_command("help")).encode(), JSON),
}


@pytest.fixture
def request_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every line logged, each with the id of the request it was logged for, if any."""
    caplog.set_level(logging.DEBUG)
    stamp = RequestIdFilter()
    caplog.handler.addFilter(stamp)
    yield caplog
    caplog.handler.removeFilter(stamp)


def one_line_for(request_log: pytest.LogCaptureFixture) -> logging.LogRecord:
    """The one line logged for a request (the process's other work, such as a connection
    a pool closes, is not the request's), which must hold no traceback."""
    lines = [line for line in request_log.records if getattr(line, "request_id", None)]
    assert len(lines) == 1, [f"{line.name}: {line.getMessage()}" for line in lines]
    assert lines[0].exc_info is None and "Traceback" not in request_log.text
    return lines[0]


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize(("body", "content_type"), UNREADABLE.values(), ids=list(UNREADABLE.keys()))
def test_a_request_that_cannot_be_read_is_a_client_error_in_one_line(
    bot: RunningBot,
    request_log: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
    signed: bool,
) -> None:
    answer = bot.requester.raw(body, content_type, tamper=not signed)
    assert answer.status == (400 if signed else 401)
    line = one_line_for(request_log)
    assert line.levelno == logging.WARNING and str(answer.status) in line.getMessage()
    assert bot.slack.calls() == []


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", "17²", "9" * 5000])
def test_a_timestamp_that_is_not_a_number_is_401_in_one_line(
    bot: RunningBot, request_log: pytest.LogCaptureFixture, timestamp: str
) -> None:
    """Signed with that timestamp, as a sender with the secret could."""
    answer = bot.requester.send(slash_command("help"), timestamp=timestamp)
    assert answer.status == 401
    assert "timestamp" in one_line_for(request_log).getMessage()


def test_a_request_without_a_signature_is_401_in_one_line(
    bot: RunningBot, request_log: pytest.LogCaptureFixture
) -> None:
    assert post(bot.url, urlencode(slash_command("help")).encode()) == 401
    assert "signature" in one_line_for(request_log).getMessage()
