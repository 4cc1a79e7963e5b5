"""Who may do what (bot/people/permissions.py), through signed requests and the Slack stand-in:
every refusal is shown to the person alone and changes nothing in the database.

A form's submission is checked again, as membership may end while the form is open: the
tests submit a form a member opened as someone else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from bot.runtime.console.payloads import (
    block_actions,
    global_shortcut,
    message_shortcut,
    slash_command,
    state_values,
    view_submission,
)
from storage.clock import CLOCK
from storage.database import Database
from storage.models import Feedback, FeedbackDecision, OpportunitySignup, ProducerTeam
from storage.teams import team_members
from tests.conftest import RunningBot, test_settings
from tests.e2e.helpers import (
    inputs,
    make_team,
    opened_view,
    reply_text,
    run_command,
    wait_for_deliveries,
    wait_for_empty_inbox,
    wait_for_reply,
)
from tests.e2e.test_opportunities import NOW, post
from tests.fake_slack import FakeSlack

MEMBER, STRANGER, ADMIN, LISTED = "U0001", "U0002", "U0009", "U0007"
OTHER_ORG = "T0OTHERORG"
STAFF_ONLY = "That is for staff of Test workspace"
NOT_A_MEMBER = "Only members of *Prices* (or a workspace admin)"
IN_2030 = date(2030, 6, 1)


@pytest.fixture
def admin_listed(
    fake_slack: FakeSlack, database: Database, database_url: str
) -> Iterator[RunningBot]:
    """The bot with LISTED in ENGAGEBOT_ADMINS (Slack itself says LISTED is no admin)."""
    settings = test_settings(fake_slack, database_url, ENGAGEBOT_ADMINS=f"UOTHER,{LISTED}")
    running = RunningBot(settings, database, fake_slack)
    yield running
    running.stop()


def everything(database: Database) -> dict[str, list[str]]:
    """Every row of every table, to show that a refusal wrote nothing (once the request
    it answered has left the inbox)."""
    wait_for_empty_inbox(database)
    with database.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            for table in SQLModel.metadata.sorted_tables
        }


def from_elsewhere(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as Slack sends it for someone of another organisation: an interaction's
    user has their own workspace's id; a slash command carries the workspace it ran in."""
    if "command" in payload:
        payload.update(team_id=OTHER_ORG, team_domain="other-org")
    else:
        payload["user"]["team_id"] = OTHER_ORG
    return payload


def command(bot: RunningBot, text: str, user: str, *, outside: bool = False) -> str:
    """`/engage <text>` in Prices' home; what the person read."""
    name = f"c{len(bot.slack.calls())}"
    payload = slash_command(
        text, user_id=user, channel_id="CPRICES", response_url=bot.slack.response_url(name)
    )
    bot.requester.send(from_elsewhere(payload) if outside else payload)
    reply = wait_for_reply(bot, name)
    assert reply["response_type"] == "ephemeral"
    return reply_text(reply)


def press(
    bot: RunningBot, action_id: str, value: str, user: str, *, outside: bool = False, **more: Any
) -> str:
    """Press a button on a message in Prices' home; what the person read in reply."""
    name = f"p{len(bot.slack.calls())}"
    payload = block_actions(
        action_id,
        value,
        user_id=user,
        channel_id="CPRICES",
        response_url=bot.slack.response_url(name),
        **more,
    )
    bot.requester.send(from_elsewhere(payload) if outside else payload)
    reply = wait_for_reply(bot, name)
    assert reply.get("replace_original") is False  # the message stays; only they read this
    return reply_text(reply)


def submit(bot: RunningBot, form: dict[str, Any], user: str, **answers: Any) -> Any:
    payload = view_submission(form, state_values(form, answers), user_id=user)
    response = bot.requester.send(payload)
    assert response.status == 200, response.body
    return response.json


def open_as(bot: RunningBot, text: str, user: str, number: int, channel: str = "CPRICES") -> Any:
    bot.requester.send(slash_command(text, user_id=user, channel_id=channel))
    return opened_view(bot, number)


def record_feedback(bot: RunningBot, text: str = "CPI by region, please") -> None:
    assert "Recorded feedback" in run_command(bot, f"feedback {text}")["text"]


