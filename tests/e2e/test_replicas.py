"""Several `engagebot serve` processes against one PostgreSQL: each alert goes out once,
sent by the one that leads, a web-only replica never ticks, and a process killed in the
middle of a send loses and repeats nothing. Real processes, the Slack stand-in, a real
PostgreSQL database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.changes.announcing import ChangeDraft, save_change
from storage.clock import utc_now
from storage.database import Database
from storage.models import Delivery, StatisticalOutput, Subscription
from tests.conftest import SIGNING_SECRET, _empty_postgres
from tests.e2e.helpers import make_team, run_cli
from tests.e2e.serve_process import (
    free_port,
    killed_at_the_end,
    start_serve,
    stop,
    wait_until_healthy,
)
from tests.fake_slack import FakeSlack

SUBSCRIBERS = 19  # with the team's home channel, 20 channels hear of each change
CHANGES = 3
LEASE_SECONDS = 1


@pytest.fixture
def database_url(postgres_url: str) -> str:
    """These tests are about PostgreSQL's row locks: they run on it alone."""
    _empty_postgres(postgres_url)
    return postgres_url


@pytest.fixture
def replicas(
    fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> Iterator[list[subprocess.Popen[str]]]:
    """Started processes; any still running at the end is killed."""
    with killed_at_the_end() as started:
        yield started


def env_for(fake_slack: FakeSlack, database_url: str, **settings: str) -> dict[str, str]:
    keep = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SLACK_", "DATABASE_URL", "ENGAGEBOT_"))
    }
    return {
        **keep,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
        "ENGAGEBOT_TICK_SECONDS": "1",
        "ENGAGEBOT_CHANNEL_PACE_SECONDS": "0",
        # One process each (not one a core): the pid in a claim is the replica's.
        "ENGAGEBOT_WORKERS": "1",
        **settings,
    }


def serve(
    replicas: list[subprocess.Popen[str]], env: dict[str, str], cwd: Path
) -> tuple[subprocess.Popen[str], str]:
    """`engagebot serve` started (not yet answering), and its URL."""
    process = start_serve(env, cwd)
    replicas.append(process)
    return process, f"http://127.0.0.1:{env['PORT']}"


def announce_changes(database: Database, count: int, subscribers: int = 0) -> None:
    """`count` changes of one team, each announced to its home channel and `subscribers`."""
    team_id = make_team(database)
    now = utc_now()
    with database.transaction() as session:
        for number in range(subscribers):
            session.add(Subscription(channel_id=f"CSUB{number:02d}", team_id=team_id))
        output = session.exec(select(StatisticalOutput)).first()
        assert output is not None
        for number in range(count):
            draft = ChangeDraft(
                f"Change {number}",
                "Weights move to 2026 spending.",
                team_id=team_id,
                output_id=output.id,
                effective_on=now.date() + timedelta(days=60),
            )
            save_change(session=session, draft=draft, now=now, default_zone=UTC, user_id="U1")


def deliveries(database: Database) -> list[Delivery]:
    with database.transaction() as session:
        return list(session.exec(select(Delivery)).all())


def wait_until_all_sent(database: Database, timeout: float = 60) -> list[Delivery]:
    deadline = time.monotonic() + timeout
    while True:
        found = deliveries(database)
        if found and all(delivery.status == "sent" for delivery in found):
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(Counter(delivery.status for delivery in found))
        time.sleep(0.1)


def posted_keys(fake_slack: FakeSlack) -> Counter[str]:
    """How often Slack took a post of each delivery (by the key in its metadata)."""
    return Counter(
        call.args["metadata"]["event_payload"]["key"]
        for call in fake_slack.calls("chat.postMessage")
        if call.response.get("ok")
    )


@pytest.mark.slow
def test_three_schedulers_send_each_alert_once_and_a_web_replica_sends_none(
    fake_slack: FakeSlack,
    database: Database,
    database_url: str,
    tmp_path: Path,
    replicas: list[subprocess.Popen[str]],
) -> None:
    schedulers = [serve(replicas, env_for(fake_slack, database_url), tmp_path) for _ in range(3)]
    web = serve(replicas, env_for(fake_slack, database_url, ENGAGEBOT_SCHEDULER="off"), tmp_path)
    for process, url in [*schedulers, web]:
        wait_until_healthy(process, url)
    # Due only now; the one of the three that leads ticks every second (bot/runtime/ticker.py).
    announce_changes(database, CHANGES, subscribers=SUBSCRIBERS)
    sent = wait_until_all_sent(database)
    assert len(sent) == CHANGES * (SUBSCRIBERS + 1)
    assert posted_keys(fake_slack) == Counter({delivery.key: 1 for delivery in sent})
    assert {delivery.attempts for delivery in sent} == {1}
    senders = {int(delivery.claimed_by.split(":")[1]) for delivery in sent if delivery.claimed_by}
    assert len(senders) == 1 and senders <= {process.pid for process, _url in schedulers}
    assert web[0].pid not in senders
    for process in replicas:
        stop(process)


@pytest.mark.slow
@pytest.mark.parametrize("killed", ["after Slack took the post", "before the post"])
def test_a_scheduler_killed_mid_send_loses_and_repeats_nothing(
    fake_slack: FakeSlack,
    database: Database,
    database_url: str,
    tmp_path: Path,
    replicas: list[subprocess.Popen[str]],
    killed: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = env_for(fake_slack, database_url, ENGAGEBOT_SENDING_LEASE_SECONDS=str(LEASE_SECONDS))
    announce_changes(database, 1)
    if killed == "before the post":
        # Not in the channel: the bot looks the channel up to join it, and dies meanwhile.
        fake_slack.fail_next("chat.postMessage", "not_in_channel")
        method = "conversations.info"
    else:
        method = "chat.postMessage"
    released = fake_slack.hold(method)
    process, _url = serve(replicas, env, tmp_path)
    fake_slack.wait_for(method, timeout=30)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    released.set()
    (cut_short,) = deliveries(database)
    assert cut_short.status == "sending"
    assert cut_short.claimed_at is not None
    # Once the lease has run out, the next tick (`engagebot tick`, here) settles it.
    held_for = (utc_now() - cut_short.claimed_at).total_seconds()
    time.sleep(max(0.0, LEASE_SECONDS - held_for))
    monkeypatch.chdir(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, said, _errors = run_cli(capsys, "tick")
    assert code == 0
    (delivery,) = deliveries(database)
    assert delivery.status == "sent"
    assert posted_keys(fake_slack) == Counter({delivery.key: 1})
    (post,) = [call for call in fake_slack.calls("chat.postMessage") if call.response.get("ok")]
    assert delivery.message_ts == post.response["ts"]
    assert said == (
        "Tick done: 0 sent, 0 to retry, 0 failed, 0 skipped.\n"
        if killed == "after Slack took the post"
        else "Tick done: 1 sent, 0 to retry, 0 failed, 0 skipped.\n"
    )
