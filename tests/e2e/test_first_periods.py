"""No scheduled review or digest covers a period that ended before its team was set up, or
before the team chose the channel; a team's first period covers the days since it was set
up, and says so. Through `engagebot tick --at` and the Slack stand-in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.runtime.app import build_scheduler
from bot.runtime.cli import main
from storage.clock import Clock
from storage.database import Database
from storage.models import Delivery
from tests.conftest import RunningBot
from tests.e2e.helpers import make_team, reply_text, run_command, set_up_at
from tests.e2e.test_review_command import press_post
from tests.fake_slack import FakeSlack

Tick = Callable[[str], None]
# Monday 7 December 2026: the review and digest of November fell due on Tuesday the 1st.
SEVENTH = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def tick(fake_slack: FakeSlack, cli_database: Database, monkeypatch: pytest.MonkeyPatch) -> Tick:
    """`engagebot tick --at MOMENT`, as cron would run it."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)

    def run(moment: str) -> None:
        assert main(["tick", "--at", moment]) == 0

    return run


def reviewing_team(database: Database, *, set_up: datetime, channels_chosen: datetime) -> int:
    """Prices, with its monthly review in CREVIEW and monthly digest in CDIGEST."""
    team_id = make_team(database)
    with database.transaction() as session:
        team = set_up_at(session, team_id, set_up)
        team.review_channel_id, team.review_cadence = "CREVIEW", "monthly"
        team.digest_channel_id, team.digest_cadence = "CDIGEST", "monthly"
        team.review_channel_set_at = team.digest_channel_set_at = channels_chosen
        session.add(team)
    return team_id


def posts(fake_slack: FakeSlack) -> dict[str, str]:
    """What each channel was shown, by channel (one post each, at most)."""
    shown = {
        call.args["channel"]: reply_text(call.args)
        for call in fake_slack.calls("chat.postMessage")
        if call.response.get("ok")
    }
    fake_slack.reset()
    return shown


def keys(database: Database) -> list[str]:
    with database.transaction() as session:
        return sorted(session.exec(select(Delivery.key)).all())


def test_a_team_set_up_on_the_seventh_gets_no_review_or_digest_of_the_month_before(
    database: Database, fake_slack: FakeSlack, tick: Tick
) -> None:
    team = reviewing_team(database, set_up=SEVENTH, channels_chosen=SEVENTH)
    tick("2026-12-07T12:00:00+00:00")
    assert posts(fake_slack) == {}
    assert keys(database) == []  # nothing was owed: November ended before Prices began

    tick("2027-01-01T09:00:00+00:00")  # Friday 1 January: a working day, as far as it knows
    shown = posts(fake_slack)
    assert sorted(shown) == ["CDIGEST", "CREVIEW"]
    set_up = "Prices was set up on 7 December 2026, so this begins that day."
    assert "7 December 2026 to 31 December 2026. " + set_up in shown["CREVIEW"]
    assert (
        "From 7 December 2026 to 31 December 2026, Prices logged no engagements"
        in (shown["CREVIEW"])
    )
    assert "7 December 2026 to 31 December 2026" in shown["CDIGEST"]
    assert set_up in shown["CDIGEST"]
    assert keys(database) == [
        f"digest:{team}:2026-12-07:2026-12-31:CDIGEST",
        f"review:{team}:2026-12-07:2026-12-31:CREVIEW",
    ]


def test_a_channel_chosen_on_the_seventh_gets_no_post_of_the_month_before(
    database: Database, fake_slack: FakeSlack, tick: Tick
) -> None:
    team = reviewing_team(
        database, set_up=datetime(2026, 6, 1, 9, tzinfo=UTC), channels_chosen=SEVENTH
    )
    tick("2026-12-07T12:00:00+00:00")
    assert posts(fake_slack) == {}
    tick("2027-01-01T09:00:00+00:00")
    shown = posts(fake_slack)
    assert "In December 2026, Prices logged no engagements" in shown["CREVIEW"]
    assert "was set up" not in shown["CREVIEW"] + shown["CDIGEST"]
    assert keys(database) == [
        f"digest:{team}:2026-12-01:2026-12-31:CDIGEST",
        f"review:{team}:2026-12-01:2026-12-31:CREVIEW",
    ]


def test_asked_for_after_it_was_posted_the_first_review_is_the_same_post(
    bot: RunningBot, clock: Clock
) -> None:
    """`/engage review` of the month the team began covers the same days as the scheduled
    review, so "Post to channel" finds it already posted rather than posting it again."""
    reviewing_team(bot.database, set_up=SEVENTH, channels_chosen=SEVENTH)
    clock.move_to(datetime(2027, 1, 1, 9, tzinfo=UTC))
    assert build_scheduler(bot.settings, bot.database).tick(clock.now()).sent == 2
    clock.move_to(datetime(2027, 1, 4, 12, tzinfo=UTC))
    answer = run_command(bot, "review")
    assert "7 December 2026 to 31 December 2026" in reply_text(answer)
    told = press_post(bot, answer, "CPRICES", "post")
    assert (
        told
        == "The review of 7 December 2026 to 31 December 2026 was already posted to <#CREVIEW>."
    )
    assert (
        len([c for c in bot.slack.calls("chat.postMessage") if c.args["channel"] == "CREVIEW"]) == 1
    )