def refused_modal_text(answer: dict[str, Any]) -> str:
    assert answer["response_action"] == "update"
    assert answer["view"].get("submit") is None  # nothing more to submit
    return reply_text(answer["view"])


# --- a team's members, and admins ----------------------------------------------------


def test_only_members_decide_on_feedback(bot: RunningBot) -> None:
    make_team(bot.database)
    record_feedback(bot)
    before = everything(bot.database)
    shown = press(bot, "feedback_decide", "1", STRANGER)
    assert NOT_A_MEMBER in shown and "decide on its feedback" in shown
    assert "A member can add you in `/engage team Prices`. Nothing was changed." in shown
    assert bot.slack.calls("views.open") == []
    bot.requester.send(block_actions("feedback_decide", "1", user_id=MEMBER, ephemeral=True))
    form = opened_view(bot)
    answer = submit(bot, form, STRANGER, status="planned", note="Spring")
    assert NOT_A_MEMBER in refused_modal_text(answer)
    answer = submit(bot, form, STRANGER, status="merge")
    assert NOT_A_MEMBER in refused_modal_text(answer)
    assert everything(bot.database) == before


def test_deciding_from_home_is_refused_in_a_modal(bot: RunningBot) -> None:
    make_team(bot.database)
    assert "Recorded feedback" in command(bot, "feedback Rents too", STRANGER)
    before = everything(bot.database)
    bot.requester.send(
        block_actions("feedback_decide", "1", user_id=STRANGER, view={"type": "home", "blocks": []})
    )
    assert NOT_A_MEMBER in reply_text(opened_view(bot))
    assert bot.slack.calls("views.push") == []
    assert everything(bot.database) == before


def test_only_members_merge_feedback(bot: RunningBot) -> None:
    make_team(bot.database)
    record_feedback(bot)
    record_feedback(bot, "Regional CPI?")
    before = everything(bot.database)
    assert NOT_A_MEMBER in command(bot, "feedback merge 2 into 1", STRANGER)
    bot.requester.send(block_actions("feedback_decide", "2", user_id=MEMBER, ephemeral=True))
    merge_form = submit(bot, opened_view(bot), MEMBER, status="merge")["view"]
    answer = submit(bot, merge_form, STRANGER, into="1")
    assert NOT_A_MEMBER in refused_modal_text(answer)
    assert everything(bot.database) == before
    assert "merged into" in command(bot, "feedback merge 2 into 1", MEMBER)
    with bot.database.transaction() as session:
        assert session.get(Feedback, 2).merged_into_id == 1  # type: ignore[union-attr]


def test_a_workspace_admin_decides_on_any_teams_feedback(bot: RunningBot) -> None:
    make_team(bot.database)
    record_feedback(bot)
    bot.slack.set_user(ADMIN, is_admin=True)
    bot.slack.set_user("U0008", is_owner=True)
    for number, user in enumerate((ADMIN, "U0008", ADMIN), start=1):
        bot.requester.send(block_actions("feedback_decide", "1", user_id=user, ephemeral=True))
        assert opened_view(bot, number)["callback_id"] == "decision_form"
    answer = submit(bot, opened_view(bot, 3), ADMIN, status="under_consideration")
    assert "is now *Under consideration*" in reply_text(answer["view"])
    with bot.database.transaction() as session:
        assert session.get(FeedbackDecision, 1).decided_by == ADMIN  # type: ignore[union-attr]
    # users.info was asked once per person: its answer is kept for a few minutes.
    asked = [call.args["user"] for call in bot.slack.calls("users.info")]
    assert sorted(asked) == ["U0008", ADMIN]


def test_when_slack_cannot_say_the_person_is_not_taken_for_an_admin(bot: RunningBot) -> None:
    make_team(bot.database)
    bot.slack.set_user(ADMIN, is_admin=True)
    bot.slack.fail_next("users.info", "missing_scope")
    assert "Only a workspace admin can create a team" in command(bot, "team Health", ADMIN)
    assert bot.slack.calls("views.open") == []
    bot.requester.send(slash_command("team Health", user_id=ADMIN, channel_id="CNEW"))
    assert opened_view(bot)["callback_id"] == "team_form"  # asked again: the failure is not kept


