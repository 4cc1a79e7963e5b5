"""Insights shared across teams (`/engage insight`, at once or in the form) and the weekly
cross-team digest, through signed requests, the scheduler and the Slack stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.engagements.insights import InsightDraft, save_insight
from bot.runtime.app import build_scheduler
from bot.runtime.console.payloads import (
    block_suggestion,
    slash_command,
    state_values,
    view_submission,
)
from storage.database import Database
from storage.models import Delivery, Insight, Opportunity, OpportunitySignup, Theme
from tests.conftest import RunningBot, test_settings
from tests.e2e.helpers import (
    count_rows,
    handed_back,
    inputs,
    make_team,
    opened_view,
    reply_text,
    run_command,
)
from tests.e2e.test_database_down import UNREACHABLE
from tests.fake_slack import FakeSlack

CHANNELS = "CINSIGHT,CALSO"
MONDAY = date(2027, 5, 10)
DIGEST_AT = datetime(2027, 5, 10, 8, 0, tzinfo=UTC)  # 09:00 in London (summer time)


@pytest.fixture
def sharing_bot(
    fake_slack: FakeSlack, database: Database, database_url: str
) -> Iterator[RunningBot]:
    """The bot with two cross-team channels."""
    settings = test_settings(fake_slack, database_url, ENGAGEBOT_CROSS_TEAM_CHANNELS=CHANNELS)
    running = RunningBot(settings, database, fake_slack)
    yield running
    running.stop()


def posts(slack: FakeSlack, count: int = 0) -> dict[str, str]:
    """What each channel was posted, as a person reads it (waiting for `count` posts)."""
    calls = slack.wait_for("chat.postMessage", count) if count else slack.calls("chat.postMessage")
    return {call.args["channel"]: reply_text(call.args) for call in calls}


# --- /engage insight <text> ------------------------------------------------------------------


def test_an_insight_is_stored_and_shared_in_every_cross_team_channel(
    sharing_bot: RunningBot,
) -> None:
    make_team(sharing_bot.database)
    reply = run_command(sharing_bot, "insight Councils want CPI by region", user="UALICE")
    assert reply["response_type"] == "ephemeral"
    shown = reply_text(reply)
    assert "Shared insight *#1* from Prices in <#CINSIGHT>, <#CALSO>." in shown
    assert ">Councils want CPI by region" in shown
    shared = posts(sharing_bot.slack, 2)
    assert sorted(shared) == ["CALSO", "CINSIGHT"]
    assert ":bulb: *Insight from Prices*" in shared["CINSIGHT"]
    assert "Councils want CPI by region" in shared["CINSIGHT"]
    assert "shared by <@UALICE>" in shared["CINSIGHT"]
    with sharing_bot.database.transaction() as session:
        insight = session.exec(select(Insight)).one()
        assert (insight.team.name, insight.created_by) == ("Prices", "UALICE")
        keys = sorted(session.exec(select(Delivery.key)).all())
    assert keys == ["insight:1:CALSO", "insight:1:CINSIGHT"]


def test_the_text_is_escaped_in_the_answer_and_the_posts(sharing_bot: RunningBot) -> None:
    make_team(sharing_bot.database, "Prices & <b>")
    reply = reply_text(
        run_command(sharing_bot, "insight <!channel> wants <https://x.io|this> & more")
    )
    for shown in (reply, posts(sharing_bot.slack, 2)["CINSIGHT"]):
        assert "<!channel>" not in shown and "<https://x.io" not in shown
        assert "&lt;!channel&gt; wants &lt;https://x.io|this&gt; &amp; more" in shown
        assert "Prices &amp; &lt;b&gt;" in shown


def test_without_a_cross_team_channel_it_is_stored_and_the_admin_setting_named(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    shown = reply_text(run_command(bot, "insight Users read the bulletin on phones"))
    assert "Stored insight *#1* for Prices. It was not shared" in shown
    assert "`ENGAGEBOT_CROSS_TEAM_CHANNELS`" in shown
    assert count_rows(bot.database, Insight) == 1
    assert bot.slack.calls("chat.postMessage") == []


def test_without_a_team_nothing_is_stored(sharing_bot: RunningBot) -> None:
    make_team(sharing_bot.database)
    for text in ("insight Something learnt", "insight"):
        reply = run_command(sharing_bot, text, user="UNEW", channel="CELSEWHERE")
        assert "Nothing was shared: which team's insight is it?" in reply_text(reply)
    assert count_rows(sharing_bot.database, Insight) == 0
    assert sharing_bot.slack.calls("views.open") == []
    assert sharing_bot.slack.calls("chat.postMessage") == []


def test_text_over_the_limit_is_refused_not_cut(sharing_bot: RunningBot) -> None:
    make_team(sharing_bot.database)
    typed = "Councils want CPI by region.\n" * 110  # 3,190 characters
    reply = run_command(sharing_bot, "insight " + typed)
    assert reply["text"] == (
        ":warning: Nothing was shared. The insight is 3,189 characters; "
        "the most it can hold is 3,000. Shorten it and send it again.\nWhat you typed, to copy:"
    )
    assert handed_back(reply) == typed.strip()
    assert count_rows(sharing_bot.database, Insight) == 0


def test_a_subcommand_word_alone_is_answered_with_the_usage_not_shared(
    sharing_bot: RunningBot,
) -> None:
    make_team(sharing_bot.database)
    shown = reply_text(run_command(sharing_bot, "insight list"))
    assert shown.startswith(":warning: Nothing was recorded: `/engage insight list`"), shown
    assert "`/engage insight Councils want CPI by region`" in shown
    assert count_rows(sharing_bot.database, Insight) == 0
    assert sharing_bot.slack.calls("chat.postMessage") == []


def test_a_retried_command_shares_once(sharing_bot: RunningBot) -> None:
    make_team(sharing_bot.database)
    command = slash_command(
        "insight Only once", channel_id="CPRICES", response_url=sharing_bot.slack.response_url("a")
    )
    sharing_bot.requester.send(command)
    sharing_bot.slack.wait_for("response_url")
    sharing_bot.requester.send(command, extra_headers={"X-Slack-Retry-Num": "1"})
    replies = sharing_bot.slack.wait_for("response_url", count=2)
    assert all("insight *#1*" in reply_text(call.args) for call in replies)
    assert count_rows(sharing_bot.database, Insight) == 1
    assert len(sharing_bot.slack.wait_for("chat.postMessage", 2)) == 2


@pytest.fixture
def broken_bot(fake_slack: FakeSlack) -> Iterator[RunningBot]:
    url = UNREACHABLE["sqlite"]
    database = Database(url)
    running = RunningBot(test_settings(fake_slack, url), database, fake_slack)
    yield running
    running.stop()
    database.dispose()


def test_a_database_failure_says_nothing_was_recorded(broken_bot: RunningBot) -> None:
    reply = run_command(broken_bot, "insight Learnt a lot")
    assert "Nothing was recorded: the database could not save it" in reply_text(reply)
    assert handed_back(reply) == "Learnt a lot"
    assert "database is not answering" in reply_text(run_command(broken_bot, "insight"))


# --- the form ---------------------------------------------------------------------------------


def open_form(bot: RunningBot) -> dict[str, Any]:
    bot.requester.send(
        slash_command("insight", channel_id="CPRICES", response_url=bot.slack.response_url("f"))
    )
    return opened_view(bot)


def submit(bot: RunningBot, view: dict[str, Any], **answers: Any) -> Any:
    response = bot.requester.send(view_submission(view, state_values(view, answers)))
    assert response.status == 200, response.body
    return response.json


def test_the_form_asks_text_tags_outputs_and_segments(sharing_bot: RunningBot) -> None:
    make_team(sharing_bot.database)
    make_team(sharing_bot.database, "Labour market", "CLABOUR", "Employment | high")
    form = open_form(sharing_bot)
    assert form["callback_id"] == "insight_form"
    fields = inputs(form)
    assert list(fields) == ["text", "tags", "outputs", "segments"]
    assert fields["text"]["max_length"] == 3000
    assert fields["outputs"]["type"] == "multi_external_select"
    assert fields["segments"]["options"][0]["text"]["text"] == "central government"
    # The outputs offered are the team's only.
    answer = sharing_bot.requester.send(block_suggestion("outputs", view=form))
    offered = [option["text"]["text"] for option in answer.json["options"]]
    assert offered == ["Consumer price inflation", "House price index"]


def test_the_form_stores_tags_as_themes_and_shares_everything(sharing_bot: RunningBot) -> None:
    make_team(sharing_bot.database)
    with sharing_bot.database.transaction() as session:  # a theme feedback already has
        session.add(Theme(name="Timeliness"))
    answer = submit(
        sharing_bot,
        open_form(sharing_bot),
        text="Analysts <re-weight> the index",
        tags="timeliness, Geography, geography",
        outputs=[("House price index", "2")],
        segments=["1", "4"],
    )
    assert answer is None  # the modal closes; the answer comes in the channel
    reply = sharing_bot.slack.wait_for("response_url")[0].args
    assert reply["response_type"] == "ephemeral"
    assert "Shared insight *#1* from Prices in <#CINSIGHT>, <#CALSO>." in reply_text(reply)
    shown = posts(sharing_bot.slack, 2)["CALSO"]
    assert "Analysts &lt;re-weight&gt; the index" in shown
    assert "*Tags:* Geography, Timeliness" in shown
    assert "*Outputs:* House price index" in shown
    assert "*Segments:* central government, media" in shown
    with sharing_bot.database.transaction() as session:
        assert sorted(session.exec(select(Theme.name)).all()) == ["Geography", "Timeliness"]


def test_form_errors_come_back_on_their_fields_and_nothing_is_stored(
    sharing_bot: RunningBot,
) -> None:
    make_team(sharing_bot.database)
    make_team(sharing_bot.database, "Labour market", "CLABOUR", "Employment | high")
    form = open_form(sharing_bot)
    answer = submit(
        sharing_bot,
        form,
        text="   ",
        tags="fine, " + "x" * 61,
        outputs=[("Employment", "3")],
    )
    assert answer == {
        "response_action": "errors",
        "errors": {
            "text": "The insight is required.",
            "tags": f"Tag '{'x' * 40}…' is over 60 characters.",
            "outputs": "Choose outputs of Prices only.",
        },
    }
    many = ", ".join(f"tag {n}" for n in range(21))
    assert submit(sharing_bot, form, text="Fine", tags=many)["errors"] == {
        "tags": "Give at most 20 tags."
    }
    assert count_rows(sharing_bot.database, Insight) == 0
    assert sharing_bot.slack.calls("chat.postMessage") == []


def test_a_retried_submission_shares_once(sharing_bot: RunningBot) -> None:
    make_team(sharing_bot.database)
    form = open_form(sharing_bot)
    payload = view_submission(form, state_values(form, {"text": "Once"}))
    sharing_bot.requester.send(payload)
    sharing_bot.requester.send(payload, extra_headers={"X-Slack-Retry-Num": "1"})
    replies = sharing_bot.slack.wait_for("response_url", count=2)
    assert all("insight *#1*" in reply_text(call.args) for call in replies)
    assert count_rows(sharing_bot.database, Insight) == 1
    assert len(sharing_bot.slack.wait_for("chat.postMessage", 2)) == 2


# --- the weekly cross-team digest ---------------------------------------------------------


def share(database: Database, team_id: int, text: str, at: datetime) -> None:
    with database.transaction() as session:
        save_insight(
            session=session,
            draft=InsightDraft(text=text),
            team_id=team_id,
            user_id="UALICE",
            channels=[],
            now=at,
        )


def opportunity(
    database: Database, team_id: int, title: str, day: date, places: int = 5, **extra: Any
) -> int:
    with database.transaction() as session:
        row = Opportunity(
            team_id=team_id,
            title=title,
            happens_on=day,
            place="Online",
            description="",
            places=places,
            organiser="UORG",
            **extra,
        )
        session.add(row)
        session.flush()
        return row.id  # type: ignore[return-value]


def digest_data(database: Database) -> None:
    prices = make_team(database)
    labour = make_team(database, "Labour <market>", "CLABOUR", "Employment | high")
    # The seven days before Monday 10 May 2027, in London: from 3 May 00:00 (BST) on.
    share(database, prices, "Too early", datetime(2027, 5, 2, 22, 59, tzinfo=UTC))
    share(database, prices, "First of the week", datetime(2027, 5, 2, 23, 0, tzinfo=UTC))
    share(database, labour, "Users want *regional* <!here>", datetime(2027, 5, 7, 12, tzinfo=UTC))
    share(database, prices, "Next week's", datetime(2027, 5, 9, 23, 0, tzinfo=UTC))
    full = opportunity(database, labour, "Panel <b>", MONDAY + timedelta(days=2), places=1)
    with database.transaction() as session:
        session.add(OpportunitySignup(opportunity_id=full, user_id="UBOB"))
    opportunity(database, prices, "Workshop", MONDAY + timedelta(days=27), places=3)
    opportunity(database, prices, "Too far", MONDAY + timedelta(days=28))
    opportunity(database, prices, "Before", MONDAY - timedelta(days=10))
    opportunity(database, prices, "Called off", MONDAY + timedelta(days=3), status="cancelled")


def digest_settings(fake_slack: FakeSlack, database_url: str) -> Any:
    return test_settings(fake_slack, database_url, ENGAGEBOT_CROSS_TEAM_CHANNELS=CHANNELS)


LAST_WEEKS = "more than 2 days late when the bot came to send it"  # why one is skipped


def digests(database: Database) -> dict[str, tuple[str, str | None]]:
    """Each cross-team digest delivery's key: its status and why it was skipped."""
    with database.transaction() as session:
        found = session.exec(select(Delivery).where(Delivery.kind == "cross_team_digest"))
        return {row.key: (row.status, row.last_error) for row in found}


