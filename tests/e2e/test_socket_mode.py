"""`engagebot serve` in Socket Mode, against a local stand-in for Slack's WebSocket end:
it answers over the socket, reconnects when the socket drops, and /healthz says when it
has been down longer than ENGAGEBOT_SOCKET_GRACE_SECONDS."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.runtime.console.payloads import slash_command
from tests.e2e.serve_process import LogLines, serve_environment, start_serve
from tests.e2e.socket_mode_server import SocketModeServer
from tests.fake_slack import FakeSlack


def health(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def wait_for_health(url: str, status: int, timeout: float = 60) -> dict[str, Any]:
    """Poll /healthz until it answers with `status` (the process may still be starting);
    its report."""
    deadline = time.monotonic() + timeout
    seen: tuple[int, dict[str, Any]] | None = None
    while time.monotonic() < deadline:
        try:
            seen = health(url)
        except (urllib.error.URLError, ConnectionError):
            seen = None
        if seen is not None and seen[0] == status:
            return seen[1]
        time.sleep(0.1)
    raise AssertionError(f"/healthz never answered {status}; last: {seen}")


@pytest.fixture
def slack_socket(fake_slack: FakeSlack) -> Iterator[SocketModeServer]:
    server = SocketModeServer()
    server.listen()
    fake_slack.set_response("apps.connections.open", lambda _args: {"ok": True, "url": server.url})
    yield server
    server.drop()


@pytest.mark.slow
def test_socket_mode_answers_reconnects_and_healthz_tells_when_it_is_down(
    tmp_path: Path, fake_slack: FakeSlack, slack_socket: SocketModeServer
) -> None:
    env = {
        **serve_environment(tmp_path, fake_slack),
        "SLACK_APP_TOKEN": "xapp-1-A0001-1-test",
        "SLACK_SIGNING_SECRET": "",
        "ENGAGEBOT_SOCKET_GRACE_SECONDS": "2",
        "ENGAGEBOT_SCHEDULER": "off",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "DEBUG",
    }
    process = start_serve(env, tmp_path)
    log = LogLines(process)
    url = f"http://127.0.0.1:{env['PORT']}"
    try:
        slack_socket.wait_for_connections(1)
        report = wait_for_health(url, 200)
        assert report == {"status": "ok", "database": "ok", "socket_mode": "connected"}

        slack_socket.drop()  # Slack's end goes away, and stays away for a while
        report = wait_for_health(url, 503)
        assert report["status"] == "unavailable" and report["database"] == "ok"
        assert report["socket_mode"].startswith("disconnected for ")

        slack_socket.listen()  # back: the bot reconnects by itself, with a new URL
        slack_socket.wait_for_connections(2)
        wait_for_health(url, 200)
        assert len(fake_slack.calls("apps.connections.open")) >= 2

        # The new connection carries requests: acknowledged over the socket, then answered.
        command = slash_command("help", response_url=fake_slack.response_url("help"))
        slack_socket.send(
            {"envelope_id": "e-help", "type": "slash_commands", "payload": command,
             "accepts_response_payload": True}
        )  # fmt: skip
        slack_socket.wait_for_ack("e-help")
        (reply,) = fake_slack.wait_for("response_url", timeout=30)
        assert "/engage log" in reply.args["text"]
    finally:
        output = log.stop()
    lines = [json.loads(line) for line in output.splitlines()]
    # The reply, sent after ack() on Bolt's pool, is logged under the request's id.
    (sent,) = [
        line
        for line in lines
        if "Sending a request" in line["message"] and "/response/help" in line["message"]
    ]
    assert sent["request_id"].startswith("req-")
