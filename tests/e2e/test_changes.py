"""Upcoming changes: the form, the announcement to the team's channels and subscribers,
editing (an update notice), cancelling (a cancellation notice), the list, and comments."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.runtime.app import build_scheduler
from bot.runtime.console.payloads import block_actions, slash_command, state_values, view_submission
from handlers.views.limits import problems
from storage.clock import utc_now
from storage.models import Delivery, Feedback, Subscription, UpcomingChange, UserPreference
from tests.conftest import RunningBot
from tests.e2e.helpers import (
    count_rows,
    inputs,
    make_team,
    opened_view,
    reply_text,
    run_command,
    wait_for_deliveries,
)

pytestmark = pytest.mark.any_date

CPI = ("Consumer price inflation", "1")
HPI = ("House price index", "2")


def today(bot: RunningBot) -> date:
    return bot.settings.today()  # the teams here keep the default time zone


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def open_form(bot: RunningBot, number: int = 1, channel: str = "CPRICES") -> dict[str, Any]:
    bot.requester.send(slash_command("change", channel_id=channel, user_id="U0001"))
    return opened_view(bot, number)


def submit(bot: RunningBot, view: dict[str, Any], user: str = "U0001", **answers: Any) -> Any:
    """Submit `view` with `answers`; return the bot's answer (JSON) to the submission."""
    response = bot.requester.send(view_submission(view, state_values(view, answers), user))
    assert response.status == 200, response.body
    return response.json


def announce(bot: RunningBot, number: int = 1, **answers: Any) -> Any:
    """Open the form in Prices' home and save a change of the CPI taking effect in 30 days."""
    fields = {
        "output": CPI,
        "title": "New weights for the CPI basket",
        "description": "We are moving to annual chain-linking.\nSee the article.",
        "effective_on": today(bot) + timedelta(days=30),
        **answers,
    }
    return submit(bot, open_form(bot, number), **fields)


def posts(bot: RunningBot, count: int | None = None) -> dict[str, list[dict[str, Any]]]:
    """The bot's posts by channel (waiting for `count` of them in all)."""
    calls = bot.slack.wait_for("chat.postMessage", count) if count else bot.slack.calls()
    found: dict[str, list[dict[str, Any]]] = {}
    for call in calls:
        if call.method == "chat.postMessage":
            found.setdefault(call.args["channel"], []).append(call.args)
    return found


def subscribe(bot: RunningBot, channel: str, what: str) -> None:
    assert "will hear about" in run_command(bot, f"subscribe {what}", channel=channel)["text"]


def button(message: dict[str, Any], action_id: str, value: str | None = None) -> dict[str, Any]:
    return next(
        element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == action_id and value in (None, element["value"])
    )


def press(bot: RunningBot, found: dict[str, Any], user: str = "U0001", **options: Any) -> None:
    bot.requester.send(block_actions(found["action_id"], found["value"], user, **options))


def stored_change(bot: RunningBot, change_id: int = 1) -> UpcomingChange:
    with bot.database.transaction() as session:
        change = session.get(UpcomingChange, change_id)
        assert change is not None
        return change


def test_change_opens_the_form_for_the_channels_team(bot: RunningBot) -> None:
    make_team(bot.database)
    view = open_form(bot)
    assert view["callback_id"] == "change_form"
    assert view["title"]["text"] == "Announce a change"
    fields = inputs(view)
    assert list(fields) == [
        "team", "output", "title", "description", "effective_on", "feedback_by", "segments",
    ]  # fmt: skip
    assert fields["team"]["initial_option"]["text"]["text"] == "Prices"
    assert "initial_option" not in fields["output"]
    assert "initial_date" not in fields["effective_on"]
    assert fields["title"]["max_length"] == 150
    assert len(fields["segments"]["options"]) == 9


