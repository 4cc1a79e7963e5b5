"""An alert to many channels while Slack rate-limits some posts: each channel gets it once.

bench/scheduler_bench.py does the same with 1,000 channels and measures it; this is the
small version that runs with the tests.
"""

from __future__ import annotations

import collections
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.cli import main
from bot.console.slack_standin import SlackStandIn
from storage.database import Database
from storage.models import Delivery, StatisticalOutput, Subscription, UpcomingChange
from tests.e2e.helpers import make_team

CHANNELS = [f"CSUB{number:02d}" for number in range(30)]
LIMITED_ONCE = CHANNELS[3::7]  # four channels: one 429 each, which the client waits out
STUBBORN = CHANNELS[5]  # 429 four times running: more than the client retries
ANNOUNCED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def slack_for_tick(
    fake_slack: SlackStandIn, cli_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`engagebot tick` pointed at the fake Slack, posting without pacing."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    monkeypatch.setenv("ENGAGEBOT_CHANNEL_PACE_SECONDS", "0")


def accepted_posts(fake_slack: SlackStandIn) -> collections.Counter[str]:
    """How many posts Slack accepted in each channel."""
    return collections.Counter(
        call.args["channel"]
        for call in fake_slack.calls("chat.postMessage")
        if call.response.get("ok")
    )  # fmt: skip


def rate_limit(fake_slack: SlackStandIn, channel: str, times: int) -> None:
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
    cli_database: Database, fake_slack: SlackStandIn
) -> None:
    team = make_team(cli_database)
    with cli_database.transaction() as session:
        for channel in CHANNELS:
            session.add(Subscription(channel_id=channel, team_id=team, created_by="U0001"))
        cpi = session.exec(select(StatisticalOutput).where(StatisticalOutput.team_id == team))
        session.add(
            UpcomingChange(
                team_id=team,
                output_id=cpi.first().id,  # type: ignore[union-attr]
                title="CPI weights rebased",
                description="From January the basket's weights use 2026 spending.",
                effective_on=date(2027, 1, 15),  # its 28-day reminder: 18 December, 09:00
                created_by="ULEAD",
                created_at=ANNOUNCED,
                updated_at=ANNOUNCED,
            )
        )
    for channel in LIMITED_ONCE:
        rate_limit(fake_slack, channel, times=1)
    rate_limit(fake_slack, STUBBORN, times=4)

    assert main(["tick", "--at", "2026-12-18T09:00:00Z"]) == 0
    everyone = ["CPRICES", *CHANNELS]  # the team's home channel, then its subscribers
    assert accepted_posts(fake_slack) == {channel: 1 for channel in everyone if channel != STUBBORN}
    with cli_database.transaction() as session:
        waiting = session.exec(select(Delivery).where(Delivery.status != "sent")).one()
    assert (waiting.target, waiting.status) == (STUBBORN, "pending")
    assert waiting.last_error == "ratelimited (HTTP 429)"

    # Ticking again before the back-off ends sends nothing; after it, the one left.
    assert main(["tick", "--at", "2026-12-18T09:01:00Z"]) == 0
    assert main(["tick", "--at", "2026-12-18T09:02:00Z"]) == 0
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