def test_a_person_listed_in_engagebot_admins_is_an_admin(admin_listed: RunningBot) -> None:
    bot = admin_listed
    form = open_as(bot, "team", LISTED, 1, channel="CNEW")
    assert form["callback_id"] == "team_form"
    assert submit(bot, form, LISTED, name="Health") is None
    with bot.database.transaction() as session:
        team = session.exec(select(ProducerTeam)).scalars().one()
        assert team_members(session=session, team_id=team.id) == [LISTED]  # type: ignore[arg-type]


def test_only_members_announce_edit_and_cancel_changes(bot: RunningBot) -> None:
    make_team(bot.database)
    make_team(bot.database, "Health", "CHEALTH", "Life expectancy | high", members=[STRANGER])
    form = open_as(bot, "change", MEMBER, 1)
    answer = submit(
        bot, form, MEMBER, output=("Consumer price inflation", "1"), title="New weights",
        description="Annual chain-linking.", effective_on=IN_2030,
    )  # fmt: skip
    assert answer["response_action"] == "update"
    wait_for_deliveries(bot.database, {"change:1:r1:CPRICES": "sent"})
    before = everything(bot.database)
    assert "you are in no team yet" in command(bot, "change", "U0003")
    for action in ("change_edit", "change_cancel"):
        assert "announce, edit or cancel its changes" in press(bot, action, "1", STRANGER)
    assert len(bot.slack.calls("views.open")) == 1
    # STRANGER, of Health, announcing for Prices from the form; editing, cancelling Prices'.
    form = open_as(bot, "change", STRANGER, 2, channel="CHEALTH")
    answer = submit(
        bot, form, STRANGER, team=("Prices", "1"), output=("Consumer price inflation", "1"),
        title="Sneaky", description="Not ours.", effective_on=IN_2030,
    )  # fmt: skip
    assert NOT_A_MEMBER in refused_modal_text(answer)
    bot.requester.send(block_actions("change_edit", "1", user_id=MEMBER, ephemeral=True))
    assert NOT_A_MEMBER in refused_modal_text(submit(bot, opened_view(bot, 3), STRANGER))
    bot.requester.send(block_actions("change_cancel", "1", user_id=MEMBER, ephemeral=True))
    answer = submit(bot, opened_view(bot, 4), STRANGER, reason="Because")
    assert NOT_A_MEMBER in refused_modal_text(answer)
    assert everything(bot.database) == before


def test_only_members_post_a_review_but_anyone_reads_it(bot: RunningBot) -> None:
    make_team(bot.database)
    reply = run_command(bot, "review", user=STRANGER)
    button = next(
        element
        for block in reply["blocks"]
        for element in block.get("elements", [])
        if element.get("action_id") == "review_post_to_channel"
    )
    before = everything(bot.database)
    shown = press(bot, "review_post_to_channel", button["value"], STRANGER)
    assert NOT_A_MEMBER in shown and "post its engagement review" in shown
    assert everything(bot.database) == before
    assert bot.slack.calls("chat.postMessage") == []


def test_only_members_export_the_teams_records(bot: RunningBot) -> None:
    make_team(bot.database)
    record_feedback(bot)
    before = everything(bot.database)
    shown = command(bot, "export", STRANGER)
    assert NOT_A_MEMBER in shown and "export its records" in shown
    assert bot.slack.uploaded_files() == []
    assert everything(bot.database) == before
    assert "Sent you Prices's records" in command(bot, "export", MEMBER)


def test_only_admins_create_teams_and_only_members_edit_them(bot: RunningBot) -> None:
    make_team(bot.database)
    bot.slack.set_user(ADMIN, is_admin=True)
    before = everything(bot.database)
    shown = command(bot, "team Health", STRANGER)
    assert "Only a workspace admin can create a team" in shown
    assert NOT_A_MEMBER in command(bot, "team Prices", STRANGER)
    assert bot.slack.calls("views.open") == []
    create = open_as(bot, "team Health", ADMIN, 1, channel="CNEW")
    assert "Only a workspace admin" in refused_modal_text(submit(bot, create, STRANGER))
    edit = open_as(bot, "team Prices", MEMBER, 2)
    assert NOT_A_MEMBER in refused_modal_text(submit(bot, edit, STRANGER, name="Mine"))
    assert everything(bot.database) == before