def test_each_problem_shows_on_its_field_and_nothing_is_announced(bot: RunningBot) -> None:
    make_team(bot.database)
    make_team(bot.database, "Labour market", "CLABOUR", "Employment | high")
    day = today(bot)
    cases = [
        ({"title": None}, "title", "The title is required."),
        ({"title": "x" * 151}, "title", "151 characters; the most it can hold is 150"),
        ({"description": None}, "description", "What is changing and why is required."),
        ({"description": "x" * 3001}, "description", "the most it can hold is 3,000"),
        ({"output": ("Employment", "3")}, "output", "Choose an output of Prices."),
        ({"effective_on": None}, "effective_on", "Choose the date the change takes effect."),
        ({"effective_on": day - timedelta(days=1)}, "effective_on", "can't be in the past"),
        ({"feedback_by": day - timedelta(days=1)}, "feedback_by", "can't be in the past"),
        ({"feedback_by": day + timedelta(days=30)}, "feedback_by", "before the change takes"),
        ({"effective_on": date(3027, 1, 1)}, "effective_on", "more than 10 years ahead"),
        ({"segments": ["1", "999"]}, "segments", "segments no longer exists"),
    ]
    view = open_form(bot)
    for answers, field, message in cases:
        fields = {"output": CPI, "title": "T", "description": "D"}
        fields.update({"effective_on": day + timedelta(days=30), **answers})
        if field == "segments":  # not an option Slack would offer: sent as typed
            view["blocks"][-1]["element"]["options"].append(
                {"text": {"type": "plain_text", "text": "Gone"}, "value": "999"}
            )
        answer = submit(bot, view, **fields)
        assert answer["response_action"] == "errors", (field, answer)
        assert list(answer["errors"]) == [field]
        assert message in answer["errors"][field]
    assert count_rows(bot.database, UpcomingChange) == 0
    assert bot.slack.calls("chat.postMessage") == []


def test_feedback_may_be_wanted_today_and_the_change_take_effect_today(bot: RunningBot) -> None:
    make_team(bot.database)
    answer = announce(bot, effective_on=today(bot) + timedelta(days=1), feedback_by=today(bot))
    assert answer["response_action"] == "update"
    answer = announce(bot, 2, effective_on=today(bot))
    assert answer["response_action"] == "update"


def test_saving_announces_to_the_home_channel_and_every_subscriber(bot: RunningBot) -> None:
    make_team(bot.database)
    make_team(bot.database, "Labour market", "CLABOUR", "Employment | high")
    subscribe(bot, "CALL", "Prices")
    subscribe(bot, "CCPI", "Prices: Consumer price inflation")
    subscribe(bot, "CHPI", "House price index")  # another output: not told
    subscribe(bot, "CJOBS", "Labour market")  # another team: not told
    effective = today(bot) + timedelta(days=40)
    feedback_by = today(bot) + timedelta(days=20)
    answer = announce(bot, effective_on=effective, feedback_by=feedback_by, segments=["1", "4"])
    assert answer["response_action"] == "update"
    assert answer["view"]["title"]["text"] == "Change announced"
    done = reply_text(answer["view"])
    assert "Announced change *#1*: *New weights for the CPI basket*" in done
    assert "The notice is going to <#CPRICES>, <#CALL>, <#CCPI>." in done
    sent = posts(bot, 3)
    assert sorted(sent) == ["CALL", "CCPI", "CPRICES"]  # sent in key order
    message = sent["CCPI"][0]
    shown = reply_text(message)
    assert ":mega: *Upcoming change* to *Consumer price inflation* (Prices)" in shown
    assert "*New weights for the CPI basket*" in shown
    assert "We are moving to annual chain-linking.\nSee the article." in shown
    assert f"*Takes effect:* {long_date(effective)}" in shown
    assert f"*Feedback wanted by:* {long_date(feedback_by)}" in shown
    assert "*Who is affected:* central government, media" in shown
    assert (
        message["text"]
        == "Upcoming change to Consumer price inflation: New weights for the CPI basket"
    )
    comment = button(message, "change_comment")
    assert (comment["text"]["text"], comment["value"]) == ("Comment on this change", "1")
    change = stored_change(bot)
    assert (change.status, change.revision, change.created_by) == ("announced", 1, "U0001")
    sent_notices = {f"change:1:r1:{channel}": "sent" for channel in ("CPRICES", "CALL", "CCPI")}
    wait_for_deliveries(bot.database, sent_notices)
    assert count_rows(bot.database, Delivery) == 3


