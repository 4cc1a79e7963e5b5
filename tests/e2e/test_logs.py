"""What `engagebot serve` logs, read from the real process: LOG_FORMAT=json lines, a request
id that follows a request onto Bolt's thread pool, a tick id, and no token, secret or
password in either format."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bot.runtime.console.payloads import slash_command
from tests.conftest import SIGNING_SECRET
from tests.e2e.serve_process import (
    LogLines,
    serve_environment,
    start_serve,
    wait_until_healthy,
)
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackRequester

BOT_TOKEN = "xoxb-1234567890-0987654321-SecretBotTokenValue"
CLIENT_SECRET = "c1ient5ecretva1ue0123"
DATABASE_PASSWORD = "Pa55wordOfTheDatabase"
# Slack's error answer echoes them all, so they reach slack_sdk's debug log and the
# exception the bot logs: the worst case for the redaction.
LEAKY_ANSWER = {
    "ok": False,
    "error": "invalid_auth",
    "echo": f"{BOT_TOKEN} {SIGNING_SECRET} {CLIENT_SECRET} xapp-1-A1-2-another "
    f"postgresql://postgres:{DATABASE_PASSWORD}@db/engagebot",
}


@pytest.fixture
def leaky_env(tmp_path: Path, fake_slack: FakeSlack, postgres_url: str) -> dict[str, str]:
    """serve at DEBUG with real-looking secrets, on PostgreSQL reached with a password
    (the test server trusts local connections, so any password is let in)."""
    database_url = make_url(postgres_url).set(password=DATABASE_PASSWORD)
    return {
        **serve_environment(tmp_path, fake_slack),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "LOG_LEVEL": "DEBUG",
        # Ticks would work on the test database other tests share; not what this is about.
        "ENGAGEBOT_SCHEDULER": "off",
    }


def serve_a_failing_request(
    env: dict[str, str],
    tmp_path: Path,
    fake_slack: FakeSlack,
    headers: dict[str, str] | None = None,
) -> str:
    """Start serve, send `/engage log` whose form Slack refuses with LEAKY_ANSWER, wait for
    the failure to be logged, stop; what it logged."""
    fake_slack.set_response("views.open", LEAKY_ANSWER)
    process = start_serve(env, tmp_path)
    log = LogLines(process)
    url = f"http://127.0.0.1:{env['PORT']}"
    wait_until_healthy(process, url)
    command = slash_command("log", channel_id="CPRICES", response_url=fake_slack.response_url())
    assert SlackRequester(url, SIGNING_SECRET).send(command, extra_headers=headers).status == 200
    fake_slack.wait_for("response_url", timeout=30)  # the person was told
    log.wait_for("listener failed")
    return log.stop()


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_token_secret_or_password_is_ever_logged(
    leaky_env: dict[str, str], tmp_path: Path, fake_slack: FakeSlack, log_format: str
) -> None:
    output = serve_a_failing_request({**leaky_env, "LOG_FORMAT": log_format}, tmp_path, fake_slack)
    assert "SlackApiError" in output and "invalid_auth" in output  # the failure is there
    assert "Sending a request" in output  # and slack_sdk's request logging
    for secret in (BOT_TOKEN, SIGNING_SECRET, CLIENT_SECRET, DATABASE_PASSWORD, "xapp-1-A1"):
        assert secret not in output
    assert "[redacted]" in output


def json_lines(output: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in output.splitlines()]  # every line is one object
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= line.keys()
        assert datetime.fromisoformat(line["time"]).utcoffset() == timedelta(0)
    return lines


def test_json_logs_carry_the_request_id_onto_work_after_ack(
    tmp_path: Path, fake_slack: FakeSlack, sqlite_template: Path
) -> None:
    env = {
        **serve_environment(tmp_path, fake_slack, sqlite_template),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "DEBUG",
    }
    # Sent as Slack's second try: the id says so.
    retried = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    lines = json_lines(serve_a_failing_request(env, tmp_path, fake_slack, retried))
    (failed,) = [line for line in lines if line["message"].startswith("listener failed")]
    assert failed["level"] == "ERROR" and "SlackApiError" in failed["exception"]
    request_id = failed["request_id"]
    assert re.fullmatch(r"req-[0-9a-f]{12}-retry1", request_id)
    handled = [line for line in lines if line["request_id"] == request_id]
    # The request's own thread (Bolt checking and routing it) and the pool's, after ack().
    assert any(line["logger"] == "slack_bolt.App" for line in handled)
    assert any("views.open" in line["message"] for line in handled)
    ticks = [line for line in lines if line["message"].startswith("tick as of")]
    assert ticks and all(line["request_id"].startswith("tick-") for line in ticks)
    started = next(line for line in lines if line["message"].startswith("listening on port"))
    assert started["request_id"] is None
