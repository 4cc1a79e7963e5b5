"""When the database is down: nothing is half-recorded, and the person is told why."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date

import pytest

from bot.console.payloads import app_home_opened, slash_command, state_values, view_submission
from bot.console.slack_standin import SlackStandIn
from handlers.views.engagement import engagement_modal
from handlers.views.entries import FormOrigin
from storage.database import Database
from tests.conftest import RunningBot, test_settings
from tests.e2e.helpers import reply_text, run_command

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-directory/engagebot.sqlite",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/engagebot",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def broken_bot(request: pytest.FixtureRequest, fake_slack: SlackStandIn) -> Iterator[RunningBot]:
    url = UNREACHABLE[request.param]
    database = Database(url)
    running = RunningBot(test_settings(fake_slack, url), database, fake_slack)
    yield running
    running.stop()
    database.dispose()


def test_health_check_answers_503_when_the_database_is_unreachable(broken_bot: RunningBot) -> None:
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(broken_bot.url + "/healthz", timeout=10)
    assert failure.value.code == 503
    report = json.loads(failure.value.read())
    assert report["status"] == "unavailable" and report["database"].startswith("unreachable")


def test_health_check_answers_200_with_a_database(bot: RunningBot) -> None:
    with urllib.request.urlopen(bot.url + "/healthz", timeout=10) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"status": "ok", "database": "ok"}


def test_a_quick_log_says_nothing_was_recorded_and_keeps_the_text(broken_bot: RunningBot) -> None:
    reply = run_command(broken_bot, "log Met the RSS")
    shown = reply_text(reply)
    assert "Nothing was recorded: the database could not save it" in shown
    assert "Met the RSS" in shown


def test_a_form_stays_open_with_the_error_when_saving_fails(broken_bot: RunningBot) -> None:
    view = engagement_modal(
        segments=[],
        today=date(2026, 1, 5),
        metadata=FormOrigin("engagement").to_json(),
    )
    values = state_values(view, {"team": ("Prices", "1"), "summary": "Typed with care"})
    answer = broken_bot.requester.send(view_submission(view, values))
    assert answer.json["response_action"] == "errors"
    assert answer.json["errors"]["summary"].startswith("Nothing was recorded")


def test_the_form_that_cannot_load_says_why(broken_bot: RunningBot) -> None:
    broken_bot.requester.send(slash_command("log", channel_id="CPRICES"))
    view = broken_bot.slack.wait_for("views.open")[0].args["view"]
    assert "database is not answering" in view["blocks"][0]["text"]["text"]


def test_home_says_why_it_is_empty(broken_bot: RunningBot) -> None:
    broken_bot.requester.send(app_home_opened("U0001"))
    view = broken_bot.slack.wait_for("views.publish")[0].args["view"]
    assert "database is not answering" in json.dumps(view)
