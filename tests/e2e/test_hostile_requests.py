"""What anyone who can reach /slack/events can send, and what it costs the server: a body
over the cap is refused before it is read, an unsigned one before it is parsed, no body is
ever logged, and under any of them /healthz answers and SIGTERM is honoured (issue #13,
point 1). The latency of /healthz under them is measured by bench/hostile_bench.py."""

from __future__ import annotations

import io
import logging
import signal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import BoltRequest
from slack_bolt.logger.messages import warning_unhandled_by_global_middleware

from bot.runtime.app import build_app
from bot.runtime.console.payloads import FORM, signed_headers, slash_command
from bot.runtime.serving import WebApp
from bot.runtime.signed_requests import MAX_BODY_BYTES
from tests.conftest import SIGNING_SECRET, RunningBot, test_settings
from tests.e2e.hostile import (
    HealthPoller,
    answer_to_an_announced_body,
    answer_to_an_endless_chunked_body,
    post,
    trickling_body,
)
from tests.e2e.serve_process import LogLines, serve_environment, start_serve, wait_until_healthy
from tests.fake_slack import FakeSlack

# Made of what the old redaction of URL passwords read slowest: a run of a scheme's letters.
NOT_TO_BE_LOGGED = "neverlogged"


def unsigned_body(size: int) -> bytes:
    return ("text=" + NOT_TO_BE_LOGGED * (size // len(NOT_TO_BE_LOGGED) + 1))[:size].encode()


def test_a_body_announced_over_the_cap_is_refused_before_it_is_sent(bot: RunningBot) -> None:
    assert answer_to_an_announced_body(bot.url, MAX_BODY_BYTES + 1).startswith("HTTP/1.1 413")


def test_a_chunked_body_over_the_cap_is_refused_without_waiting_for_its_end(
    bot: RunningBot,
) -> None:
    answer = answer_to_an_endless_chunked_body(bot.url, most=2 * MAX_BODY_BYTES)
    assert answer.startswith("HTTP/1.1 413")


def test_a_body_of_the_largest_size_slack_sends_is_read(bot: RunningBot) -> None:
    """A signed command padded to the cap is answered as any other; unsigned, it is a 401."""
    command = slash_command("help", response_url=bot.slack.response_url("help"))
    body = f"{urlencode(command)}&padding=".encode()
    body += b"x" * (MAX_BODY_BYTES - len(body))
    assert bot.requester.raw(body).status == 200
    assert "/engage log" in bot.slack.wait_for("response_url")[0].args["text"]
    assert bot.requester.raw(body, tamper=True).status == 401


def test_the_wsgi_app_reads_nothing_of_a_body_announced_over_the_cap(bot: RunningBot) -> None:
    """Whatever server runs it: `WebApp` refuses by the announced length alone."""

    class Unreadable(io.RawIOBase):
        def read(self, *_: Any) -> bytes:
            raise AssertionError("read a body over the cap")

    answered: list[str] = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": FORM,
        "CONTENT_LENGTH": str(MAX_BODY_BYTES + 1),
        "wsgi.input": Unreadable(),
    }
    web_app = WebApp(
        bot.database, build_app(bot.settings, bot.database), signing_secret=SIGNING_SECRET
    )
    web_app(environ, lambda status, _headers: answered.append(status))
    assert answered == ["413 Request Entity Too Large"]


def test_no_request_body_is_ever_logged(bot: RunningBot, caplog: pytest.LogCaptureFixture) -> None:
    """Not for a bad signature, nor for a signed request no listener takes (Bolt's own
    lines would carry it), at any level."""
    caplog.set_level(logging.DEBUG)
    assert bot.requester.raw(unsigned_body(2000), tamper=True).status == 401
    nobody_asks = {
        "type": "block_suggestion",
        "action_id": "no-such-menu",
        "block_id": "b",
        "value": NOT_TO_BE_LOGGED,
        "team": {"id": "T1"},
        "user": {"id": "U0001"},
    }
    assert bot.requester.send(nobody_asks).status == 404
    assert "Unhandled request" in caplog.text  # Bolt's line is there, without the body
    assert NOT_TO_BE_LOGGED not in caplog.text


def test_bolts_own_lines_never_carry_a_body(
    fake_slack: FakeSlack, database: Any, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt's checks, reached in-process (the server refuses such requests before Bolt)."""
    caplog.set_level(logging.DEBUG)
    app = build_app(test_settings(fake_slack, database_url), database)
    body = unsigned_body(2000).decode()
    badly_signed = signed_headers(SIGNING_SECRET, body, tamper=True)
    assert app.dispatch(BoltRequest(body=body, headers=badly_signed)).status == 401
    logging.getLogger("slack_bolt.App").warning(
        warning_unhandled_by_global_middleware("a middleware", BoltRequest(body=body))
    )
    assert "Invalid request signature" in caplog.text and "A global middleware" in caplog.text
    assert NOT_TO_BE_LOGGED not in caplog.text


@pytest.mark.slow
def test_under_hostile_requests_health_answers_and_sigterm_is_honoured(
    tmp_path: Path, fake_slack: FakeSlack, sqlite_template: Path
) -> None:
    """`engagebot serve` as a process: unsigned bodies of 100 KB and 1 MB, one over the
    cap, and one that trickles in, while another thread keeps asking /healthz; then a
    SIGTERM with the trickle still coming. Timeouts are generous: the figure is the bench's."""
    env = {**serve_environment(tmp_path, fake_slack, sqlite_template), "ENGAGEBOT_SCHEDULER": "off"}
    process = start_serve(env, tmp_path)
    log = LogLines(process)
    url = f"http://127.0.0.1:{env['PORT']}"
    try:
        wait_until_healthy(process, url)
        with HealthPoller(url) as health:
            for size in (100_000, 1_000_000):
                assert post(url, unsigned_body(size)) == 401
                health.wait_for_answers(3)
            assert answer_to_an_announced_body(url, MAX_BODY_BYTES + 1).startswith("HTTP/1.1 413")
            with trickling_body(url):
                health.wait_for_answers(5)
                assert health.failures == []
                process.send_signal(signal.SIGTERM)
                output = log.until_exit()
        assert health.answered >= 11
    finally:
        if process.poll() is None:
            process.kill()
    assert "received SIGTERM" in output and "stopped" in output
    assert NOT_TO_BE_LOGGED not in output and "Traceback" not in output
