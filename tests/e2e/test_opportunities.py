"""Engagement opportunities: posting, taking and giving up places, the organiser's list,
reminder and prompt to log it, through signed requests and the Slack stand-in."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from bot.engagements.opportunities import Answer, sign_up
from bot.runtime.app import build_scheduler
from bot.runtime.console.payloads import block_actions, slash_command, state_values, view_submission
from storage.clock import CLOCK, Clock
from storage.database import Database
from storage.models import Delivery, Engagement, Opportunity, OpportunitySignup
from tests.conftest import RunningBot
from tests.e2e import helpers
from tests.e2e.helpers import (
    inputs,
    opened_view,
    reply_text,
    wait_for_deliveries,
    wait_for_reply,
)

NOW = datetime(2027, 5, 3, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in London
DAY = date(2027, 5, 12)  # the Wednesday of the next week
# 09:00 in London (BST) is 08:00 UTC.
REMINDER_AT = datetime(2027, 5, 11, 8, 0, tzinfo=UTC)
PROMPT_AT = datetime(2027, 5, 13, 8, 0, tzinfo=UTC)
ORGANISER = "UORG"
# The organiser is one of the team's members, who may post its opportunities.
make_team = partial(helpers.make_team, members=(ORGANISER,))


@pytest.fixture(autouse=True)
def at_now(clock: Clock) -> None:
    clock.move_to(NOW)


def open_form(bot: RunningBot, number: int = 1, channel: str = "CPRICES") -> dict[str, Any]:
    bot.requester.send(slash_command("opportunity", user_id=ORGANISER, channel_id=channel))
    return opened_view(bot, number)


def submit(bot: RunningBot, form: dict[str, Any], **answers: Any) -> Any:
    filled = {
        "title": "Workshop on the new CPI weights",
        "happens_on": DAY,
        "place": "https://meet.example.org/cpi",
        "description": "For regular users of the CPI.",
        "places": "2",
        **answers,
    }
    response = bot.requester.send(
        view_submission(form, state_values(form, filled), user_id=ORGANISER)
    )
    assert response.status == 200, response.body
    return response.json


def post(bot: RunningBot, number: int = 1, **answers: Any) -> list[dict[str, Any]]:
    """Post an opportunity from the form; return the posts that went out, once the bot has
    recorded them (a sign-up edits the posts it has recorded)."""
    before = len(bot.slack.calls("chat.postMessage"))
    answer = submit(bot, open_form(bot, number), **answers)
    assert answer["response_action"] == "update", answer
    channels = answers.get("channels", ["CPRICES"])
    calls = bot.slack.wait_for("chat.postMessage", count=before + len(channels))
    with bot.database.transaction() as session:
        latest = session.exec(select(Opportunity.id).order_by(col(Opportunity.id).desc())).first()
    sent = {f"opportunity:{latest}:post:{channel}": "sent" for channel in channels}
    wait_for_deliveries(bot.database, sent)
    return [call.args for call in calls[before:]]


def click(
    bot: RunningBot, message: dict[str, Any], label: str, user: str, channel: str = "CPRICES"
) -> dict[str, Any]:
    """Press the button labelled `label` on a message; return the ephemeral answer."""
    button = next(
        element
        for block in message["blocks"]
        for element in [*block.get("elements", []), block.get("accessory") or {}]
        if element.get("type") == "button" and element["text"]["text"] == label
    )
    name = f"click{len(bot.slack.calls())}"
    bot.requester.send(
        block_actions(
            button["action_id"],
            button["value"],
            user_id=user,
            channel_id=channel,
            response_url=bot.slack.response_url(name),
            message={"blocks": message["blocks"], "ts": "1800000000.000100"},
        )
    )
    return wait_for_reply(bot, name)


def command(bot: RunningBot, text_: str, user: str = ORGANISER) -> dict[str, Any]:
    name = f"command{len(bot.slack.calls())}"
    bot.requester.send(
        slash_command(
            text_, user_id=user, channel_id="CPRICES", response_url=bot.slack.response_url(name)
        )
    )
    return wait_for_reply(bot, name)


def tick(bot: RunningBot, at: datetime) -> list[dict[str, Any]]:
    """Run the scheduler as of `at`; return the direct messages it sent the organiser."""
    build_scheduler(bot.settings, bot.database).tick(at)
    return [
        call.args
        for call in bot.slack.calls("chat.postMessage")
        if call.args["channel"] == ORGANISER
    ]


def test_the_form_asks_for_the_details_and_posts_to_this_channel_by_default(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    form = open_form(bot)
    assert form["callback_id"] == "opportunity_form"
    fields = inputs(form)
    assert list(fields) == ["title", "happens_on", "place", "description", "places", "channels"]
    assert fields["happens_on"]["type"] == "datepicker"
    assert fields["places"]["type"] == "number_input"
    assert fields["channels"]["type"] == "multi_conversations_select"
    assert fields["channels"]["initial_conversations"] == ["CPRICES"]
    assert "For *Prices*" in form["blocks"][0]["elements"][0]["text"]


def test_without_a_team_the_person_is_told_how_to_get_one(bot: RunningBot) -> None:
    make_team(bot.database)
    name = "noteam"
    bot.requester.send(
        slash_command(
            "opportunity",
            user_id="UNEW",
            channel_id="CELSE",
            response_url=bot.slack.response_url(name),
        )
    )
    assert "Which team's opportunity?" in wait_for_reply(bot, name)["text"]
    assert bot.slack.calls("views.open") == []


def test_each_field_is_checked_and_nothing_is_posted(bot: RunningBot) -> None:
    make_team(bot.database)
    form = open_form(bot)
    empty = submit(bot, form, title=None, happens_on=None, place=None, places=None, channels=[])
    assert empty["response_action"] == "errors"
    assert empty["errors"] == {
        "title": "The title is required.",
        "happens_on": "Choose the date it takes place.",
        "place": "The place or link is required.",
        "places": "Give the number of places: a whole number from 1 to 10,000.",
        "channels": "Choose at least one channel to post it to.",
    }
    wrong = submit(
        bot,
        form,
        title="T" * 151,
        happens_on=date(2027, 5, 2),
        place="P" * 301,
        description="D" * 3001,
        places="10001",
    )
    assert wrong["errors"] == {
        "title": "The title is 151 characters; the most it can hold is 150.",
        "happens_on": "The date can't be in the past (today is 2027-05-03).",
        "place": "The place or link is 301 characters; the most it can hold is 300.",
        "description": "The description is 3,001 characters; the most it can hold is 3,000.",
        "places": "Give the number of places: a whole number from 1 to 10,000.",
    }
    assert submit(bot, form, places="0")["errors"] == {"places": wrong["errors"]["places"]}
    assert submit(bot, form, happens_on=date(2037, 5, 4))["errors"] == {
        "happens_on": "The date can't be more than 10 years ahead (after 2037-05-03): "
        "check the year."
    }
    with bot.database.transaction() as session:
        assert session.exec(select(Opportunity)).all() == []
    assert bot.slack.calls("chat.postMessage") == []


def test_it_is_posted_to_each_channel_chosen_with_its_buttons(bot: RunningBot) -> None:
    make_team(bot.database)
    answer = submit(bot, open_form(bot), channels=["CPRICES", "CUSERS"])
    assert (
        "Posting *Workshop on the new CPI weights* to <#CPRICES>, <#CUSERS>."
        in (answer["view"]["blocks"][0]["text"]["text"])
    )
    posts = [call.args for call in bot.slack.wait_for("chat.postMessage", count=2)]
    assert sorted(p["channel"] for p in posts) == ["CPRICES", "CUSERS"]
    shown = reply_text(posts[0])
    assert "*Workshop on the new CPI weights*" in shown
    assert "*When:* Wednesday 12 May 2027" in shown
    assert "*Where:* https://meet.example.org/cpi" in shown
    assert "For regular users of the CPI." in shown
    assert "*2 of 2 places left* · organised by <@UORG>" in shown
    buttons = [e["text"]["text"] for e in posts[0]["blocks"][-1]["elements"]]
    assert buttons == ["I'd like to take part", "Withdraw"]
    with bot.database.transaction() as session:
        opportunity = session.exec(select(Opportunity)).one()
        assert (opportunity.places, opportunity.organiser, opportunity.happens_on) == (
            2,
            ORGANISER,
            DAY,
        )
        keys = sorted(d.key for d in session.exec(select(Delivery)).all())
        assert keys == ["opportunity:1:post:CPRICES", "opportunity:1:post:CUSERS"]


def test_places_are_taken_up_to_the_cap_and_every_post_shows_what_is_left(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    posted = post(bot, channels=["CPRICES", "CUSERS"])[0]
    take = "I'd like to take part"
    assert (
        "You have a place at *Workshop on the new CPI weights*"
        in click(bot, posted, take, "UA")["text"]
    )
    updates = bot.slack.wait_for("chat.update", count=2)
    assert sorted(u.args["channel"] for u in updates) == ["CPRICES", "CUSERS"]
    with bot.database.transaction() as session:
        sent = {d.message_channel: d.message_ts for d in session.exec(select(Delivery)).all()}
    assert {u.args["channel"]: u.args["ts"] for u in updates} == sent
    assert all("*1 of 2 places left*" in reply_text(u.args) for u in updates)

    assert "You already have a place" in click(bot, posted, take, "UA")["text"]
    click(bot, posted, take, "UB")
    updates = bot.slack.wait_for("chat.update", count=4)[2:]
    for update in updates:
        assert "*Full: no places left* · organised by <@UORG>" in reply_text(update.args)
        assert [e["text"]["text"] for e in update.args["blocks"][-1]["elements"]] == ["Withdraw"]
    assert "is full: all 2 places are taken" in click(bot, posted, take, "UC")["text"]
    assert len(bot.slack.calls("chat.update")) == 4  # a refusal changes no post

    assert "You withdrew from" in click(bot, posted, "Withdraw", "UA")["text"]
    updates = bot.slack.wait_for("chat.update", count=6)[4:]
    assert all("*1 of 2 places left*" in reply_text(u.args) for u in updates)
    buttons = [e["text"]["text"] for e in updates[0].args["blocks"][-1]["elements"]]
    assert buttons == ["I'd like to take part", "Withdraw"]
    assert "You have a place" in click(bot, posted, take, "UC")["text"]
    assert "nothing to withdraw from" in click(bot, posted, "Withdraw", "UA")["text"]
    assert "You have a place" not in click(bot, posted, take, "UA")["text"]  # full again
    with bot.database.transaction() as session:
        signups = {s.user_id: s.withdrawn_at for s in session.exec(select(OpportunitySignup))}
    assert sorted(signups) == ["UA", "UB", "UC"]
    assert signups["UA"] is not None and signups["UB"] is None and signups["UC"] is None


def test_a_place_given_up_can_be_taken_again_by_the_same_person(bot: RunningBot) -> None:
    make_team(bot.database)
    posted = post(bot, places="1")[0]
    click(bot, posted, "I'd like to take part", "UA")
    click(bot, posted, "Withdraw", "UA")
    assert "You have a place" in click(bot, posted, "I'd like to take part", "UA")["text"]
    with bot.database.transaction() as session:
        signup = session.exec(select(OpportunitySignup)).one()  # the same row, active again
        assert signup.withdrawn_at is None


def test_places_no_longer_change_once_the_day_has_passed_or_it_is_cancelled(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    posted = post(bot)[0]
    click(bot, posted, "I'd like to take part", "UA")
    CLOCK.move_to(datetime(2027, 5, 12, 22, 30, tzinfo=UTC))  # 23:30 on the day, in London
    assert "You have a place" in click(bot, posted, "I'd like to take part", "UB")["text"]
    CLOCK.move_to(datetime(2027, 5, 12, 23, 30, tzinfo=UTC))  # the day after, in London
    assert "took place on Wednesday 12 May 2027" in click(bot, posted, "Withdraw", "UA")["text"]
    cancel(bot.database)
    assert "was cancelled" in click(bot, posted, "I'd like to take part", "UC")["text"]


def cancel(database: Database) -> None:
    with database.transaction() as session:
        opportunity = session.exec(select(Opportunity)).one()
        opportunity.status = "cancelled"
        session.add(opportunity)


def test_the_organiser_lists_upcoming_opportunities_and_who_signed_up(bot: RunningBot) -> None:
    make_team(bot.database)
    first = post(bot, 1, title="Panel on <b>housing</b>", happens_on=date(2027, 5, 20))[0]
    post(bot, 2, title="Workshop", places="5")
    click(bot, first, "I'd like to take part", "UA")
    click(bot, first, "I'd like to take part", "UB")
    shown = command(bot, "opportunity list")
    assert shown["response_type"] == "ephemeral"
    rows = [b for b in shown["blocks"] if "accessory" in b]
    assert "*#2 Workshop*\nWednesday 12 May 2027 · 0 of 5 places taken" in rows[0]["text"]["text"]
    assert "*#1 Panel on &lt;b&gt;housing&lt;/b&gt;*" in rows[1]["text"]["text"]
    assert "2 of 2 places taken" in rows[1]["text"]["text"]
    signed = click(bot, {"blocks": rows[1:]}, "Who signed up", ORGANISER)
    assert signed["text"] == (
        "*Panel on &lt;b&gt;housing&lt;/b&gt;* (Thursday 20 May 2027)\n"
        "2 of 2 places taken:\n<@UA>, <@UB>"
    )
    assert (
        click(bot, {"blocks": rows[:1]}, "Who signed up", ORGANISER)["text"]
        == "*Workshop* (Wednesday 12 May 2027)\nNobody has signed up yet (5 places)."
    )


def test_the_organiser_is_reminded_the_day_before_at_nine_with_who_signed_up(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    posted = post(bot)[0]
    click(bot, posted, "I'd like to take part", "UA")
    assert tick(bot, REMINDER_AT - timedelta(seconds=1)) == []
    sent = tick(bot, REMINDER_AT)
    assert len(sent) == 1
    text = sent[0]["blocks"][0]["text"]["text"]
    assert text == (
        ":calendar: Reminder: *Workshop on the new CPI weights* is tomorrow, "
        "Wednesday 12 May 2027.\n*Where:* https://meet.example.org/cpi\n"
        "1 of 2 places taken:\n<@UA>"
    )
    assert len(tick(bot, REMINDER_AT + timedelta(hours=3))) == 1  # once only


def test_a_reminder_found_on_the_day_is_not_sent_late(bot: RunningBot) -> None:
    make_team(bot.database)
    post(bot)
    assert tick(bot, datetime(2027, 5, 12, 7, 0, tzinfo=UTC)) == []  # 08:00 on the day


def test_the_day_after_the_organiser_is_prompted_to_log_it_in_a_filled_in_form(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    posted = post(bot, description="For <regular> users")[0]
    click(bot, posted, "I'd like to take part", "UA")
    click(bot, posted, "I'd like to take part", "UB")
    tick(bot, REMINDER_AT)
    assert len(tick(bot, PROMPT_AT - timedelta(seconds=1))) == 1  # the reminder only
    prompt = tick(bot, PROMPT_AT)[-1]
    assert "took place on Wednesday 12 May 2027, with 2 of 2 places taken" in reply_text(prompt)
    CLOCK.move_to(PROMPT_AT)
    bot.requester.send(
        block_actions(
            "opportunity_log",
            prompt["blocks"][-1]["elements"][0]["value"],
            user_id=ORGANISER,
            channel_id="DORG",
            message={"blocks": prompt["blocks"]},
        )
    )
    form = opened_view(bot, 2)
    assert form["callback_id"] == "engagement_form"
    fields = inputs(form)
    assert fields["occurred_on"]["initial_date"] == "2027-05-12"
    assert fields["team"]["initial_option"]["text"]["text"] == "Prices"
    assert fields["method"]["initial_option"]["value"] == "workshop"
    assert fields["participants"]["initial_value"] == "2"
    assert fields["summary"]["initial_value"] == (
        "Workshop on the new CPI weights\n\nFor <regular> users"
    )
    answer = bot.requester.send(view_submission(form, user_id=ORGANISER)).json
    assert answer["response_action"] == "update"
    with bot.database.transaction() as session:
        engagement = session.exec(select(Engagement)).one()
        assert (engagement.occurred_on, engagement.method, engagement.participants) == (
            DAY,
            "workshop",
            2,
        )
        assert session.exec(select(Opportunity)).one().engagement_id == engagement.id
    # Logged: no prompt again, and the button now opens the engagement logged.
    assert len(tick(bot, PROMPT_AT + timedelta(days=1))) == 2
    bot.requester.send(
        block_actions(
            "opportunity_log", "1", user_id=ORGANISER, message={"blocks": prompt["blocks"]}
        )
    )
    assert opened_view(bot, 3)["title"]["text"] == "Engagement #1"


def test_a_cancelled_opportunity_sends_no_reminder_and_no_prompt(bot: RunningBot) -> None:
    make_team(bot.database)
    post(bot)
    cancel(bot.database)
    assert tick(bot, REMINDER_AT) == []
    assert tick(bot, PROMPT_AT) == []


def test_what_people_type_is_escaped_wherever_it_is_shown(bot: RunningBot) -> None:
    make_team(bot.database)
    posted = post(
        bot,
        title="<!channel> & <https://evil.example|CPI>",
        place="<!here>",
        description="<@U0001> see <#C1>",
    )[0]
    shown = reply_text(posted)
    assert "<!channel>" not in shown and "<!here>" not in shown and "<@U0001>" not in shown
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|CPI&gt;" in shown
    assert "&lt;@U0001&gt; see &lt;#C1&gt;" in shown
    answer = click(bot, posted, "I'd like to take part", "UA")
    assert "<!channel>" not in answer["text"]
    sent = tick(bot, REMINDER_AT)
    assert "<!channel>" not in reply_text(sent[0]) and "<!here>" not in reply_text(sent[0])


def test_two_people_racing_for_the_last_place_cannot_both_get_it(bot: RunningBot) -> None:
    """The second sign-up waits for the first's lock on the opportunity, then finds it full."""
    if not bot.database.url.startswith("postgresql"):
        pytest.skip("SQLite has no row locks; production runs on PostgreSQL")
    make_team(bot.database)
    post(bot, places="1")
    answers: dict[str, Answer] = {}

    def take(session: Any, user: str) -> None:
        answers[user] = sign_up(
            session=session,
            opportunity_id=1,
            user_id=user,
            now=NOW,
            default_zone=bot.settings.timezone,
        ).answer

    def second() -> None:
        with bot.database.transaction() as session:
            take(session, "UB")

    with bot.database.transaction() as first:
        take(first, "UA")
        racer = threading.Thread(target=second)
        racer.start()
        wait_until_someone_waits_for_a_lock(bot.database)
    racer.join()
    assert answers == {"UA": Answer.SIGNED_UP, "UB": Answer.FULL}


def wait_until_someone_waits_for_a_lock(database: Database) -> None:
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with database.engine.connect() as connection:
            if connection.execute(query).scalar():
                return
        time.sleep(0.01)
    raise AssertionError("the second sign-up never waited for the first's lock")