def test_ended_subscriptions_hear_nothing(bot: RunningBot) -> None:
    team_id = make_team(bot.database)
    subscribe(bot, "CLEFT", "Prices")
    run_command(bot, "unsubscribe Prices", channel="CLEFT")
    with bot.database.transaction() as session:
        session.add(
            Subscription(
                channel_id="CGONE", team_id=team_id, active=False, ended_reason="is_archived"
            )
        )
    announce(bot)
    assert list(posts(bot, 1)) == ["CPRICES"]


def test_a_retried_submission_announces_once(bot: RunningBot) -> None:
    make_team(bot.database)
    view = open_form(bot)
    fields = {"output": CPI, "title": "T", "description": "D", "effective_on": today(bot)}
    payload = view_submission(view, state_values(view, fields))
    for _ in range(2):
        assert bot.requester.send(payload).json["response_action"] == "update"
    assert count_rows(bot.database, UpcomingChange) == 1
    assert len(posts(bot, 1)["CPRICES"]) == 1


def list_changes(bot: RunningBot, channel: str = "CPRICES", user: str = "U0001") -> dict[str, Any]:
    return run_command(bot, "change list", channel=channel, user=user)


def test_the_list_shows_upcoming_changes_soonest_first_with_edit_and_cancel(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    assert "Prices has no upcoming changes" in list_changes(bot)["text"]
    announce(bot, title="Later", effective_on=today(bot) + timedelta(days=60))
    announce(bot, 2, title="Sooner", effective_on=today(bot) + timedelta(days=10))
    with bot.database.transaction() as session:  # in effect already: not upcoming
        past = session.get(UpcomingChange, 1)
        past.effective_on = today(bot) - timedelta(days=1)  # type: ignore[union-attr]
        session.add(past)
    announce(bot, 3, title="Latest", effective_on=today(bot) + timedelta(days=90))
    shown = list_changes(bot)
    titles = [b["text"]["text"].split("\n")[0] for b in shown["blocks"] if b["type"] == "section"]
    assert titles == ["*Upcoming changes for Prices*, soonest first:", "*#2 Sooner*", "*#3 Latest*"]
    assert f"takes effect {long_date(today(bot) + timedelta(days=10))}" in reply_text(shown)
    assert [b["text"]["text"] for b in shown["blocks"][2]["elements"]] == ["Edit", "Cancel"]
    assert "Which team's changes?" in list_changes(bot, channel="CELSE")["text"]


def test_editing_sends_an_update_to_the_same_channels(bot: RunningBot) -> None:
    make_team(bot.database)
    subscribe(bot, "CCPI", "Consumer price inflation")
    announce(bot, segments=["1"])
    posts(bot, 2)
    press(bot, button(list_changes(bot), "change_edit", "1"))
    view = opened_view(bot, 2)
    assert view["title"]["text"] == "Edit change #1"
    assert json.loads(view["private_metadata"]) == {"change_id": 1}
    fields = inputs(view)
    assert fields["title"]["initial_value"] == "New weights for the CPI basket"
    assert fields["output"]["initial_option"]["value"] == "1"
    assert [o["value"] for o in fields["segments"]["initial_options"]] == ["1"]
    later = today(bot) + timedelta(days=45)
    answer = submit(bot, view, title="New weights, later", effective_on=later)
    assert answer["view"]["title"]["text"] == "Change updated"
    assert "Updated change *#1*" in reply_text(answer["view"])
    sent = posts(bot, 4)
    assert [len(sent[channel]) for channel in ("CPRICES", "CCPI")] == [2, 2]
    update = reply_text(sent["CCPI"][1])
    assert ":pencil2: *Updated: upcoming change* to *Consumer price inflation* (Prices)" in update
    assert "*New weights, later*" in update and long_date(later) in update
    earlier = today(bot) + timedelta(days=30)
    assert (
        "*What changed:*\n• Title changed\n"
        f"• Takes effect: now {long_date(later)} (was {long_date(earlier)})\n"
    ) in update
    assert "Change #1, update 1." in update
    change = stored_change(bot)
    assert (change.revision, change.title, change.effective_on) == (2, "New weights, later", later)


def test_an_update_says_each_thing_that_changed(bot: RunningBot) -> None:
    make_team(bot.database)
    announced_by = today(bot) + timedelta(days=10)
    announce(bot, feedback_by=announced_by, segments=["1"])
    posts(bot, 1)
    press(bot, button(list_changes(bot), "change_edit"))
    submit(bot, opened_view(bot, 2), description="Annual <chain-linking>.", feedback_by=None)
    press(bot, button(list_changes(bot), "change_edit"))
    wanted_by = today(bot) + timedelta(days=12)
    submit(bot, opened_view(bot, 3), feedback_by=wanted_by, segments=["1", "4"])
    first, second = (reply_text(post) for post in posts(bot, 3)["CPRICES"][1:])
    assert (
        "*What changed:*\n• Description changed\n"
        f"• Feedback wanted by: now no date (was {long_date(announced_by)})\n"
    ) in first
    assert "Annual &lt;chain-linking&gt;." in first
    assert (
        f"*What changed:*\n• Feedback wanted by: now {long_date(wanted_by)} (was no date)\n"
        "• Who is affected changed\n"
    ) in second
    assert "*Who is affected:* central government, media" in second


def test_an_edit_that_changes_nothing_sends_nothing(bot: RunningBot) -> None:
    make_team(bot.database)
    announce(bot)
    posts(bot, 1)
    press(bot, button(list_changes(bot), "change_edit"))
    answer = submit(bot, opened_view(bot, 2))  # as it was
    assert answer["view"]["title"]["text"] == "Nothing changed"
    assert "Nothing changed, so no update was sent." in reply_text(answer["view"])
    change = stored_change(bot)
    assert (change.revision, change.updated_at) == (1, change.created_at)
    assert count_rows(bot.database, Delivery) == 1  # nothing was queued
    # The next real edit is the first update: the unchanged one sent nothing.
    press(bot, button(list_changes(bot), "change_edit"))
    submit(bot, opened_view(bot, 3), title="Renamed")
    sent = posts(bot, 2)["CPRICES"]
    assert "Change #1, update 1." in reply_text(sent[1])


def test_an_update_between_long_names_says_what_changed_without_them(bot: RunningBot) -> None:
    """Names too long for the delivery's note are left out of the update, not cut."""
    long_output = '"Quoted" output ' * 7  # 112 characters, with quotes JSON escapes
    make_team(bot.database, "P" * 80, outputs=f"{long_output}A | high")
    make_team(bot.database, "L" * 80, "CLABOUR", f"{long_output}B | high")
    announce(bot, output=(f"{long_output}A", "1"))
    posts(bot, 1)
    press(bot, button(list_changes(bot), "change_edit"))
    moved = today(bot) + timedelta(days=31)
    submit(
        bot,
        opened_view(bot, 2),
        team=("L" * 80, "2"),
        output=(f"{long_output}B", "2"),
        title="Moved",
        effective_on=moved,
    )
    update = reply_text(posts(bot, 3)["CPRICES"][1])
    assert "• Team changed\n• Output changed\n• Title changed\n• Takes effect: now " in update
    with bot.database.transaction() as session:
        notes = [d.note or "" for d in session.exec(select(Delivery))]
    assert max(len(note) for note in notes) <= 500


def test_an_update_moving_the_change_tells_the_old_outputs_subscribers_too(
    bot: RunningBot,
) -> None:
    make_team(bot.database, channel=None)
    subscribe(bot, "CCPI", "Consumer price inflation")
    subscribe(bot, "CHPI", "House price index")
    answer = announce(bot, team=("Prices", "1"))
    assert answer["response_action"] == "update"
    assert list(posts(bot, 1)) == ["CCPI"]
    listed = list_changes(bot, channel="CCPI", user="UADMIN")  # the team they set up
    press(bot, button(listed, "change_edit"), user="UADMIN")
    submit(bot, opened_view(bot, 2), output=HPI)
    sent = posts(bot, 3)
    assert {channel: len(messages) for channel, messages in sent.items()} == {"CCPI": 2, "CHPI": 1}
    update = reply_text(sent["CHPI"][0])
    assert "upcoming change* to *House price index*" in update
    assert "• Output: now House price index (was Consumer price inflation)" in update


def test_cancelling_asks_why_and_tells_every_channel(bot: RunningBot) -> None:
    make_team(bot.database)
    subscribe(bot, "CALL", "Prices")
    announce(bot)
    posts(bot, 2)
    listed = list_changes(bot)
    press(bot, button(listed, "change_cancel", "1"))
    view = opened_view(bot, 2)
    assert view["callback_id"] == "change_cancel_form"
    assert view["close"]["text"] == "Keep it"
    answer = submit(bot, view, reason=None)
    assert answer["errors"] == {"reason": "The reason is required."}
    answer = submit(bot, view, reason="The <b>consultation</b> said no")
    assert answer["view"]["title"]["text"] == "Change cancelled"
    assert "Cancelled change *#1*" in reply_text(answer["view"])
    sent = posts(bot, 4)
    for channel in ("CPRICES", "CALL"):
        notice = reply_text(sent[channel][1])
        assert ":no_entry_sign: *Cancelled:* *New weights for the CPI basket*" in notice
        assert "will not happen" in notice
        assert "The &lt;b&gt;consultation&lt;/b&gt; said no" in notice
    change = stored_change(bot)
    assert (change.status, change.cancel_reason) == ("cancelled", "The <b>consultation</b> said no")
    assert "Prices has no upcoming changes" in list_changes(bot)["text"]
    # The old list's buttons now say why nothing can be done.
    press(bot, button(listed, "change_edit", "1"))
    assert "was cancelled already" in reply_text(opened_view(bot, 3))
    press(bot, button(listed, "change_cancel", "1"))
    assert "was cancelled already" in reply_text(opened_view(bot, 4))


def test_a_notice_not_yet_sent_is_skipped_once_the_change_moved_on(bot: RunningBot) -> None:
    make_team(bot.database)
    bot.slack.fail_next("chat.postMessage", "internal_error")  # left to retry later
    announce(bot)
    bot.slack.wait_for("chat.postMessage")
    press(bot, button(list_changes(bot), "change_edit"))
    submit(bot, opened_view(bot, 2), title="Second version")
    # Revision 2 must be out before the next failure is set, or it would get that failure.
    wait_for_deliveries(bot.database, {"change:1:r2:CPRICES": "sent"})
    press(bot, button(list_changes(bot), "change_edit"))
    bot.slack.fail_next("chat.postMessage", "internal_error")
    submit(bot, opened_view(bot, 3), title="Third version")
    bot.slack.wait_for("chat.postMessage", 3)
    press(bot, button(list_changes(bot), "change_cancel"))
    submit(bot, opened_view(bot, 4), reason="Not needed")
    bot.slack.wait_for("chat.postMessage", 4)
    # The tick must find revision 3 back in the queue, its failure recorded.
    wait_for_deliveries(
        bot.database, {"change:1:r3:CPRICES": "pending", "change:1:cancelled:CPRICES": "sent"}
    )
    scheduler = build_scheduler(bot.settings, bot.database)
    outcome = scheduler.tick(utc_now() + timedelta(hours=2))
    assert (outcome.sent, outcome.skipped) == (0, 2)  # revisions 1 and 3
    sent = [reply_text(call.args) for call in bot.slack.calls("chat.postMessage")]
    assert ["Second version" in text for text in sent] == [False, True, False, False]
    assert "Cancelled" in sent[3]


def test_comment_opens_the_feedback_form_for_anyone_and_links_the_feedback(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    announce(bot)
    announcement = posts(bot, 1)["CPRICES"][0]
    payload = block_actions("change_comment", "1", "UOUTSIDER", "CSHARED", message=announcement)
    payload["user"]["team_id"] = "TOTHERORG"  # someone of another organisation
    bot.requester.send(payload)
    form = opened_view(bot, 2)
    assert form["callback_id"] == "feedback_form"
    assert "Your comment on *New weights for the CPI basket*" in reply_text(form)
    fields = inputs(form)
    assert fields["team"]["initial_option"]["text"]["text"] == "Prices"
    assert fields["output"]["initial_option"]["text"]["text"] == "Consumer price inflation"
    assert fields["channel"]["initial_option"]["value"] == "slack"
    answer = submit(bot, form, user="UOUTSIDER", text="Please keep the old series too")
    assert answer["response_action"] == "update"
    assert "Thank you: Prices will read it." in reply_text(answer["view"])
    with bot.database.transaction() as session:
        item = session.exec(select(Feedback)).one()
        assert (item.change_id, item.output_id, item.recorded_by) == (1, 1, "UOUTSIDER")
        assert item.text == "Please keep the old series too"
        # Commenting does not make them one of the team's staff.
        assert session.get(UserPreference, ("", "UOUTSIDER")) is None


def test_a_comment_must_stay_with_the_changes_team(bot: RunningBot) -> None:
    make_team(bot.database)
    make_team(bot.database, "Labour market", "CLABOUR", "Employment | high")
    announce(bot)
    press(bot, button(posts(bot, 1)["CPRICES"][0], "change_comment"), channel_id="CPRICES")
    form = opened_view(bot, 2)
    answer = submit(bot, form, team=("Labour market", "2"), output=None, text="Hi")
    assert answer["errors"] == {"team": "This comments on a change of Prices: keep that team."}
    assert count_rows(bot.database, Feedback) == 0


def test_user_text_is_escaped_in_every_notice(bot: RunningBot) -> None:
    make_team(bot.database, outputs="<CPI> & co | high")
    announce(
        bot,
        title="<!channel> *x*",
        description="Ask <@U0002> or see <https://evil.example|the docs> & more",
    )
    message = posts(bot, 1)["CPRICES"][0]
    shown = reply_text(message)
    assert "<!channel>" not in shown and "<@U0002>" not in shown and "<https" not in shown
    assert "*&lt;!channel&gt; *x**" in shown
    assert "Ask &lt;@U0002&gt; or see &lt;https://evil.example|the docs&gt; &amp; more" in shown
    assert "*&lt;CPI&gt; &amp; co* (Prices)" in shown
    assert "<!channel>" not in message["text"]


def test_a_long_description_is_shown_whole_in_sections_slack_accepts(bot: RunningBot) -> None:
    make_team(bot.database)
    announce(bot, description="<" * 3000)
    blocks = posts(bot, 1)["CPRICES"][0]["blocks"]
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert all(len(text) <= 3000 for text in texts)
    assert "".join(texts).count("&lt;") == 3000


def test_the_confirmation_names_the_channels_it_can_and_where_to_see_them_all(
    bot: RunningBot,
) -> None:
    """Issue 13: 180 subscribed channels made the "announced" modal 3,039 characters;
    Slack refused it, and the person saw an error although the change went out."""
    team_id = make_team(bot.database)
    channels = [f"C{number:010d}" for number in range(180)]
    with bot.database.transaction() as session:
        session.add_all(Subscription(channel_id=c, team_id=team_id) for c in channels)
    view = announce(bot)["view"]
    assert problems(view) == []
    done = reply_text(view)
    shown = [channel for channel in ["CPRICES", *channels] if f"<#{channel}>" in done]
    assert shown == ["CPRICES", *channels][: len(shown)]
    listing = "/engage subscribe list Prices: Consumer price inflation"
    assert done.endswith(f" and {181 - len(shown)} more channels: `{listing}` lists them all.")
    listed = run_command(bot, listing.removeprefix("/engage "), channel="D0001")
    assert problems(listed) == []
    assert reply_text(listed).startswith(
        "181 channels hear about changes to *Consumer price inflation* (Prices):"
    )
    assert all(f"<#{channel}>" in reply_text(listed) for channel in ["CPRICES", *channels])
    assert len(posts(bot, 181)) == 181  # and the change went out to every one
