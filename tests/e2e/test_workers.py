"""`engagebot serve --workers N`: gunicorn's master and N worker processes, for real, on a
free port, with the Slack stand-in. Signed requests are answered by both workers, a SIGTERM
lets a request in flight (and the work it starts after ack()) finish, /healthz answers, and
of every ticker in every process and replica exactly one ticks, another taking over when
it is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.runtime.console.payloads import slash_command
from bot.runtime.signed_requests import MAX_BODY_BYTES
from storage.database import Database
from tests.conftest import SIGNING_SECRET
from tests.e2e.helpers import wait_for_empty_inbox
from tests.e2e.hostile import answer_to_an_announced_body, answer_to_an_endless_chunked_body
from tests.e2e.serve_process import (
    LogLines,
    free_port,
    killed_at_the_end,
    pid_of,
    serve_environment,
    start_serve,
    wait_until_healthy,
)
from tests.e2e.test_replicas import announce_changes, posted_keys, wait_until_all_sent
from tests.fake_slack import FakeSlack
from tests.slack_requests import Response, SlackRequester

BOOTED = "Booting worker with pid: "
LEADS = "ticks the scheduler now"
TICKED = "tick as of"


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes started by a test; any still running at its end is killed."""
    with killed_at_the_end() as processes:
        yield processes


def serve_workers(
    started: list[subprocess.Popen[str]], env: dict[str, str], cwd: Path, workers: int
) -> tuple[LogLines, str, list[int]]:
    """`engagebot serve --workers N`, answering: its log, its URL, its workers' pids."""
    process = start_serve(env, cwd, "--workers", str(workers))
    started.append(process)
    log = LogLines(process)
    url = f"http://127.0.0.1:{env['PORT']}"
    wait_until_healthy(process, url)
    booted = log.wait_for_all(BOOTED, workers)
    return log, url, [int(line.rpartition(BOOTED)[2]) for line in booted]


def answered_by(log: LogLines, answer: Response) -> int:
    """The pid of the process that answered: its log lines carry the answer's request id."""
    assert answer.status == 200, answer
    return pid_of(log.wait_for(f"[{answer.headers['X-Request-Id']}]"))


def test_signed_requests_are_answered_by_two_worker_processes(
    tmp_path: Path, fake_slack: FakeSlack, started: list[subprocess.Popen[str]]
) -> None:
    """Which worker the kernel hands a connection to is its choice: with the first
    worker to answer stopped (SIGSTOP), the next request can only be the other's."""
    # At DEBUG, each request's lines (Bolt's, slack_sdk's) carry its id and the pid. No
    # ticker: a worker stopped in the middle of a write would keep SQLite's lock, and the
    # other could not keep the next request (nor acknowledge it within Bolt's 3 s).
    env = {**serve_environment(tmp_path, fake_slack), "LOG_LEVEL": "DEBUG"}
    env["ENGAGEBOT_SCHEDULER"] = "off"
    log, url, workers = serve_workers(started, env, tmp_path, workers=2)
    master = started[0].pid
    assert master not in workers and len(set(workers)) == 2
    with urllib.request.urlopen(url + "/healthz", timeout=10) as health:
        assert json.loads(health.read()) == {"status": "ok", "database": "ok"}
    requester = SlackRequester(url, SIGNING_SECRET)

    def help_answered(number: int) -> int:
        answer = requester.send(
            slash_command("help", response_url=fake_slack.response_url(f"{number}"))
        )
        (reply,) = fake_slack.wait_for("response_url", count=number, timeout=30)[number - 1 :]
        assert "/engage log" in reply.args["text"]  # the work after ack() was done too
        return answered_by(log, answer)

    first = help_answered(1)
    served = Database(env["DATABASE_URL"])
    wait_for_empty_inbox(served)  # its last write: the command, deleted once answered
    served.dispose()
    os.kill(first, signal.SIGSTOP)
    try:
        second = help_answered(2)
    finally:
        os.kill(first, signal.SIGCONT)
    assert {first, second} == set(workers)
    assert requester.send(slash_command("help"), tamper=True).status == 401
    output = log.stop()
    assert "Handling signal: term" in output and output.endswith("stopped")
    assert all(f"worker {pid} stopped" in output for pid in workers)


