"""Requests that cannot be read are the sender's error: 400 when signed, 401 when not (or
when the timestamp is not a number), one line in the log and no traceback (issue #13,
point 2). Through the real HTTP server."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest

from bot.console.payloads import FORM, slash_command
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


def one_line_for(caplog: pytest.LogCaptureFixture) -> logging.LogRecord:
    """The one line logged since the last clear, which must hold no traceback."""
    (line,) = caplog.records
    assert line.exc_info is None and "Traceback" not in caplog.text
    return line


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize(("body", "content_type"), UNREADABLE.values(), ids=list(UNREADABLE.keys()))
def test_a_request_that_cannot_be_read_is_a_client_error_in_one_line(
    bot: RunningBot,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
    signed: bool,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    answer = bot.requester.raw(body, content_type, tamper=not signed)
    assert answer.status == (400 if signed else 401)
    line = one_line_for(caplog)
    assert line.levelno == logging.WARNING and str(answer.status) in line.getMessage()
    assert bot.slack.calls() == []


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", "17²", "9" * 5000])
def test_a_timestamp_that_is_not_a_number_is_401_in_one_line(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, timestamp: str
) -> None:
    """Signed with that timestamp, as a sender with the secret could."""
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    answer = bot.requester.send(slash_command("help"), timestamp=timestamp)
    assert answer.status == 401
    assert "timestamp" in one_line_for(caplog).getMessage()


def test_a_request_without_a_signature_is_401_in_one_line(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    assert post(bot.url, urlencode(slash_command("help")).encode()) == 401
    assert "signature" in one_line_for(caplog).getMessage()
