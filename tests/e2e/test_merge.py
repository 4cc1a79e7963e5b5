"""Merging two feedback items, from the decision form or `/engage feedback merge B into A`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from bot.runtime.console.payloads import (
    app_home_opened,
    block_actions,
    state_values,
    view_submission,
)
from storage.models import Feedback, FeedbackDecision
from tests.conftest import RunningBot
from tests.e2e.helpers import inputs, opened_view, reply_text, run_command, wait_for_reply
from tests.e2e.test_decisions import decide, make_team, record

pytestmark = pytest.mark.any_date


def submit_merge(bot: RunningBot, merge_form: dict[str, Any], into: Any) -> Any:
    return bot.requester.send(
        view_submission(merge_form, state_values(merge_form, {"into": into}), user_id="ULEAD")
    )


def merge_form_for(bot: RunningBot, button: dict[str, Any], number: int) -> dict[str, Any]:
    """Choose "Merge into another item…" in the `number`th decision form opened."""
    _, answer = decide(bot, button, number, status="merge")
    assert answer.json["response_action"] == "update", answer.json
    view: dict[str, Any] = answer.json["view"]
    return view


def stored(bot: RunningBot) -> list[tuple[object, ...]]:
    with bot.database.transaction() as session:
        items = session.exec(select(Feedback).order_by(Feedback.id)).all()  # type: ignore[arg-type]
        decisions = session.exec(select(FeedbackDecision)).all()
        return [(i.id, i.status, i.merged_into_id) for i in items] + [(len(decisions),)]


def test_a_merge_from_the_decision_form_tells_the_recorder_and_keeps_both_histories(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    record(bot, "Regional CPI please")
    second = record(bot, "CPI <by> region?", user="U0002")
    decide(bot, second, 1, status="planned", note="Spring release")
    merge_form = merge_form_for(bot, second, 2)
    assert merge_form["callback_id"] == "merge_form"
    choices = inputs(merge_form)["into"]["options"]
    assert [(o["value"], o["text"]["text"]) for o in choices] == [("1", "#1 Regional CPI please")]

    answer = submit_merge(bot, merge_form, "1")
    assert answer.json["response_action"] == "update"
    assert "Feedback *#2* for Prices is merged into *#1* (New)" in reply_text(answer.json["view"])
    told = bot.slack.wait_for("chat.postMessage", count=2)[1].args
    assert told["channel"] == "U0002"
    shown = reply_text(told)
    assert "<@ULEAD> merged feedback *#2* you recorded into *#1* (New)" in shown
    assert ">Regional CPI please" in shown and "#2: CPI &lt;by&gt; region?" in shown

    listed = reply_text(run_command(bot, "feedback list"))
    assert "Regional CPI please" in listed and "region?" not in listed
    assert "1 item." in listed
    bot.requester.send(app_home_opened("U0002"))
    home = json.dumps(bot.slack.wait_for("views.publish")[0].args["view"])
    assert "Feedback #2" not in home
    assert "1 feedback item." in home and "1 feedback item awaits a decision" in home

    bot.requester.send(block_actions("feedback_decide", "1", user_id="ULEAD", ephemeral=True))
    form = opened_view(bot, 3)
    history = [b["elements"][0]["text"] for b in form["blocks"] if b["type"] == "context"]
    assert [line.split(": ", 1)[1] for line in history] == [
        "New → Planned: Spring release",
        "#2 merged into this item.",
    ]
    assert " (#2): New → Planned" in history[0] and "(#" not in history[1]
    bot.requester.send(block_actions("feedback_decide", "2", user_id="ULEAD", ephemeral=True))
    assert "#2 was merged into #1: decide on that one" in reply_text(opened_view(bot, 4))


def test_a_refused_merge_says_why_on_the_field_and_writes_nothing(bot: RunningBot) -> None:
    make_team(bot.database)
    make_team(bot.database, "Health", channel="CHEALTH")
    only = record(bot, "A lone ask")
    _, answer = decide(bot, only, 1, status="merge")
    assert answer.json["errors"] == {"status": "Prices has no other open item to merge #1 into."}
    _, answer = decide(bot, only, 2, status="merge", note="Same as the other")
    assert "A merge takes no note" in answer.json["errors"]["note"]

    record(bot, "Second ask")
    third = record(bot, "Third ask")
    run_command(bot, "feedback Health ask", user="U0003", channel="CHEALTH")  # #4, Health's
    merge_form = merge_form_for(bot, third, 3)
    assert [o["value"] for o in inputs(merge_form)["into"]["options"]] == ["1", "2"]
    run_command(bot, "feedback merge 1 into 2")  # meanwhile, someone merges #1 away
    before = stored(bot)
    refusals = {
        "1": "Feedback #1 was itself merged into #2: merge into that one.",
        "3": "An item can't be merged into itself: choose another.",
        "4": "Feedback #4 belongs to Health and #3 to Prices: "
        "only items of the same team can be merged.",
        "99": "There is no feedback #99 (it may have been undone).",
    }
    for value, message in refusals.items():  # a stale or forged choice, as Slack would send it
        answer = submit_merge(bot, merge_form, (f"#{value}", value))
        assert answer.json == {"response_action": "errors", "errors": {"into": message}}
    assert stored(bot) == before
    run_command(bot, "feedback merge 3 into 2")  # and #3 itself is merged away
    before = stored(bot)
    answer = submit_merge(bot, merge_form, "2")
    assert answer.json["errors"] == {"into": "Feedback #3 is already merged into #2."}
    assert stored(bot) == before
    # No one was told: the refusals change nothing, and U0001, who recorded #1 and #3,
    # made the two command merges themselves.
    assert bot.slack.calls("chat.postMessage") == []


def test_the_command_merges_and_refuses_with_a_reason(bot: RunningBot) -> None:
    make_team(bot.database)
    make_team(bot.database, "Health", channel="CHEALTH")
    record(bot, "Regional CPI please")
    record(bot, "CPI by region?", user="U0002")
    run_command(bot, "feedback Health ask", channel="CHEALTH")
    answer = reply_text(run_command(bot, "feedback merge #2 INTO #1"))
    assert "Feedback *#2* for Prices is merged into *#1* (New)" in answer
    told = bot.slack.wait_for("chat.postMessage")[0].args
    assert (told["channel"], told["text"]) == ("U0002", "Feedback #2 was merged into #1.")
    before = stored(bot)
    for text, reason in [
        ("merge 1 into 1", "An item can't be merged into itself"),
        ("merge 3 into 1", "Feedback #1 belongs to Prices and #3 to Health"),
        ("merge 2 into 1", "Feedback #2 is already merged into #1."),
        ("merge 1 into 2", "Feedback #2 is already merged into #1."),
        ("merge 1 into 99", "There is no feedback #99"),
        ("merge 99 into 1", "There is no feedback #99"),
        # Too large for an id column: still no such feedback, not a database failure.
        ("merge 99999999999999999999 into 1", "There is no feedback #99999999999999999999"),
    ]:
        shown = reply_text(run_command(bot, f"feedback {text}"))
        assert shown.startswith(":warning: Nothing was merged. ") and reason in shown, shown
    assert stored(bot) == before
    assert len(bot.slack.calls("chat.postMessage")) == 1


def test_a_list_or_merge_that_does_not_parse_is_answered_with_the_usage_not_recorded(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    record(bot, "Regional CPI please")
    before = stored(bot)
    for text in (
        "merge abc into 4",
        "merge 2 in 1",
        "MERGE",
        "merge the tables please",
        "list please",
        "List of regions would help",
        "help",
    ):
        reply = run_command(bot, f"feedback {text}")
        shown = reply_text(reply)
        assert reply["response_type"] == "ephemeral"
        assert shown.startswith(":warning: Nothing was recorded: ") and text in shown, shown
        assert "`/engage feedback merge 12 into 9`" in shown and "`/engage feedback list`" in shown
    assert stored(bot) == before
    # The words alone, or a merge that parses, still do what they say.
    assert "Open feedback" in reply_text(run_command(bot, "feedback list"))
    assert "Recorded feedback" in reply_text(run_command(bot, "feedback Merging tables helps"))


def test_an_item_others_were_merged_into_cannot_be_undone(bot: RunningBot) -> None:
    make_team(bot.database)
    kept = run_command(bot, "feedback Regional CPI please")
    record(bot, "CPI by region?")
    run_command(bot, "feedback merge 2 into 1")
    undo = next(b for b in kept["blocks"][1]["elements"] if b["text"]["text"] == "Undo")
    before = stored(bot)
    url = bot.slack.response_url("undo")
    bot.requester.send(
        block_actions(undo["action_id"], undo["value"], response_url=url, ephemeral=True)
    )
    refused = wait_for_reply(bot, "undo")["text"]
    assert refused == (
        ":no_entry: Feedback #1 can't be undone: #2 was merged into it. Nothing was deleted."
    )
    assert stored(bot) == before
