"""`/engage log`: recording at once from text, the form, Add details and Undo."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from typing import Any

from pytest import MonkeyPatch
from sqlmodel import select

from bot.base.clock import today
from bot.runtime.console.payloads import (
    block_actions,
    global_shortcut,
    slash_command,
    state_values,
    view_submission,
)
from storage.database import Database
from storage.models import Engagement
from storage.reference import organisation_named, organisations_named
from tests.conftest import RunningBot, test_settings
from tests.e2e.helpers import (
    handed_back,
    inputs,
    make_team,
    reply_text,
    run_command,
    wait_for_reply,
)
from tests.fake_slack import FakeSlack


def test_log_with_text_records_at_once_and_answers_with_buttons(bot: RunningBot) -> None:
    make_team(bot.database)
    reply = run_command(bot, "log Met DWP analysts about the earnings series")
    assert reply["response_type"] == "ephemeral"
    assert "Logged engagement *#1* for Prices" in reply_text(reply)
    buttons = reply["blocks"][1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Add details", "Undo"]
    with bot.database.transaction() as session:
        engagement = session.exec(select(Engagement)).one()
        assert engagement.summary == "Met DWP analysts about the earnings series"
        assert engagement.logged_by == "U0001"
        assert engagement.team.name == "Prices"


def test_help_lists_every_subcommand_with_an_example(bot: RunningBot) -> None:
    for text in ("", "help"):
        shown = reply_text(run_command(bot, text))
        for example in ("/engage log Met", "/engage feedback", "/engage team"):
            assert example in shown


def test_an_unknown_subcommand_gets_help_not_an_error(bot: RunningBot) -> None:
    reply = run_command(bot, "frobnicate <!channel>")
    shown = reply_text(reply)
    assert reply["response_type"] == "ephemeral"
    assert "Unknown subcommand `frobnicate`" in shown
    assert "/engage log" in shown


def test_an_unknown_subcommand_is_escaped_in_the_notification_text_too(bot: RunningBot) -> None:
    reply = run_command(bot, "<!channel> hello")
    assert "<!channel>" not in reply["text"] and "&lt;!channel&gt;" in reply["text"]
    assert "<!channel>" not in reply_text(reply)


def test_log_without_text_opens_the_form_with_today_and_the_channel_team(bot: RunningBot) -> None:
    make_team(bot.database)
    bot.requester.send(slash_command("log", channel_id="CPRICES"))
    view = bot.slack.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == "engagement_form"
    elements = {
        block["block_id"]: block["element"] for block in view["blocks"] if block["type"] == "input"
    }
    assert elements["occurred_on"]["initial_date"] == today(bot.settings.timezone).isoformat()
    assert elements["team"]["initial_option"]["text"]["text"] == "Prices"
    assert elements["outputs"]["type"] == "multi_external_select"
    assert [o["text"]["text"] for o in elements["segments"]["options"]][:2] == [
        "central government",
        "devolved and local government",
    ]
    assert [o["value"] for o in elements["method"]["options"]][-3:] == [
        "social_media",
        "enquiry",
        "other",
    ]
    assert [o["value"] for o in elements["expertise"]["options"]] == [
        "expert",
        "non-expert",
        "mixed",
    ]


def test_the_form_saves_every_field(bot: RunningBot) -> None:
    make_team(bot.database)
    response_url = bot.slack.response_url("form")
    bot.requester.send(slash_command("log", channel_id="CPRICES", response_url=response_url))
    view = bot.slack.wait_for("views.open")[0].args["view"]
    values = state_values(
        view,
        {
            "occurred_on": "2026-01-15",
            "outputs": [("Consumer price inflation", "1")],
            "method": "user_group",
            "segments": ["3", "4"],
            "expertise": "expert",
            "organisations": [("Bank of England", "Bank of England"), ("Add “RSS”", "RSS")],
            "participants": "25",
            "summary": "CPI user group",
            "what_we_heard": "Users want <b>more</b> detail",
            "follow_up_actions": "Publish the weights",
        },
    )
    answer = bot.requester.send(view_submission(view, values))
    assert answer.status == 200 and answer.body == ""
    reply = bot.slack.wait_for("response_url")[0].args
    assert "Logged engagement *#1* for Prices" in reply_text(reply)
    with bot.database.transaction() as session:
        engagement = session.exec(select(Engagement)).one()
        assert engagement.occurred_on == date(2026, 1, 15)
        assert [o.name for o in engagement.outputs] == ["Consumer price inflation"]
        assert engagement.method == "user_group"
        assert sorted(s.name for s in engagement.segments) == ["academia and research", "media"]
        assert engagement.expertise == "expert"
        assert sorted(o.name for o in engagement.organisations) == ["Bank of England", "RSS"]
        assert engagement.participants == 25
        assert engagement.what_we_heard == "Users want <b>more</b> detail"
        assert engagement.follow_up_actions == "Publish the weights"


def test_form_errors_come_back_on_their_fields_and_nothing_is_saved(bot: RunningBot) -> None:
    make_team(bot.database)
    make_team(bot.database, "Labour market", "CLABOUR", "Employment | high")
    bot.requester.send(slash_command("log", channel_id="CPRICES"))
    view = bot.slack.wait_for("views.open")[0].args["view"]
    tomorrow = today(bot.settings.timezone) + timedelta(days=1)
    values = state_values(
        view,
        {
            "occurred_on": tomorrow.isoformat(),
            "outputs": [("Employment", "3")],
            "summary": "   ",
        },
    )
    answer = bot.requester.send(view_submission(view, values))
    assert answer.json["response_action"] == "errors"
    errors = answer.json["errors"]
    assert "future" in errors["occurred_on"]
    assert errors["summary"] == "The summary is required."
    assert "Prices" in errors["outputs"]
    assert _count(bot, Engagement) == 0


def test_a_date_before_the_earliest_is_refused_on_its_field(bot: RunningBot) -> None:
    make_team(bot.database)
    bot.requester.send(slash_command("log", channel_id="CPRICES"))
    view = bot.slack.wait_for("views.open")[0].args["view"]
    answer = bot.requester.send(
        view_submission(view, state_values(view, {"occurred_on": "1900-01-01", "summary": "Old"}))
    )
    assert answer.json == {
        "response_action": "errors",
        "errors": {"occurred_on": "The date can't be before 2000-01-01: check the year."},
    }
    assert _count(bot, Engagement) == 0


def test_an_option_id_no_list_could_offer_is_refused_on_its_field(bot: RunningBot) -> None:
    make_team(bot.database)
    bot.requester.send(slash_command("log", channel_id="CPRICES"))
    view = bot.slack.wait_for("views.open")[0].args["view"]
    values = state_values(
        view, {"outputs": [("Stale", "99999999999999999999")], "summary": "CPI user group"}
    )
    answer = bot.requester.send(view_submission(view, values))
    assert answer.status == 200
    assert answer.json == {
        "response_action": "errors",
        "errors": {"outputs": "Choose from the list."},
    }
    assert _count(bot, Engagement) == 0


def test_add_details_opens_the_form_prefilled_and_saving_edits_the_same_record(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    reply = run_command(bot, "log Quick note")
    details = reply["blocks"][1]["elements"][0]
    edit_url = bot.slack.response_url("edit")
    bot.requester.send(
        block_actions(details["action_id"], details["value"], response_url=edit_url, ephemeral=True)
    )
    view = bot.slack.wait_for("views.open")[0].args["view"]
    assert view["title"]["text"] == "Engagement #1"
    summary = next(b for b in view["blocks"] if b["block_id"] == "summary")
    assert summary["element"]["initial_value"] == "Quick note"
    bot.requester.send(
        view_submission(view, state_values(view, {"summary": "Fuller note", "method": "webinar"}))
    )
    updated = wait_for_reply(bot, "edit")
    assert updated["replace_original"] is True
    assert "Updated engagement *#1*" in reply_text(updated)
    with bot.database.transaction() as session:
        engagement = session.exec(select(Engagement)).one()
        assert (engagement.id, engagement.summary, engagement.method) == (
            1,
            "Fuller note",
            "webinar",
        )


def test_undo_deletes_only_for_the_person_who_logged_it(bot: RunningBot) -> None:
    make_team(bot.database)
    reply = run_command(bot, "log To be undone")
    undo = reply["blocks"][1]["elements"][1]
    other_url = bot.slack.response_url("other")
    bot.requester.send(
        block_actions(
            undo["action_id"],
            undo["value"],
            user_id="U0002",
            response_url=other_url,
            ephemeral=True,
        )
    )
    refused = wait_for_reply(bot, "other")
    assert "Only <@U0001>" in refused["text"] and "Nothing was deleted" in refused["text"]
    assert _count(bot, Engagement) == 1
    own_url = bot.slack.response_url("own")
    bot.requester.send(
        block_actions(undo["action_id"], undo["value"], response_url=own_url, ephemeral=True)
    )
    done = wait_for_reply(bot, "own")
    assert done["replace_original"] is True
    assert done["text"].startswith("Engagement #1 for Prices was deleted: it is gone from every")
    assert _count(bot, Engagement) == 0
    again = run_command(bot, "log A new one")
    assert "engagement *#2*" in reply_text(again)  # an undone number is never reused


def test_the_global_shortcut_opens_the_form_and_confirms_in_the_modal(bot: RunningBot) -> None:
    make_team(bot.database)
    run_command(bot, "log First, to remember my team")
    bot.requester.send(global_shortcut("log_engagement"))
    view = bot.slack.wait_for("views.open")[0].args["view"]
    team = next(b for b in view["blocks"] if b["block_id"] == "team")
    assert team["element"]["initial_option"]["text"]["text"] == "Prices"
    answer = bot.requester.send(
        view_submission(view, state_values(view, {"summary": "From the shortcut"}))
    )
    assert answer.json["response_action"] == "update"
    assert "Logged engagement *#2* for Prices." in answer.json["view"]["blocks"][0]["text"]["text"]


def test_without_a_team_the_text_is_kept_in_the_form(bot: RunningBot) -> None:
    make_team(bot.database, channel=None)
    bot.requester.send(slash_command("log Met the RSS", channel_id="CRANDOM"))
    view = bot.slack.wait_for("views.open")[0].args["view"]
    summary = next(b for b in view["blocks"] if b["block_id"] == "summary")
    assert summary["element"]["initial_value"] == "Met the RSS"
    assert _count(bot, Engagement) == 0


def test_a_summary_over_the_limit_opens_the_form_with_it_to_shorten(bot: RunningBot) -> None:
    make_team(bot.database)
    typed = "Met DWP analysts. " * 83 + "End."  # 1,498 characters
    bot.requester.send(slash_command(f"log {typed}", channel_id="CPRICES"))
    view = bot.slack.wait_for("views.open")[0].args["view"]
    assert _count(bot, Engagement) == 0
    note = view["blocks"][0]["elements"][0]["text"]
    assert note == (
        ":warning: The summary is 1,498 characters; the most it can hold is 1,000. "
        "Shorten it here before saving."
    )
    summary = inputs(view)["summary"]
    assert summary["initial_value"] == typed and summary["max_length"] == 1498
    assert inputs(view)["team"]["initial_option"]["text"]["text"] == "Prices"
    # Saved as it is, it is refused on the field; shortened, it is logged.
    refused = bot.requester.send(view_submission(view, state_values(view, {"summary": typed})))
    assert refused.json["errors"] == {
        "summary": "The summary is 1,498 characters; the most it can hold is 1,000."
    }
    saved = bot.requester.send(view_submission(view, state_values(view, {"summary": typed[:900]})))
    assert saved.status == 200 and _count(bot, Engagement) == 1


def test_a_long_summary_is_given_back_when_the_form_cannot_open(bot: RunningBot) -> None:
    make_team(bot.database)
    bot.slack.fail_next("views.open", "expired_trigger_id")  # the command waited too long
    typed = "Met DWP analysts about earnings. " * 40
    reply = run_command(bot, f"log {typed}")
    assert "Nothing was recorded. The summary is 1,319 characters" in reply["text"]
    assert handed_back(reply) == typed.strip()
    assert _count(bot, Engagement) == 0


def test_text_too_long_for_the_form_is_given_back_whole(bot: RunningBot) -> None:
    make_team(bot.database)
    typed = "\n".join(f"Line {n}: " + "what the users told us" * 5 for n in range(60))
    assert len(typed) > 6000
    reply = run_command(bot, f"log {typed}")
    assert reply["text"].startswith(
        f":warning: Nothing was recorded. The summary is {len(typed):,} characters; "
        "the most it can hold is 1,000. Shorten it and send it again."
    )
    assert handed_back(reply) == typed
    assert _count(bot, Engagement) == 0
    assert bot.slack.calls("views.open") == []


def test_a_subcommand_word_alone_is_answered_with_the_usage_not_logged(bot: RunningBot) -> None:
    make_team(bot.database)
    for word in ("list", "LIST", "help"):
        shown = reply_text(run_command(bot, f"log {word}"))
        assert shown.startswith(f":warning: Nothing was recorded: `/engage log {word}`"), shown
        assert "`/engage log Met DWP analysts about earnings`" in shown
    assert _count(bot, Engagement) == 0
    assert "Logged engagement" in reply_text(run_command(bot, "log List of users sent to DWP"))


def test_user_text_is_escaped_when_posted_back(bot: RunningBot) -> None:
    make_team(bot.database)
    reply = run_command(bot, "log <!channel> see <https://evil.example|gov.uk> & more")
    shown = reply_text(reply)
    assert "<!channel>" not in shown and "<https://" not in shown
    assert "&lt;!channel&gt; see &lt;https://evil.example|gov.uk&gt; &amp; more" in shown


def test_a_retried_command_records_once(bot: RunningBot) -> None:
    make_team(bot.database)
    command = slash_command(
        "log Only once", channel_id="CPRICES", response_url=bot.slack.response_url("a")
    )
    bot.requester.send(command)
    bot.slack.wait_for("response_url")
    retry = bot.requester.send(
        command, extra_headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry.status == 200
    replies = bot.slack.wait_for("response_url", count=2)
    assert all("engagement *#1*" in reply_text(call.args) for call in replies)
    assert _count(bot, Engagement) == 1


def test_a_tampered_or_stale_signature_is_refused_and_changes_nothing(bot: RunningBot) -> None:
    make_team(bot.database)
    command = slash_command("log Forged", channel_id="CPRICES")
    assert bot.requester.send(command, tamper=True).status == 401
    assert bot.requester.send(command, timestamp=int(time.time()) - 600).status == 401
    assert _count(bot, Engagement) == 0
    assert bot.slack.calls("response_url") == []


def _count(bot: RunningBot, model: type) -> int:
    with bot.database.transaction() as session:
        return len(session.exec(select(model)).all())


def test_with_no_team_at_all_the_person_is_told_to_create_one(bot: RunningBot) -> None:
    reply = run_command(bot, "log Met the RSS", channel="CRANDOM")
    assert "there is no team yet to file it under" in reply["text"]
    assert "/engage team" in reply["text"]
    assert _count(bot, Engagement) == 0


def test_whoever_creates_a_team_logs_for_it_anywhere(bot: RunningBot) -> None:
    make_team(bot.database, channel=None)  # created by UADMIN
    reply = run_command(bot, "log\tMet the RSS", user="UADMIN", channel="CRANDOM")
    assert "Logged engagement *#1* for Prices." in reply_text(reply)


def test_the_entities_slack_sends_in_command_text_are_stored_as_typed(bot: RunningBot) -> None:
    make_team(bot.database)
    # Slack sends "Prices & rents <2026>" in a command's text as below.
    run_command(bot, "log Prices &amp; rents &lt;2026&gt;")
    with bot.database.transaction() as session:
        (engagement,) = session.exec(select(Engagement)).all()
    assert engagement.summary == "Prices & rents <2026>"


def test_nul_characters_are_dropped_from_command_text(bot: RunningBot) -> None:
    make_team(bot.database)  # PostgreSQL cannot store NUL: the text is recorded without it
    reply = run_command(bot, "log Met\x00 the RSS")
    assert "Logged engagement" in reply_text(reply)
    with bot.database.transaction() as session:
        (engagement,) = session.exec(select(Engagement)).all()
    assert engagement.summary == "Met the RSS"


def test_blank_oauth_lines_of_a_copied_env_example_leave_the_one_workspace_working(
    fake_slack: FakeSlack, database: Database, database_url: str, monkeypatch: MonkeyPatch
) -> None:
    """`.env.example` has `SLACK_CLIENT_ID=` and `SLACK_CLIENT_SECRET=`: blank, so unset to
    engagebot; Bolt, reading the environment itself, would take them as asking for its own
    installation store and refuse every request as not installed."""
    monkeypatch.setenv("SLACK_CLIENT_ID", "")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "")
    running = RunningBot(test_settings(fake_slack, database_url), database, fake_slack)
    try:
        make_team(database)
        reply = run_command(running, "log Met DWP analysts")
        assert "Logged engagement *#1* for Prices" in reply_text(reply)
    finally:
        running.stop()


def press_tag(bot: RunningBot, value: str, user: str, reply: str) -> dict[str, Any]:
    bot.requester.send(
        block_actions(
            "engagement_tag",
            value,
            user_id=user,
            response_url=bot.slack.response_url(reply),
            ephemeral=True,
        )
    )
    return wait_for_reply(bot, reply)


def test_a_quick_log_naming_known_organisations_and_outputs_offers_to_tag_them(
    bot: RunningBot,
) -> None:
    make_team(bot.database)  # outputs: Consumer price inflation, House price index
    with bot.database.transaction() as session:
        organisations_named(session=session, names=["DWP", "Bank of England", "Which?"])
    reply = run_command(
        bot, "log Met dwp and the bank of England (consumer price inflation), not HMRC"
    )
    tag = reply["blocks"][1]["elements"][2]
    assert tag["text"]["text"] == "Tag Bank of England, DWP and Consumer price inflation"
    with bot.database.transaction() as session:
        engagement = session.exec(select(Engagement)).one()
        assert (engagement.organisations, engagement.outputs) == ([], [])

    # Someone else can't; the one who logged it can, in one click.
    refused = press_tag(bot, tag["value"], "U0002", "other")
    assert refused["text"].startswith(":no_entry: Only <@U0001>, who logged engagement #1")
    tagged = press_tag(bot, tag["value"], "U0001", "own")

    assert tagged["replace_original"] is True
    shown = reply_text(tagged)
    assert "Tagged engagement *#1* for Prices." in shown
    assert "Tagged with Bank of England, DWP and Consumer price inflation." in shown
    assert [b["text"]["text"] for b in tagged["blocks"][1]["elements"]] == ["Add details", "Undo"]
    with bot.database.transaction() as session:
        engagement = session.exec(select(Engagement)).one()
        assert sorted(o.name for o in engagement.organisations) == ["Bank of England", "DWP"]
        assert [o.name for o in engagement.outputs] == ["Consumer price inflation"]
    # Pressed again (a retry, or the old message), nothing is added twice.
    press_tag(bot, tag["value"], "U0001", "again")
    with bot.database.transaction() as session:
        engagement = session.exec(select(Engagement)).one()
        assert len(engagement.organisations) == 2 and len(engagement.outputs) == 1


def test_a_forged_tag_button_adds_nothing_the_register_lacks(bot: RunningBot) -> None:
    make_team(bot.database, "Labour market", "CLABOUR", "Employment | high")
    make_team(bot.database)
    run_command(bot, "log Met the users", channel="CPRICES")  # no tags to offer
    forged = json.dumps({"id": 1, "organisations": ["<!channel> Ltd"], "outputs": [1]})
    answer = press_tag(bot, forged, "U0001", "forged")
    assert "Nothing was added" in reply_text(answer)  # output 1 is another team's
    broken = press_tag(bot, "not json", "U0001", "broken")
    assert broken["text"] == "That button is out of date."
    with bot.database.transaction() as session:
        engagement = session.exec(select(Engagement)).one()
        assert (engagement.organisations, engagement.outputs) == ([], [])
        assert organisation_named(session=session, name="<!channel> Ltd") is None