def test_the_digest_lists_the_weeks_insights_and_the_coming_opportunities(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    digest_data(database)
    scheduler = build_scheduler(digest_settings(fake_slack, database_url), database)
    assert scheduler.tick(DIGEST_AT - timedelta(minutes=1)).sent == 0
    assert scheduler.tick(DIGEST_AT).sent == 2
    assert scheduler.tick(DIGEST_AT + timedelta(hours=3)).sent == 0
    shown = posts(fake_slack)
    assert sorted(shown) == ["CALSO", "CINSIGHT"]
    digest = shown["CINSIGHT"]
    assert "*This week across the teams* · Mon 10 May 2027" in digest
    assert "• *Prices*: First of the week" in digest
    assert "• *Labour &lt;market&gt;*: Users want *regional* &lt;!here&gt;" in digest
    assert "Too early" not in digest and "Next week's" not in digest
    assert "(Mon 10 May 2027 to Sun 6 Jun 2027)" in digest
    assert "• *Panel &lt;b&gt;* · Labour &lt;market&gt; · Wed 12 May 2027 · full" in digest
    assert "• *Workshop* · Prices · Sun 6 Jun 2027 · 3 places left" in digest
    for absent in ("Too far", "Before", "Called off"):
        assert absent not in digest
    assert digests(database) == {
        "cross-team:2027-05-03:CALSO": ("skipped", LAST_WEEKS),  # due before the first tick
        "cross-team:2027-05-03:CINSIGHT": ("skipped", LAST_WEEKS),
        "cross-team:2027-05-10:CALSO": ("sent", None),
        "cross-team:2027-05-10:CINSIGHT": ("sent", None),
    }


def test_a_missed_digest_goes_out_up_to_two_days_late_and_is_skipped_after(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    digest_data(database)
    settings = digest_settings(fake_slack, database_url)
    late = build_scheduler(settings, database).tick(DIGEST_AT + timedelta(days=2))
    assert late.sent == 2
    # Sent on Wednesday, it lists the opportunities from that day on.
    assert "(Wed 12 May 2027 to Tue 8 Jun 2027)" in posts(fake_slack)["CINSIGHT"]
    next_week = DIGEST_AT + timedelta(days=7)
    build_scheduler(settings, database).tick(next_week + timedelta(days=2, minutes=1))
    assert {key: done for key, done in digests(database).items() if "05-17" in key} == {
        "cross-team:2027-05-17:CALSO": ("skipped", LAST_WEEKS),
        "cross-team:2027-05-17:CINSIGHT": ("skipped", LAST_WEEKS),
    }


def test_with_nothing_to_say_the_digest_is_skipped(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    make_team(database)
    scheduler = build_scheduler(digest_settings(fake_slack, database_url), database)
    assert scheduler.tick(DIGEST_AT).skipped == 2
    assert fake_slack.calls("chat.postMessage") == []


def test_the_digest_is_at_nine_local_time_in_winter_and_lists_what_fits(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    team = make_team(database)
    for number in range(20):
        share(database, team, f"Insight {number:02}", datetime(2027, 1, 6, 12, number, tzinfo=UTC))
    scheduler = build_scheduler(digest_settings(fake_slack, database_url), database)
    winter_monday = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)  # 09:00 GMT
    assert scheduler.tick(winter_monday - timedelta(minutes=1)).sent == 0
    assert scheduler.tick(winter_monday).sent == 2
    digest = posts(fake_slack)["CINSIGHT"]
    assert "Insight 14" in digest and "Insight 15" not in digest
    assert "…and 5 more insights." in digest
    assert "Opportunities" not in digest


def test_without_cross_team_channels_no_digest_is_planned(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    digest_data(database)
    assert (
        build_scheduler(test_settings(fake_slack, database_url), database).tick(DIGEST_AT).sent == 0
    )
    assert digests(database) == {}