def test_members_are_edited_in_the_team_form(bot: RunningBot) -> None:
    make_team(bot.database)
    form = open_as(bot, "team Prices", MEMBER, 1)
    members = inputs(form)["members"]
    assert (members["type"], members["initial_users"]) == ("multi_users_select", [MEMBER, "UADMIN"])
    answer = submit(bot, form, MEMBER, members=[])
    assert answer["errors"] == {
        "members": "A team needs at least one member: keep yourself, or add someone."
    }
    assert submit(bot, open_as(bot, "team Prices", MEMBER, 2), MEMBER, members=[STRANGER]) is None
    with bot.database.transaction() as session:
        assert team_members(session=session, team_id=1) == [STRANGER]
    assert NOT_A_MEMBER in command(bot, "export", MEMBER)  # no longer a member
    assert "Sent you" in command(bot, "export", STRANGER)


def test_only_members_post_opportunities(bot: RunningBot) -> None:
    make_team(bot.database)
    before = everything(bot.database)
    assert "post its engagement opportunities" in command(bot, "opportunity", STRANGER)
    assert bot.slack.calls("views.open") == []
    form = open_as(bot, "opportunity", MEMBER, 1)
    answer = submit(bot, form, STRANGER, title="Workshop", places="3")
    assert NOT_A_MEMBER in refused_modal_text(answer)
    assert everything(bot.database) == before
    assert "upcoming" in command(bot, "opportunity list", STRANGER).lower()


# --- everyone in the workspace ------------------------------------------------------


def test_everyone_logs_records_feedback_and_lists(bot: RunningBot) -> None:
    make_team(bot.database)
    assert "Logged" in command(bot, "log Met the ONS user group", STRANGER)
    assert "Recorded feedback" in command(bot, "feedback Please add rents", STRANGER)
    assert "Prices" in command(bot, "feedback list", STRANGER)
    assert "Prices" in command(bot, "change list", STRANGER)
    assert "which teams engaged with them" in command(bot, "who", STRANGER)


# --- people of another organisation -------------------------------------------------


def test_outsiders_are_turned_away_from_everything_else(bot: RunningBot) -> None:
    make_team(bot.database)
    record_feedback(bot)
    before = everything(bot.database)
    for text in ("log Met them", "feedback Hello", "team Prices", "export", "subscribe Prices"):
        assert STAFF_ONLY in command(bot, text, "UEXT", outside=True)
    for action_id, value in (("feedback_decide", "1"), ("entry_undo", "feedback:1")):
        assert STAFF_ONLY in press(bot, action_id, value, "UEXT", outside=True)
    name = "shortcut"
    shortcut = message_shortcut(
        "record_feedback", "UEXT", "CPRICES", "Nice", response_url=bot.slack.response_url(name)
    )
    bot.requester.send(from_elsewhere(shortcut))
    assert STAFF_ONLY in reply_text(wait_for_reply(bot, name))
    bot.requester.send(from_elsewhere(global_shortcut("log_engagement", "UEXT")))
    assert STAFF_ONLY in reply_text(opened_view(bot))  # a modal saying so, not the form
    form = open_as(bot, "team Prices", MEMBER, 2)
    payload = from_elsewhere(view_submission(form, state_values(form, {}), user_id="UEXT"))
    assert STAFF_ONLY in refused_modal_text(bot.requester.send(payload).json)
    assert everything(bot.database) == before
    assert len(bot.slack.calls("views.open")) == 2  # the refusal, and the member's form


def test_outsiders_sign_up_for_an_opportunity_and_withdraw(bot: RunningBot) -> None:
    make_team(bot.database, members=["UORG"])
    CLOCK.move_to(NOW)
    message = post(bot)[0]
    shown = press(bot, "opportunity_take_part", "1", "UEXT", outside=True, message=message)
    assert "You have a place" in shown
    with bot.database.transaction() as session:
        signup = session.exec(select(OpportunitySignup)).scalars().one()
        assert (signup.user_id, signup.withdrawn_at) == ("UEXT", None)
    shown = press(bot, "opportunity_withdraw", "1", "UEXT", outside=True, message=message)
    assert "You withdrew from" in shown
