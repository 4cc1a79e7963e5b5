"""The App Home tab: the person's last entries, their team's month, and recording from it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.engagements.recording import EngagementDraft, save_engagement
from bot.feedback.decisions import decide
from bot.runtime.console.payloads import (
    app_home_opened,
    block_actions,
    state_values,
    view_submission,
)
from storage.models import Feedback
from tests.conftest import RunningBot
from tests.e2e.helpers import make_team, opened_view, reply_text, run_command

pytestmark = pytest.mark.any_date


def open_home(bot: RunningBot, user: str = "U0001") -> dict[str, Any]:
    """Open the Home tab as `user`; return the view as published."""
    bot.requester.send(app_home_opened(user))
    return published_home(bot, user=user)


def published_home(bot: RunningBot, number: int = 1, user: str = "U0001") -> dict[str, Any]:
    """The Home view of the `number`th views.publish call (as Slack returned it, with its id)."""
    call = bot.slack.wait_for("views.publish", count=number)[number - 1]
    assert call.args["user_id"] == user
    view: dict[str, Any] = call.response["view"]
    return view


def listed_entries(home: dict[str, Any]) -> list[str]:
    """Each entry listed under "Your last 10 entries", as shown: "*Kind #id* (day)\ntext"."""
    texts = [block.get("text", {}).get("text", "") for block in home["blocks"]]
    listed = texts[texts.index("Your last 10 entries") + 1 :]
    return [text for text in listed if text.startswith("*")]


def shown(view: dict[str, Any]) -> str:
    """Everything a person reads in the view."""
    return reply_text(view)


def as_listed(kind: str, record_id: int, day: str, text: str) -> str:
    return f"*{kind} #{record_id}* ({day})\n{text}"


def today_iso(bot: RunningBot) -> str:
    return bot.settings.today().isoformat()


def test_home_shows_my_last_ten_entries_my_teams_month_and_the_buttons(bot: RunningBot) -> None:
    make_team(bot.database)
    make_team(bot.database, "Labour market", "CLABOUR", "Employment | high")
    for number in range(1, 13):
        kind = "log" if number % 2 else "feedback"
        run_command(bot, f"{kind} Entry {number}")
    run_command(bot, "log A colleague's meeting", user="U0002")  # counts for Prices, not listed
    run_command(bot, "log Another team's meeting", user="U0003", channel="CLABOUR")
    # Neither counted nor listed:
    last_month = bot.settings.today().replace(day=1) - timedelta(days=1)
    with bot.database.transaction() as session:
        draft = EngagementDraft(summary="Last month", team_id=1, occurred_on=last_month)
        save_engagement(session=session, draft=draft, today=last_month, user_id="U0002")

    home = open_home(bot)

    assert home["type"] == "home"
    buttons = next(block for block in home["blocks"] if block["type"] == "actions")["elements"]
    assert [button["text"]["text"] for button in buttons] == [
        "Log an engagement",
        "Record feedback",
    ]
    assert "*Prices this month:* 7 engagements, 6 feedback items." in shown(home)
    day = today_iso(bot)
    # Odd entries were engagements #1 to #6, even ones feedback #1 to #6; newest first.
    assert listed_entries(home) == [
        as_listed("Engagement" if n % 2 else "Feedback", (n + 1) // 2, day, f"Entry {n}")
        for n in range(12, 2, -1)
    ]


def test_home_counts_only_the_feedback_still_awaiting_a_decision(bot: RunningBot) -> None:
    make_team(bot.database)
    statuses = ["new", "under_consideration", "planned", "done", "not_planned"]
    for status in statuses:
        run_command(bot, f"feedback Asked for {status}")
    with bot.database.transaction() as session:
        for feedback_id, status in enumerate(statuses, start=1):
            if status != "new":
                decide(
                    session=session,
                    feedback_id=feedback_id,
                    to_status=status,
                    note="Decided",
                    user_id="U0001",
                )

    home = open_home(bot)

    # Planned is a decision taken, as are Done and Not planned.
    assert "2 feedback items await a decision: `/engage feedback list`." in shown(home)


def test_home_for_someone_who_has_recorded_nothing_says_how_to_start(bot: RunningBot) -> None:
    make_team(bot.database)
    home = open_home(bot, user="U0009")
    assert "A workspace admin can create your team with `/engage team`" in shown(home)
    assert "Nothing yet." in shown(home)
    assert listed_entries(home) == []


def test_home_escapes_what_people_typed(bot: RunningBot) -> None:
    make_team(bot.database)
    run_command(bot, "log <!channel> met <https://evil.example|gov.uk> & more")
    home = open_home(bot)
    escaped = "&lt;!channel&gt; met &lt;https://evil.example|gov.uk&gt; &amp; more"
    assert listed_entries(home) == [as_listed("Engagement", 1, today_iso(bot), escaped)]


def test_log_an_engagement_from_home_confirms_in_the_modal_and_refreshes_home(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    run_command(bot, "log First, so engagebot knows my team")
    home = open_home(bot)
    bot.requester.send(block_actions("home_log_engagement", view=home))
    form = opened_view(bot)
    assert form["callback_id"] == "engagement_form"
    team = next(block for block in form["blocks"] if block["block_id"] == "team")
    assert team["element"]["initial_option"]["text"]["text"] == "Prices"

    answer = bot.requester.send(
        view_submission(form, state_values(form, {"summary": "Met the ONS user group"}))
    )

    assert answer.json["response_action"] == "update"
    assert answer.json["view"]["title"]["text"] == "Engagement saved"
    assert "Logged engagement *#2* for Prices." in shown(answer.json["view"])
    refreshed = published_home(bot, number=2)
    newest = listed_entries(refreshed)[0]
    assert newest == as_listed("Engagement", 2, today_iso(bot), "Met the ONS user group")
    assert "*Prices this month:* 2 engagements, 0 feedback items." in shown(refreshed)


def test_record_feedback_from_home_opens_the_feedback_form(bot: RunningBot) -> None:
    make_team(bot.database)
    run_command(bot, "feedback First, so engagebot knows my team")
    home = open_home(bot)
    bot.requester.send(block_actions("home_record_feedback", view=home))
    form = opened_view(bot)
    assert form["callback_id"] == "feedback_form"
    answer = bot.requester.send(
        view_submission(form, state_values(form, {"text": "Wants more regional data"}))
    )
    assert answer.json["response_action"] == "update"
    assert "Recorded feedback *#2* for Prices." in shown(answer.json["view"])
    refreshed = published_home(bot, number=2)
    newest = listed_entries(refreshed)[0]
    assert newest == as_listed("Feedback", 2, today_iso(bot), "Wants more regional data")


def entry_button(home: dict[str, Any], record: str, text: str) -> dict[str, Any]:
    """The button `text` ("Edit", "Undo") under the entry `record` ("engagement:1")."""
    kind, _, record_id = record.partition(":")
    block = next(b for b in home["blocks"] if b.get("block_id") == f"home_{kind}_{record_id}")
    button: dict[str, Any] = next(e for e in block["elements"] if e["text"]["text"] == text)
    assert button["value"] == record
    return button


def press(bot: RunningBot, home: dict[str, Any], record: str, text: str) -> None:
    kind, _, record_id = record.partition(":")
    button = entry_button(home, record, text)
    bot.requester.send(
        block_actions(button["action_id"], record, view=home, block_id=f"home_{kind}_{record_id}")
    )


def test_edit_an_entry_from_home_in_its_form_and_home_shows_the_change(bot: RunningBot) -> None:
    make_team(bot.database)
    run_command(bot, "log Met the ONS user group")
    home = open_home(bot)

    press(bot, home, "engagement:1", "Edit")

    form = opened_view(bot)
    assert form["callback_id"] == "engagement_form"
    summary = next(block for block in form["blocks"] if block["block_id"] == "summary")
    assert summary["element"]["initial_value"] == "Met the ONS user group"
    answer = bot.requester.send(
        view_submission(form, state_values(form, {"summary": "Met the RSS user group"}))
    )
    assert answer.json["response_action"] == "update"
    assert "Updated engagement *#1* for Prices." in shown(answer.json["view"])
    refreshed = published_home(bot, number=2)
    assert listed_entries(refreshed) == [
        as_listed("Engagement", 1, today_iso(bot), "Met the RSS user group")
    ]


def test_undo_an_entry_from_home_asks_first_then_home_lists_it_no_more(bot: RunningBot) -> None:
    make_team(bot.database)
    run_command(bot, "log Met the ONS user group")
    run_command(bot, "feedback Wants more regional data")
    home = open_home(bot)
    undo = entry_button(home, "feedback:1", "Undo")
    assert undo["confirm"]["title"]["text"] == "Delete feedback #1?"
    assert undo["confirm"]["confirm"]["text"] == "Delete"

    press(bot, home, "feedback:1", "Undo")  # Slack sends it once "Delete" is pressed

    refreshed = published_home(bot, number=2)
    assert listed_entries(refreshed) == [
        as_listed("Engagement", 1, today_iso(bot), "Met the ONS user group")
    ]
    told = bot.slack.wait_for("chat.postMessage")[-1].args
    assert told["channel"] == "U0001"
    assert told["text"].startswith("Feedback #1 for Prices was deleted")
    with bot.database.transaction() as session:
        assert session.get(Feedback, 1) is None
