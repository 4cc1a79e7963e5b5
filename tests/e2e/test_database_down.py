"""When the database is down or fails half-way: nothing is half-recorded, and the person is
told why."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import text

from bot.base.text import escape_mrkdwn
from bot.runtime.console.payloads import (
    app_home_opened,
    block_actions,
    slash_command,
    state_values,
    view_submission,
)
from handlers.views.engagement import engagement_modal
from handlers.views.entries import FormOrigin
from handlers.views.limits import problems
from storage.database import Database
from storage.models import Engagement
from tests.conftest import RunningBot, test_settings
from tests.e2e.helpers import (
    count_rows,
    handed_back,
    inputs,
    make_team,
    opened_view,
    reply_text,
    run_command,
    wait_for_reply,
)
from tests.fake_slack import FakeSlack

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-directory/engagebot.sqlite",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/engagebot",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def broken_bot(request: pytest.FixtureRequest, fake_slack: FakeSlack) -> Iterator[RunningBot]:
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
    assert handed_back(reply) == "Met the RSS"


@pytest.mark.parametrize("subcommand", ["log", "feedback", "insight"])
def test_text_escaping_lengthens_comes_back_whole_within_slacks_limits(
    broken_bot: RunningBot, subcommand: str
) -> None:
    """Issue 13: 3,000 `&` typed while the database was down came back in one section of
    15,130 characters, which Slack refused (and a summary over its limit opened a form
    that could only say the database was down): the text was lost."""
    typed = "&" * 3000
    reply = run_command(broken_bot, f"{subcommand} {escape_mrkdwn(typed)}")  # as Slack sends it
    assert problems(reply) == []
    assert "Nothing was recorded: the database could not save it" in reply_text(reply)
    assert handed_back(reply) == typed
    assert not broken_bot.slack.calls("views.open")


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


@contextmanager
def refused(database: Database, operation: str, table: str) -> Iterator[None]:
    """The database refuses every `operation` (INSERT, DELETE) on `table`, as a full disk
    or a lost connection would, in the middle of a transaction that has written already."""
    if database.url.startswith("sqlite"):
        made = [
            f"CREATE TRIGGER refuse BEFORE {operation} ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        ]
        dropped = ["DROP TRIGGER refuse"]
    else:
        made = [
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
            f"CREATE TRIGGER refuse BEFORE {operation} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse()",
        ]
        # The PostgreSQL test database outlives the test: leave it as it was.
        dropped = [f"DROP TRIGGER refuse ON {table}", "DROP FUNCTION refuse()"]
    with database.engine.begin() as connection:
        for statement in made:
            connection.execute(text(statement))
    try:
        yield
    finally:
        with database.engine.begin() as connection:
            for statement in dropped:
                connection.execute(text(statement))


def test_a_form_that_fails_half_way_records_nothing(bot: RunningBot) -> None:
    make_team(bot.database)
    bot.requester.send(slash_command("log", channel_id="CPRICES"))
    view = opened_view(bot)
    segment = inputs(view)["segments"]["options"][0]["value"]
    values = state_values(view, {"summary": "Typed with care", "segments": [segment]})
    # The engagement row is written, then its segment link fails: the row must go too.
    with refused(bot.database, "INSERT", "engagement_segment"):
        answer = bot.requester.send(view_submission(view, values))
    assert answer.json["response_action"] == "errors"
    assert answer.json["errors"]["summary"].startswith("Nothing was recorded: the database")
    assert count_rows(bot.database, Engagement) == 0


def test_an_undo_the_database_refuses_deletes_nothing_and_says_so(bot: RunningBot) -> None:
    make_team(bot.database)
    undo = run_command(bot, "log Kept")["blocks"][1]["elements"][1]
    with refused(bot.database, "DELETE", "engagement"):
        bot.requester.send(
            block_actions(
                undo["action_id"],
                undo["value"],
                response_url=bot.slack.response_url("undo"),
                ephemeral=True,
            )
        )
        told = wait_for_reply(bot, "undo")
    assert told["text"].startswith(":warning: Nothing was deleted: the database could not do it")
    assert count_rows(bot.database, Engagement) == 1