def test_sigterm_answers_the_request_in_flight_and_finishes_its_work(
    tmp_path: Path, fake_slack: FakeSlack, started: list[subprocess.Popen[str]]
) -> None:
    """A worker's first request asks Slack who the bot is (`auth.test`) before ack(); Slack
    holds that answer until the server has been told to stop, and the request is still
    answered, and its reply (sent after ack()) still posted, before the server exits 0."""
    env = serve_environment(tmp_path, fake_slack)
    log, url, _workers = serve_workers(started, env, tmp_path, workers=2)
    asked = fake_slack.hold("auth.test")  # after `serve`'s own sign-in at start
    answers: list[Response] = []
    request = threading.Thread(
        target=lambda: answers.append(
            SlackRequester(url, SIGNING_SECRET).send(
                slash_command("help", response_url=fake_slack.response_url("held"))
            )
        )
    )
    request.start()
    fake_slack.wait_for("auth.test", count=2, timeout=30)  # the worker's, in flight
    started[0].send_signal(signal.SIGTERM)
    log.wait_for("Handling signal: term")
    assert started[0].poll() is None  # waiting for the request, not gone without it
    asked.set()
    request.join(timeout=30)
    assert [answer.status for answer in answers] == [200]
    (reply,) = fake_slack.wait_for("response_url", timeout=30)
    assert "/engage log" in reply.args["text"]
    output = log.until_exit()
    assert output.index("Handling signal: term") < output.index("Shutting down: Master")


@pytest.mark.slow
def test_bodies_over_the_cap_are_refused_before_they_are_read(
    tmp_path: Path, fake_slack: FakeSlack, started: list[subprocess.Popen[str]]
) -> None:
    """gunicorn reads no body for the app: `bot/runtime/signed_requests.py` holds the cap, for a
    body announced too large and for a chunked one that never ends; a signed body of the
    largest size Slack sends is read."""
    env = {**serve_environment(tmp_path, fake_slack), "ENGAGEBOT_SCHEDULER": "off"}
    log, url, _workers = serve_workers(started, env, tmp_path, workers=2)
    assert answer_to_an_announced_body(url, MAX_BODY_BYTES + 1).startswith("HTTP/1.1 413")
    endless = answer_to_an_endless_chunked_body(url, most=2 * MAX_BODY_BYTES)
    assert endless.startswith("HTTP/1.1 413")
    largest = slash_command("help", response_url=fake_slack.response_url("large"))
    body = f"{urlencode(largest)}&padding=".encode()
    body += b"x" * (MAX_BODY_BYTES - len(body))
    assert SlackRequester(url, SIGNING_SECRET).raw(body).status == 200
    assert "/engage log" in fake_slack.wait_for("response_url", timeout=30)[0].args["text"]
    output = log.stop()
    assert output.count("refused a request with 413") == 2 and "Traceback" not in output


@pytest.mark.slow
def test_exactly_one_process_ticks_and_another_takes_over_when_it_is_killed(
    tmp_path: Path,
    fake_slack: FakeSlack,
    database: Database,
    database_url: str,
    started: list[subprocess.Popen[str]],
) -> None:
    """Two replicas on one database, of two worker processes each: four tickers, every
    second. One leads and ticks; the alerts due go out once. Its process killed (SIGKILL,
    no handing over), another takes over once the lease runs out, and it alone ticks."""
    env = {
        **serve_environment(tmp_path, fake_slack),
        "DATABASE_URL": database_url,
        "ENGAGEBOT_TICK_SECONDS": "1",
        "ENGAGEBOT_CHANNEL_PACE_SECONDS": "0",
    }
    replicas = [
        serve_workers(started, {**env, "PORT": str(free_port())}, tmp_path, workers=2)
        for _ in range(2)
    ]
    logs = [log for log, _url, _workers in replicas]
    announce_changes(database, 2, subscribers=3)
    sent = wait_until_all_sent(database)
    assert posted_keys(fake_slack) == Counter({delivery.key: 1 for delivery in sent})

    def ticking() -> set[int]:
        return {pid_of(line) for log in logs for line in log.having(TICKED)}

    def leaders() -> list[int]:
        return [pid_of(line) for log in logs for line in log.having(LEADS)]

    (leader,) = leaders()
    assert ticking() == {leader}
    assert {int(d.claimed_by.split(":")[1]) for d in sent if d.claimed_by} == {leader}
    os.kill(leader, signal.SIGKILL)
    # Another takes over once the lease runs out (gunicorn starts a worker in the killed
    # one's place, which may be the one), and ticks.
    wait_until(lambda: len(leaders()) == 2)
    successor = leaders()[1]
    wait_until(
        lambda: sum(pid_of(line) == successor for log in logs for line in log.having(TICKED)) >= 3
    )
    assert successor != leader and ticking() == {leader, successor}
    for log in logs:
        log.stop()


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "still not so"
        time.sleep(0.1)
