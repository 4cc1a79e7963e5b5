"""An alert to many channels while Slack rate-limits some posts: each channel gets it once,
even when Slack asks to wait longer than a sender's lease.

bench/scheduler_bench.py does the same with 1,000 channels and measures it; this is the
small version that runs with the tests.
"""

from __future__ import annotations

import collections
import contextlib
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.runtime.cli import main
from storage.clock import Clock
from storage.database import Database
from storage.models import Delivery, StatisticalOutput, Subscription, UpcomingChange
from tests.clocked import engagebot
from tests.e2e.helpers import make_team, run_as_child
from tests.e2e.test_replicas import env_for
from tests.fake_slack import FakeSlack

CHANNELS = [f"CSUB{number:02d}" for number in range(30)]
LIMITED_ONCE = CHANNELS[3::7]  # four channels: one 429 each, which the client waits out
STUBBORN = CHANNELS[5]  # 429 four times running: more than the client retries
ANNOUNCED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
REMINDER_DUE = datetime(2026, 12, 18, 9, 0, tzinfo=UTC)  # 28 days ahead, 09:00 in London
LEASE_SECONDS = 8
LONG_RETRY_AFTER = 20  # seconds: more than the lease


@pytest.fixture
def slack_for_tick(
    fake_slack: FakeSlack, cli_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`engagebot tick` pointed at the fake Slack, posting without pacing."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    monkeypatch.setenv("ENGAGEBOT_CHANNEL_PACE_SECONDS", "0")


def accepted_posts(fake_slack: FakeSlack) -> collections.Counter[str]:
    """How many posts Slack accepted in each channel."""
    return collections.Counter(
        call.args["channel"]
        for call in fake_slack.calls("chat.postMessage")
        if call.response.get("ok")
    )  # fmt: skip


def announce_change(database: Database, team: int) -> None:
    """The team's change taking effect on 15 January 2027, announced on 20 November."""
    with database.transaction() as session:
        cpi = session.exec(select(StatisticalOutput).where(StatisticalOutput.team_id == team))
        session.add(
            UpcomingChange(
                team_id=team,
                output_id=cpi.first().id,  # type: ignore[union-attr]
                title="CPI weights rebased",
                description="From January the basket's weights use 2026 spending.",
                effective_on=date(2027, 1, 15),
                created_by="ULEAD",
                created_at=ANNOUNCED,
                updated_at=ANNOUNCED,
            )
        )


def rate_limit(fake_slack: FakeSlack, channel: str, times: int) -> None:
    # Retry-After 0 keeps the test quick; the client still waits up to a second.
    fake_slack.fail_next(
        "chat.postMessage",
        "ratelimited",
        status=429,
        headers={"Retry-After": "0"},
        times=times,
        channel=channel,
    )


@pytest.mark.usefixtures("slack_for_tick")
def test_rate_limited_posts_are_retried_and_every_channel_hears_once(
    cli_database: Database, fake_slack: FakeSlack
) -> None:
    team = make_team(cli_database)
    with cli_database.transaction() as session:
        for channel in CHANNELS:
            session.add(Subscription(channel_id=channel, team_id=team, created_by="U0001"))
    announce_change(cli_database, team)
    for channel in LIMITED_ONCE:
        rate_limit(fake_slack, channel, times=1)
    rate_limit(fake_slack, STUBBORN, times=4)

    assert main(["tick", "--at", "2026-12-18T09:00:00Z"]) == 0
    everyone = ["CPRICES", *CHANNELS]  # the team's home channel, then its subscribers
    assert accepted_posts(fake_slack) == {channel: 1 for channel in everyone if channel != STUBBORN}
    with cli_database.transaction() as session:
        waiting = session.exec(select(Delivery).where(Delivery.status != "sent")).one()
    # Given back to the queue until Slack's wait is over, the attempt not counted.
    assert (waiting.target, waiting.status, waiting.attempts) == (STUBBORN, "pending", 0)
    assert waiting.last_error == "ratelimited (HTTP 429): Slack asked to wait 0 s"

    # The next tick sends the one left; later ones, nothing more.
    assert main(["tick", "--at", "2026-12-18T09:01:00Z"]) == 0
    assert accepted_posts(fake_slack) == dict.fromkeys(everyone, 1)
    assert main(["tick", "--at", "2026-12-18T09:05:00Z"]) == 0
    assert accepted_posts(fake_slack) == dict.fromkeys(everyone, 1)
    limited = [
        call.args["channel"]
        for call in fake_slack.calls("chat.postMessage")
        if call.response.get("error") == "ratelimited"
    ]
    assert sorted(limited) == sorted([*LIMITED_ONCE, *[STUBBORN] * 4])
    with cli_database.transaction() as session:
        deliveries = session.exec(select(Delivery)).all()
    assert len(deliveries) == len(everyone)
    assert {(delivery.status, delivery.kind) for delivery in deliveries} == {
        ("sent", "change_reminder")
    }


@pytest.mark.slow
def test_a_retry_after_longer_than_the_lease_waits_in_the_queue_and_posts_once(
    cli_database: Database,
    database_url: str,
    fake_slack: FakeSlack,
    clock: Clock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Slack answers the reminder's post 429, Retry-After 20 s, and the lease is 8 s. The
    first `engagebot tick` (a process of its own) gives the reminder back to the queue
    rather than sleep past its lease; another process (the test's) ticking once the lease
    is over finds nothing to take over; the first tick after Slack's wait posts it, once.
    (Sleeping it out, the first tick posted it again after the second had.) The clock
    moves; nobody waits 20 s."""

    def tick() -> str:
        """`engagebot tick` in this process, as of the test's moment; what it said."""
        env = short_lease(fake_slack, database_url)
        done = run_as_child(capsys, monkeypatch, ["tick"], env, tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout

    announce_change(cli_database, make_team(cli_database))
    fake_slack.fail_next(
        "chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "20"}
    )
    clock.move_to(REMINDER_DUE)
    first = subprocess.Popen(
        engagebot("tick"), env=short_lease(fake_slack, database_url), cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        fake_slack.wait_for("chat.postMessage", timeout=30)
        with contextlib.suppress(subprocess.TimeoutExpired):
            first.wait(timeout=30)  # it gives the reminder back and ends (sleeping, it did not)
        clock.move_by(timedelta(seconds=LEASE_SECONDS + 1))
        past_the_lease = tick()
        clock.move_by(timedelta(seconds=LONG_RETRY_AFTER))
        past_the_wait = tick()
        said, _ = first.communicate(timeout=60)
    finally:
        first.kill()
    assert accepted_posts(fake_slack) == {"CPRICES": 1}
    assert "Tick done: 0 sent, 1 to retry, 0 failed, 0 skipped." in said
    assert past_the_lease == "Tick done: 0 sent, 0 to retry, 0 failed, 0 skipped.\n"
    assert past_the_wait == "Tick done: 1 sent, 0 to retry, 0 failed, 0 skipped.\n"
    assert [call.response["ok"] for call in fake_slack.calls("chat.postMessage")] == [False, True]
    with cli_database.transaction() as session:
        (reminder,) = session.exec(select(Delivery)).all()
    assert (reminder.status, reminder.attempts) == ("sent", 1)


def short_lease(fake_slack: FakeSlack, database_url: str) -> dict[str, str]:
    return env_for(fake_slack, database_url, ENGAGEBOT_SENDING_LEASE_SECONDS=str(LEASE_SECONDS))
