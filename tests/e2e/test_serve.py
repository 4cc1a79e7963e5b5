"""`engagebot serve` as a real process: configuration errors, HTTP, Socket Mode, SIGTERM,
its scheduler."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.changes.announcing import ChangeDraft, save_change
from bot.runtime.console.payloads import slash_command
from bot.runtime.console.slack_standin import complete_view
from storage.clock import utc_now
from storage.database import Database
from storage.models import StatisticalOutput
from tests.clocked import engagebot
from tests.conftest import SIGNING_SECRET
from tests.e2e.helpers import make_team, run_as_child
from tests.e2e.serve_process import (
    LogLines,
    serve_environment,
    start_serve,
    stop,
    wait_until_healthy,
)
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackRequester


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`engagebot ARGS` as a child with environment `env` in `cwd`, for a command that ends by
    itself (a bad setting, or a Slack or database out of reach, stops `serve` before it
    serves): run in this process, at a tenth of a child's CPU."""

    def command(
        args: list[str], env: dict[str, str], cwd: Path
    ) -> subprocess.CompletedProcess[str]:
        return run_as_child(capsys, monkeypatch, args, env, cwd)

    return command


@pytest.fixture
def base_env(tmp_path: Path, fake_slack: FakeSlack) -> dict[str, str]:
    return serve_environment(tmp_path, fake_slack)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN is not set"),
        ({"PORT": "http"}, "PORT must be a number"),
        ({"ENGAGEBOT_TIMEZONE": "London"}, "ENGAGEBOT_TIMEZONE must be an IANA time zone"),
        ({"DATABASE_URL": "oracle://db"}, "DATABASE_URL must be a sqlite:// or postgresql://"),
        ({"ENGAGEBOT_WORKERS": "none"}, "ENGAGEBOT_WORKERS must be a whole number"),
        (
            {"SLACK_APP_TOKEN": "xapp-1", "ENGAGEBOT_WORKERS": "2"},
            "ENGAGEBOT_WORKERS=2 asks for several processes, but Socket Mode (SLACK_APP_TOKEN) is",
        ),
    ],
)
def test_bad_configuration_exits_2_with_one_line(
    base_env: dict[str, str],
    tmp_path: Path,
    change: dict[str, str],
    named: str,
    run: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    result = run(["serve"], {**base_env, **change}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and named in result.stderr
    assert "Traceback" not in result.stderr


def test_a_token_slack_refuses_exits_2(
    base_env: dict[str, str],
    tmp_path: Path,
    fake_slack: FakeSlack,
    run: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    fake_slack.fail_next("auth.test", error="invalid_auth")
    result = run(["serve"], base_env, tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN was refused by Slack (invalid_auth)" in result.stderr


def test_env_file_is_read_from_the_working_directory(
    base_env: dict[str, str], tmp_path: Path, run: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    env = {k: v for k, v in base_env.items() if k != "PORT"}
    (tmp_path / ".env").write_text("PORT=not-a-port\n")
    result = run(["serve"], env, tmp_path)
    assert result.returncode == 2 and "PORT must be a number" in result.stderr


def test_db_upgrade_creates_the_tables(
    base_env: dict[str, str], tmp_path: Path, run: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    result = run(["db", "upgrade"], base_env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert (tmp_path / "served.sqlite").exists()


@pytest.fixture
def served(base_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = start_serve(base_env, tmp_path)
    url = f"http://127.0.0.1:{base_env['PORT']}"
    wait_until_healthy(process, url)
    yield process, url
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_serve_answers_slack_over_http_and_stops_cleanly_on_sigterm(
    served: tuple[subprocess.Popen[str], str], fake_slack: FakeSlack
) -> None:
    process, url = served
    with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
        assert json.loads(response.read())["database"] == "ok"
    requester = SlackRequester(url, SIGNING_SECRET)
    answer = requester.send(slash_command("help", response_url=fake_slack.response_url("help")))
    assert answer.status == 200
    assert "/engage log" in fake_slack.wait_for("response_url")[0].args["text"]
    assert requester.send(slash_command("help"), tamper=True).status == 401
    output = stop(process)
    assert "received SIGTERM" in output and "stopped" in output


def test_sigterm_lets_work_after_ack_finish_before_exiting_0(
    base_env: dict[str, str], tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """`/engage log` opens its form after ack(); Slack holds that views.open until the
    process has been told to stop, and the form still reaches Slack."""
    arrived, release = threading.Event(), threading.Event()

    def held_views_open(args: dict[str, Any]) -> dict[str, Any]:
        arrived.set()
        release.wait(timeout=30)
        return {"ok": True, "view": complete_view(args["view"], "VHELD")}

    fake_slack.set_response("views.open", held_views_open)
    # At DEBUG, slack_sdk logs each answer it receives: proof the process was there for it.
    process = start_serve({**base_env, "LOG_LEVEL": "DEBUG"}, tmp_path)
    log = LogLines(process)
    url = f"http://127.0.0.1:{base_env['PORT']}"
    wait_until_healthy(process, url)
    answer = SlackRequester(url, SIGNING_SECRET).send(slash_command("log", channel_id="CPRICES"))
    assert answer.status == 200  # acknowledged; the form is still being opened
    assert arrived.wait(timeout=30)
    process.send_signal(signal.SIGTERM)
    log.wait_for("received SIGTERM")
    assert process.poll() is None  # waiting for the form, not gone without it
    release.set()
    output = log.until_exit()
    (opened,) = fake_slack.calls("views.open")
    assert opened.args["view"]["callback_id"]
    assert output.index("received SIGTERM") < output.index("VHELD") < output.index("stopped")


def test_commands_are_acknowledged_while_earlier_commands_work_is_held(
    base_env: dict[str, str], tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """Twelve `/engage log` forms held at views.open (more than every thread serve has for
    listeners and commands together) do not stop a thirteenth command being acknowledged;
    all the work is done once Slack answers."""
    release = threading.Event()

    def held_views_open(args: dict[str, Any]) -> dict[str, Any]:
        release.wait(timeout=60)
        return {"ok": True, "view": complete_view(args["view"], "VHELD")}

    fake_slack.set_response("views.open", held_views_open)
    process = start_serve(base_env, tmp_path)
    url = f"http://127.0.0.1:{base_env['PORT']}"
    try:
        wait_until_healthy(process, url)
        requester = SlackRequester(url, SIGNING_SECRET)
        forms = [requester.send(slash_command("log", channel_id="CPRICES")) for _ in range(12)]
        assert [answer.status for answer in forms] == [200] * 12
        answer = requester.send(slash_command("help", response_url=fake_slack.response_url("h")))
        assert answer.status == 200
        assert not fake_slack.calls("response_url")  # its reply waits its turn
        release.set()
        reply = fake_slack.wait_for("response_url", timeout=30)[0]
        assert "/engage log" in reply.args["text"]
        assert len(fake_slack.wait_for("views.open", count=12, timeout=30)) == 12
    finally:
        release.set()
        stop(process)


def announce_a_change(database_url: str) -> None:
    """A change saved as `/engage change` saves it: its announcement waits for a tick."""
    database = Database(database_url)
    team_id = make_team(database)
    now = utc_now()
    with database.transaction() as session:
        output = session.exec(select(StatisticalOutput)).first()
        draft = ChangeDraft(
            "New weights",
            "Weights move to 2026 spending.",
            team_id=team_id,
            output_id=output.id if output else None,
            effective_on=now.date() + timedelta(days=60),
        )
        save_change(session=session, draft=draft, now=now, default_zone=UTC, user_id="U1")
    database.dispose()


@pytest.mark.parametrize("scheduler", ["on", "off"])
def test_serve_ticks_unless_its_scheduler_is_off(
    tmp_path: Path, fake_slack: FakeSlack, sqlite_template: Path, scheduler: str
) -> None:
    env = {
        **serve_environment(tmp_path, fake_slack, sqlite_template),
        "ENGAGEBOT_TICK_SECONDS": "1",
        "ENGAGEBOT_SCHEDULER": scheduler,
    }
    announce_a_change(env["DATABASE_URL"])
    process = start_serve(env, tmp_path)
    wait_until_healthy(process, f"http://127.0.0.1:{env['PORT']}")
    if scheduler == "on":
        (posted,) = fake_slack.wait_for("chat.postMessage", timeout=30)
        assert posted.args["channel"] == "CPRICES" and "New weights" in posted.args["text"]
    else:
        time.sleep(2)  # two ticks' time: long enough for a tick that should not happen
        assert fake_slack.calls("chat.postMessage") == []
    output = stop(process)
    assert ("scheduler ticking every 1 s" in output) == (scheduler == "on")


def test_socket_mode_uses_the_configured_api_url(
    base_env: dict[str, str], tmp_path: Path, fake_slack: FakeSlack
) -> None:
    env = {**base_env, "SLACK_APP_TOKEN": "xapp-test-token", "SLACK_SIGNING_SECRET": ""}
    process = start_serve(env, tmp_path)
    try:
        opened = fake_slack.wait_for("apps.connections.open", timeout=30)[0]
        assert opened.headers["authorization"] == "Bearer xapp-test-token"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output


def test_an_unreachable_database_is_one_clear_line(
    base_env: dict[str, str], tmp_path: Path, run: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    env = {**base_env, "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/engagebot"}
    for command in (["serve"], ["db", "upgrade"]):
        result = run(command, env, tmp_path)
        assert result.returncode == 1
        assert "the database failed (OperationalError" in result.stderr
        assert "check DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_slack_out_of_reach_is_one_clear_line(
    base_env: dict[str, str], tmp_path: Path, run: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    result = run(["serve"], {**base_env, "SLACK_API_URL": "http://127.0.0.1:9/api/"}, tmp_path)
    assert result.returncode == 1
    assert "engagebot: cannot reach Slack at http://127.0.0.1:9/api/" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_without_tables_says_to_upgrade(
    base_env: dict[str, str], tmp_path: Path, run: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    (tmp_path / "served.sqlite").touch()  # the file is there, its tables are not
    result = run(["export", "engagements"], base_env, tmp_path)
    assert result.returncode == 1
    assert "run `engagebot db upgrade` to create the tables" in result.stderr


def test_an_export_read_only_in_part_ends_quietly(
    tmp_path: Path, fake_slack: FakeSlack, sqlite_template: Path
) -> None:
    export = subprocess.Popen(
        engagebot("export", "teams"),
        env=serve_environment(tmp_path, fake_slack, sqlite_template),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert export.stdout is not None
    export.stdout.close()  # like `| head` giving up before the end
    _, errors = export.communicate(timeout=60)
    assert export.returncode == 0 and b"Traceback" not in errors
