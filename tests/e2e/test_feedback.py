"""`/engage feedback` and the "Record as feedback" message shortcut: at once, the form, errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.runtime.console.payloads import (
    block_actions,
    message_shortcut,
    slash_command,
    state_values,
    view_submission,
)
from storage.database import Database
from storage.models import Feedback, FeedbackTheme, Organisation, Theme
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

pytestmark = pytest.mark.any_date

MESSAGE_TS = "1700000123.000200"
PERMALINK = "https://test.slack.com/archives/CPRICES/p1700000123000200"


def test_feedback_with_text_records_at_once_and_answers_with_buttons(bot: RunningBot) -> None:
    make_team(bot.database)
    reply = run_command(bot, "feedback Wants regional breakdowns of the CPI")
    assert reply["response_type"] == "ephemeral"
    assert "Recorded feedback *#1* for Prices" in reply_text(reply)
    assert "Wants regional breakdowns of the CPI" in reply_text(reply)
    buttons = reply["blocks"][1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Add details", "Undo", "Decide"]
    assert [b["value"] for b in buttons] == ["feedback:1", "feedback:1", "1"]
    with bot.database.transaction() as session:
        item = session.exec(select(Feedback)).one()
        assert item.text == "Wants regional breakdowns of the CPI"
        assert item.status == "new"
        assert item.recorded_by == "U0001"
        assert item.team.name == "Prices"
        assert item.received_on == bot.settings.today()


def test_an_undone_items_number_is_never_given_to_another(bot: RunningBot) -> None:
    make_team(bot.database)
    run_command(bot, "feedback Kept")
    reply = run_command(bot, "feedback To be undone")
    assert "Recorded feedback *#2*" in reply_text(reply)
    undo = next(b for b in reply["blocks"][1]["elements"] if b["text"]["text"] == "Undo")
    bot.requester.send(
        block_actions(
            undo["action_id"],
            undo["value"],
            response_url=bot.slack.response_url("undo"),
            ephemeral=True,
        )
    )
    assert "deleted" in wait_for_reply(bot, "undo")["text"]
    again = run_command(bot, "feedback Something else")
    # The audit log holds feedback 2's creation and deletion: 2 is never another item.
    assert "Recorded feedback *#3*" in reply_text(again)
    with bot.database.transaction() as session:
        stored = session.exec(select(Feedback.id, Feedback.text).order_by(Feedback.id)).all()
    assert [tuple(row) for row in stored] == [(1, "Kept"), (3, "Something else")]


def test_feedback_with_text_but_no_team_keeps_the_text_in_the_form(bot: RunningBot) -> None:
    make_team(bot.database, channel=None)
    bot.requester.send(slash_command("feedback Wants monthly data", channel_id="CRANDOM"))
    view = opened_view(bot)
    assert view["callback_id"] == "feedback_form"
    assert inputs(view)["text"]["initial_value"] == "Wants monthly data"
    assert "initial_option" not in inputs(view)["team"]
    assert count_rows(bot.database, Feedback) == 0


def test_feedback_text_over_the_limit_is_refused_not_cut_and_given_back(bot: RunningBot) -> None:
    make_team(bot.database)
    typed = "Wants <regional> & local figures, " * 100  # 3,400 characters
    reply = run_command(bot, "feedback " + typed)
    assert reply["text"].startswith(
        ":warning: Nothing was recorded. The feedback is 3,399 characters; the most it can "
        "hold is 3,000."
    )
    assert handed_back(reply) == typed.strip()
    assert count_rows(bot.database, Feedback) == 0


def test_feedback_without_text_opens_the_form_for_the_channel_team(bot: RunningBot) -> None:
    make_team(bot.database)
    bot.requester.send(slash_command("feedback", channel_id="CPRICES"))
    view = opened_view(bot)
    assert view["callback_id"] == "feedback_form"
    assert view["title"]["text"] == "Record feedback"
    fields = inputs(view)
    assert fields["received_on"]["initial_date"] == bot.settings.today().isoformat()
    assert fields["team"]["initial_option"]["text"]["text"] == "Prices"
    assert fields["output"]["type"] == fields["organisation"]["type"] == "external_select"
    assert [o["value"] for o in fields["channel"]["options"]] == [
        "email", "event", "slack", "web", "survey", "phone", "social_media", "other",
    ]  # fmt: skip
    assert "initial_option" not in fields["channel"]
    assert "initial_value" not in fields["text"]


def test_the_form_saves_every_field(bot: RunningBot) -> None:
    make_team(bot.database)
    bot.requester.send(
        slash_command("feedback", channel_id="CPRICES", response_url=bot.slack.response_url("form"))
    )
    view = opened_view(bot)
    received = bot.settings.today() - timedelta(days=3)
    values = state_values(view, {
        "received_on": received,
        "output": ("House price index", "2"),
        "organisation": ("ONS", "ONS"),
        "segment": "4",
        "channel": "email",
        "text": "The HPI release should say <b>which</b> regions moved",
        "themes": "timeliness, geography",
        "contact_agreed": "yes",
        "contact_name": "Ada Lovelace",
        "contact_email": "ada@example.org",
    })  # fmt: skip
    assert count_rows(bot.database, Organisation) == 0
    answer = bot.requester.send(view_submission(view, values))
    assert answer.status == 200 and answer.body == ""
    reply = wait_for_reply(bot, "form")
    assert reply["response_type"] == "ephemeral"
    assert "Recorded feedback *#1* for Prices" in reply_text(reply)
    with bot.database.transaction() as session:
        item = session.exec(select(Feedback)).one()
        assert item.received_on == received
        assert item.team.name == "Prices"
        assert item.output is not None and item.output.name == "House price index"
        assert item.organisation is not None and item.organisation.name == "ONS"
        assert item.segment is not None and item.segment.name == "media"
        assert item.channel == "email"
        assert item.text == "The HPI release should say <b>which</b> regions moved"
        assert sorted(theme.name for theme in item.themes) == ["geography", "timeliness"]
        assert item.contact_agreed is True
        assert (item.contact_name, item.contact_email) == ("Ada Lovelace", "ada@example.org")
        assert item.status == "new" and item.recorded_by == "U0001"
        assert item.source_permalink is None
        assert [org.name for org in session.exec(select(Organisation))] == ["ONS"]
        assert sorted(theme.name for theme in session.exec(select(Theme))) == [
            "geography", "timeliness",
        ]  # fmt: skip
        assert len(session.exec(select(FeedbackTheme)).all()) == 2


def test_the_message_shortcut_opens_the_form_prefilled_and_keeps_the_permalink(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    message = "Could the CPI tables have regional figures? And by month"
    bot.requester.send(message_shortcut(
        "record_feedback", channel_id="CPRICES", message_text=message, message_ts=MESSAGE_TS,
        response_url=bot.slack.response_url("shortcut"),
    ))  # fmt: skip
    permalink_call = bot.slack.wait_for("chat.getPermalink")[0]
    assert permalink_call.args["channel"] == "CPRICES"
    assert permalink_call.args["message_ts"] == MESSAGE_TS
    view = opened_view(bot)
    assert view["callback_id"] == "feedback_form"
    fields = inputs(view)
    assert fields["text"]["initial_value"] == message
    assert fields["channel"]["initial_option"]["value"] == "slack"
    assert fields["team"]["initial_option"]["text"]["text"] == "Prices"
    shown = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert f"<{PERMALINK}|The original message>" in shown
    assert not [b for b in view["blocks"] if b["type"] == "context"]  # no length warning

    answer = bot.requester.send(view_submission(view, state_values(view)))
    assert answer.status == 200 and answer.body == ""
    reply = wait_for_reply(bot, "shortcut")
    assert "Recorded feedback *#1* for Prices" in reply_text(reply)
    with bot.database.transaction() as session:
        item = session.exec(select(Feedback)).one()
        assert item.text == message
        assert item.source_permalink == PERMALINK
        assert item.channel == "slack"
        assert item.recorded_by == "U0001"


def test_a_message_too_long_for_the_form_shows_a_warning(bot: RunningBot) -> None:
    make_team(bot.database)
    message = "word " * 700  # 3,500 characters
    bot.requester.send(message_shortcut(
        "record_feedback", channel_id="CPRICES", message_text=message, message_ts=MESSAGE_TS,
    ))  # fmt: skip
    view = opened_view(bot)
    warning = view["blocks"][0]
    assert warning["type"] == "context"
    assert "3,500 characters" in warning["elements"][0]["text"]
    assert "first 3,000" in warning["elements"][0]["text"]
    assert inputs(view)["text"]["initial_value"] == message[:3000]
    shown = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert f"<{PERMALINK}|The original message>" in shown


# Each case: what is typed (given today's date), the field whose error shows, part of the error.
ERROR_CASES = {
    "empty-text": (lambda day: {"text": "   "}, "text", "The feedback is required."),
    "bad-email": (
        lambda day: {"contact_email": "ada at example", "contact_agreed": ["yes"]},
        "contact_email",
        "an email address",
    ),
    "future-date": (
        lambda day: {"received_on": day + timedelta(days=1)},
        "received_on",
        "in the future",
    ),
    "other-teams-output": (
        lambda day: {"output": ("Employment", "3")},
        "output",
        "Choose an output of Prices.",
    ),
}


@pytest.mark.parametrize(("answers", "field", "message"), ERROR_CASES.values(), ids=ERROR_CASES)
def test_form_errors_come_back_on_their_field_and_nothing_is_stored(
    bot: RunningBot, answers: Callable[[date], dict[str, Any]], field: str, message: str
) -> None:
    make_team(bot.database)
    make_team(bot.database, "Labour market", "CLABOUR", "Employment | high")
    bot.requester.send(slash_command("feedback", channel_id="CPRICES"))
    view = opened_view(bot)
    typed = {"text": "Useful release", "organisation": ("ONS", "ONS"), "themes": "timeliness"}
    typed.update(answers(bot.settings.today()))
    answer = bot.requester.send(view_submission(view, state_values(view, typed)))
    assert answer.status == 200
    assert answer.json["response_action"] == "errors"
    assert list(answer.json["errors"]) == [field]
    assert message in answer.json["errors"][field]
    for model in (Feedback, Organisation, Theme):
        assert count_rows(bot.database, model) == 0
    assert bot.slack.calls("response_url") == []


@pytest.fixture
def bot_since_2020(
    fake_slack: FakeSlack, database: Database, database_url: str
) -> Iterator[RunningBot]:
    """The bot where nothing may be dated before 2020 (ENGAGEBOT_EARLIEST_DATE)."""
    settings = test_settings(fake_slack, database_url, ENGAGEBOT_EARLIEST_DATE="2020-01-01")
    running = RunningBot(settings, database, fake_slack)
    yield running
    running.stop()


def test_the_earliest_date_is_the_deployments_setting(bot_since_2020: RunningBot) -> None:
    bot = bot_since_2020
    make_team(bot.database)
    bot.requester.send(slash_command("feedback", channel_id="CPRICES"))
    view = opened_view(bot)
    for day, errors in [
        ("2019-12-31", {"received_on": "The date can't be before 2020-01-01: check the year."}),
        ("2020-01-01", None),
    ]:
        answers = {"received_on": day, "text": "Wants monthly data"}
        answer = bot.requester.send(view_submission(view, state_values(view, answers)))
        assert (answer.json or {}).get("errors") == errors
    assert count_rows(bot.database, Feedback) == 1


def test_slack_escaping_in_the_message_is_undone_in_the_form(bot: RunningBot) -> None:
    make_team(bot.database)
    # Slack sends a message's text with &, < and > as entities.
    escaped = "Tables for &lt;regional&gt; areas &amp; months, please"
    bot.requester.send(message_shortcut(
        "record_feedback", channel_id="CPRICES", message_text=escaped, message_ts=MESSAGE_TS,
    ))  # fmt: skip
    view = opened_view(bot)
    assert inputs(view)["text"]["initial_value"] == "Tables for <regional> areas & months, please"


def test_without_a_permalink_the_shortcut_still_opens_the_form(bot: RunningBot) -> None:
    make_team(bot.database)
    bot.slack.fail_next("chat.getPermalink", "channel_not_found")
    bot.requester.send(message_shortcut(
        "record_feedback", channel_id="CPRICES", message_text="Useful", message_ts=MESSAGE_TS,
        response_url=bot.slack.response_url("shortcut"),
    ))  # fmt: skip
    view = opened_view(bot)
    assert inputs(view)["text"]["initial_value"] == "Useful"
    assert not [b for b in view["blocks"] if b["type"] == "section"]
    bot.requester.send(view_submission(view, state_values(view)))
    assert "Recorded feedback *#1*" in reply_text(wait_for_reply(bot, "shortcut"))
    with bot.database.transaction() as session:
        assert session.exec(select(Feedback)).one().source_permalink is None


def test_add_details_shows_every_stored_field_and_saving_keeps_them(bot: RunningBot) -> None:
    make_team(bot.database)
    bot.requester.send(message_shortcut(
        "record_feedback", channel_id="CPRICES", message_text="Regional CPI, please",
        message_ts=MESSAGE_TS, response_url=bot.slack.response_url("shortcut"),
    ))  # fmt: skip
    view = opened_view(bot)
    received = bot.settings.today() - timedelta(days=1)
    bot.requester.send(view_submission(view, state_values(view, {
        "received_on": received,
        "output": ("Consumer price inflation", "1"),
        "organisation": ("ONS", "ONS"),
        "segment": "4",
        "themes": "timeliness, geography",
        "contact_agreed": "yes",
        "contact_name": "Ada Lovelace",
        "contact_email": "ada@example.org",
    })))  # fmt: skip
    details = wait_for_reply(bot, "shortcut")["blocks"][1]["elements"][0]
    bot.requester.send(block_actions(
        details["action_id"], details["value"], response_url=bot.slack.response_url("edit"),
        ephemeral=True,
    ))  # fmt: skip
    form = opened_view(bot, 2)
    assert form["title"]["text"] == "Feedback #1"
    fields = inputs(form)
    assert fields["received_on"]["initial_date"] == received.isoformat()
    assert fields["team"]["initial_option"]["value"] == "1"
    assert fields["output"]["initial_option"]["value"] == "1"
    assert fields["organisation"]["initial_option"]["value"] == "ONS"
    assert fields["segment"]["initial_option"]["value"] == "4"
    assert fields["channel"]["initial_option"]["value"] == "slack"
    assert fields["text"]["initial_value"] == "Regional CPI, please"
    assert sorted(fields["themes"]["initial_value"].split(", ")) == ["geography", "timeliness"]
    assert fields["contact_agreed"]["initial_options"][0]["value"] == "yes"
    assert fields["contact_email"]["initial_value"] == "ada@example.org"
    shown = [b["text"]["text"] for b in form["blocks"] if b["type"] == "section"]
    assert f"<{PERMALINK}|The original message>" in shown

    answer = bot.requester.send(view_submission(form, state_values(form, {"channel": "email"})))
    assert answer.status == 200 and answer.body == ""
    updated = wait_for_reply(bot, "edit")
    assert updated["replace_original"] is True
    assert "Updated feedback *#1*" in reply_text(updated)
    with bot.database.transaction() as session:
        item = session.exec(select(Feedback)).one()
        assert item.channel == "email"
        assert item.source_permalink == PERMALINK
        assert item.received_on == received
        assert item.organisation is not None and item.organisation.name == "ONS"
        assert sorted(theme.name for theme in item.themes) == ["geography", "timeliness"]
        assert (item.contact_agreed, item.contact_name) == (True, "Ada Lovelace")
        assert count_rows(bot.database, Organisation) == 1
