"""Deciding on feedback: from its message or the team's list, with a public note and history."""

from __future__ import annotations

import json
from datetime import date
from functools import partial
from typing import Any

from sqlmodel import select

from bot.feedback.recording import FeedbackDraft, save_feedback
from bot.runtime.console.payloads import (
    app_home_opened,
    block_actions,
    state_values,
    view_submission,
)
from storage.models import Feedback, FeedbackDecision
from tests.conftest import RunningBot
from tests.e2e import helpers
from tests.e2e.helpers import opened_view, reply_text, run_command

# The teams here have ULEAD, who decides on feedback, among their members.
make_team = partial(helpers.make_team, members=("U0001", "ULEAD"))


def record(bot: RunningBot, text: str, user: str = "U0001") -> dict[str, Any]:
    """Record feedback from text; return the Decide button of the reply."""
    reply = run_command(bot, f"feedback {text}", user=user)
    return next(b for b in reply["blocks"][1]["elements"] if b["text"]["text"] == "Decide")


def decide(bot: RunningBot, button: dict[str, Any], number: int, **answers: Any) -> Any:
    bot.requester.send(
        block_actions(button["action_id"], button["value"], user_id="ULEAD", ephemeral=True)
    )
    form = opened_view(bot, number)
    return form, bot.requester.send(
        view_submission(form, state_values(form, answers), user_id="ULEAD")
    )


def test_a_decision_with_its_note_is_kept_and_the_recorder_is_told(bot: RunningBot) -> None:
    make_team(bot.database)
    button = record(bot, "Please publish <regional> CPI")
    form, answer = decide(bot, button, 1, status="planned", note="In the <b>spring</b> release")
    assert form["callback_id"] == "decision_form"
    assert "Feedback #1* (New)" in form["blocks"][0]["text"]["text"]
    assert answer.json["response_action"] == "update"
    assert "Feedback *#1* for Prices is now *Planned*." in helpers.reply_text(answer.json["view"])
    told = bot.slack.wait_for("chat.postMessage")[0].args
    assert told["channel"] == "U0001"
    shown = reply_text(told)
    assert "<@ULEAD> moved feedback *#1* you recorded from New to *Planned*" in shown
    assert "In the &lt;b&gt;spring&lt;/b&gt; release" in shown
    with bot.database.transaction() as session:
        assert session.get(Feedback, 1).status == "planned"  # type: ignore[union-attr]
        decision = session.exec(select(FeedbackDecision)).one()
        assert (decision.from_status, decision.to_status) == ("new", "planned")
        assert (decision.note, decision.decided_by) == ("In the <b>spring</b> release", "ULEAD")


def test_done_and_not_planned_need_a_note_users_can_read(bot: RunningBot) -> None:
    make_team(bot.database)
    button = record(bot, "Monthly figures please")
    _, answer = decide(bot, button, 1, status="not_planned")
    assert answer.json["response_action"] == "errors"
    assert "reason it is not planned" in answer.json["errors"]["note"]
    _, answer = decide(bot, button, 2, status="done")
    assert "Say what changed" in answer.json["errors"]["note"]
    with bot.database.transaction() as session:
        assert session.get(Feedback, 1).status == "new"  # type: ignore[union-attr]
        assert session.exec(select(FeedbackDecision)).all() == []
    assert bot.slack.calls("chat.postMessage") == []


def test_every_change_is_history_shown_in_the_next_form(bot: RunningBot) -> None:
    make_team(bot.database)
    button = record(bot, "Add a regional table")
    decide(bot, button, 1, status="under_consideration")
    decide(bot, button, 2, status="not_planned", note="The survey sample is too small")
    form, _ = decide(bot, button, 3, status="under_consideration", note="Reopened")
    history = [b["elements"][0]["text"] for b in form["blocks"] if b["type"] == "context"]
    assert [line.split(": ", 1)[1] for line in history] == [
        "New → Under consideration",
        "Under consideration → Not planned: The survey sample is too small",
    ]
    with bot.database.transaction() as session:
        assert len(session.exec(select(FeedbackDecision)).all()) == 3


def test_the_list_shows_open_items_oldest_first_with_decide_buttons(bot: RunningBot) -> None:
    make_team(bot.database)
    first = record(bot, "First ask")
    record(bot, "Second ask")
    decide(bot, first, 1, status="done", note="Published in March")
    record(bot, "Third ask")
    shown = run_command(bot, "feedback list")
    sections = [b for b in shown["blocks"] if b["type"] == "section"][1:]
    assert ["#2" in s["text"]["text"] for s in sections] == [True, False]
    assert "Third ask" in sections[1]["text"]["text"]
    assert all(s["accessory"]["action_id"] == "feedback_decide" for s in sections)
    with bot.database.transaction() as session:
        assert len(session.exec(select(Feedback)).all()) == 3  # "list" recorded nothing


def test_the_list_says_when_everything_is_decided_or_no_team_is_known(bot: RunningBot) -> None:
    make_team(bot.database)
    assert "has no open feedback" in run_command(bot, "feedback list")["text"]
    assert (
        "Which team's feedback?"
        in run_command(bot, "feedback list", channel="CELSE", user="UX")["text"]
    )


def test_the_form_offers_every_status_but_the_current_one(bot: RunningBot) -> None:
    make_team(bot.database)
    button = record(bot, "Something")
    decide(bot, button, 1, status="planned")
    _, answer = decide(bot, button, 2, status="new", note="")
    assert answer.json["response_action"] == "update"  # back to new is a real change
    form = opened_view(bot, 2)
    values = [o["value"] for o in form["blocks"][-2]["element"]["options"]]
    assert "planned" not in values  # the form offered everything but the status it had


def test_home_offers_decide_on_feedback_and_counts_what_awaits(bot: RunningBot) -> None:
    make_team(bot.database)
    record(bot, "Regional figures please")
    run_command(bot, "log Met the RSS")
    bot.requester.send(app_home_opened("U0001"))
    home = bot.slack.wait_for("views.publish")[0].args["view"]
    assert "1 feedback item awaits a decision" in json.dumps(home)
    feedback = next(
        b for b in home["blocks"] if "*Feedback #1*" in b.get("text", {}).get("text", "")
    )
    engagement = next(
        b for b in home["blocks"] if "*Engagement #1*" in b.get("text", {}).get("text", "")
    )
    assert "accessory" not in engagement
    button = feedback["accessory"]
    bot.requester.send(block_actions(button["action_id"], button["value"], view=home))
    assert opened_view(bot)["callback_id"] == "decision_form"


def test_a_long_list_shows_the_oldest_twenty_and_says_how_many_there_are(bot: RunningBot) -> None:
    team_id = make_team(bot.database)
    with bot.database.transaction() as session:
        for number in range(22):
            save_feedback(
                session=session,
                draft=FeedbackDraft(
                    text=f"Ask {number}", team_id=team_id, received_on=date(2026, 1, 1)
                ),
                today=date(2026, 1, 1),
                user_id="U0001",
            )
    shown = run_command(bot, "feedback list")
    decide_buttons = [b for b in shown["blocks"] if "accessory" in b]
    assert len(decide_buttons) == 20
    assert "Showing the oldest 20 of 22 open items." in reply_text(shown)
    assert "22 items" in shown["text"]
