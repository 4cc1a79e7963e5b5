"""`/engage team [name]`: create a team in a form, edit it, and the form's errors."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.engagements.recording import EngagementDraft, save_engagement
from bot.runtime.console.payloads import (
    block_suggestion,
    slash_command,
    state_values,
    view_submission,
)
from storage.clock import utc_now
from storage.models import (
    Engagement,
    ProducerTeam,
    StatisticalOutput,
    Subscription,
    UpcomingChange,
)
from tests.conftest import RunningBot
from tests.e2e.helpers import (
    handed_back,
    inputs,
    make_team,
    opened_view,
    run_command,
    wait_for_reply,
)
from tests.fake_slack import FakeSlack

pytestmark = pytest.mark.any_date


@pytest.fixture(autouse=True)
def admin(fake_slack: FakeSlack) -> None:
    """The person here (U0001) is a workspace admin, who may create teams."""
    fake_slack.set_user("U0001", is_admin=True)


def open_team_form(
    bot: RunningBot, text: str = "team", channel: str = "CNEW", reply: str = "team"
) -> dict[str, Any]:
    """Send `/engage <text>` in `channel` and return the form it opened."""
    bot.requester.send(
        slash_command(text, channel_id=channel, response_url=bot.slack.response_url(reply))
    )
    return opened_view(bot)


def submit(bot: RunningBot, view: dict[str, Any], **answers: Any) -> dict[str, Any] | None:
    """Submit the team form with `answers`; return what the bot answered (None if empty)."""
    answer = bot.requester.send(view_submission(view, state_values(view, answers)))
    assert answer.status == 200, answer.body
    return answer.json


def teams(bot: RunningBot) -> list[tuple[int, str, str | None, list[tuple[int, str, str]]]]:
    """Every team as (id, name, home channel, [(output id, name, profile)])."""
    with bot.database.transaction() as session:
        return [
            (
                team.id,
                team.name,
                team.home_channel_id,
                [(o.id, o.name, o.profile) for o in team.outputs],
            )
            for team in session.exec(select(ProducerTeam).order_by(ProducerTeam.id))
        ]


def test_team_in_a_channel_opens_the_create_form_with_that_channel(bot: RunningBot) -> None:
    view = open_team_form(bot, channel="CNEW")
    assert view["callback_id"] == "team_form"
    assert view["title"]["text"] == "Create a team"
    fields = inputs(view)
    assert fields["home_channel"]["type"] == "conversations_select"
    assert fields["home_channel"]["initial_conversation"] == "CNEW"
    assert "initial_value" not in fields["name"]
    assert "initial_value" not in fields["outputs"]


def test_submitting_the_form_creates_the_team_and_confirms(bot: RunningBot) -> None:
    view = open_team_form(bot, channel="CNEW")
    answer = submit(
        bot, view, name="  Prices  ",
        outputs="Consumer price inflation | high\n\nHouse price index | Medium\n",
    )  # fmt: skip
    assert answer is None
    reply = wait_for_reply(bot, "team")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == (
        ":white_check_mark: Created team *Prices* with 2 outputs. Home channel: <#CNEW>.\n"
        "Members: <@U0001>.\n"
        "Time zone: Europe/London (the default). Reminders 28, 7 and 1 days before a change. "
        "“You said, we did” digest: none. Change these with `/engage team Prices`."
    )
    assert teams(bot) == [(1, "Prices", "CNEW", [
        (1, "Consumer price inflation", "high"),
        (2, "House price index", "medium"),
    ])]  # fmt: skip
    with bot.database.transaction() as session:
        assert session.exec(select(ProducerTeam)).one().created_by == "U0001"


def test_team_with_a_name_opens_it_for_editing(bot: RunningBot) -> None:
    make_team(bot.database)
    view = open_team_form(bot, "team prices", channel="CRANDOM")
    assert view["title"]["text"] == "Edit team"
    fields = inputs(view)
    assert fields["name"]["initial_value"] == "Prices"
    assert fields["home_channel"]["initial_conversation"] == "CPRICES"
    assert fields["outputs"]["initial_value"] == (
        "Consumer price inflation | high\nHouse price index | medium"
    )


def test_team_in_a_teams_home_channel_edits_that_team(bot: RunningBot) -> None:
    make_team(bot.database)
    view = open_team_form(bot, "team", channel="CPRICES")
    assert view["title"]["text"] == "Edit team"
    assert inputs(view)["name"]["initial_value"] == "Prices"


def test_renaming_and_changing_a_profile_keeps_the_ids(bot: RunningBot) -> None:
    make_team(bot.database)
    view = open_team_form(bot, "team Prices", channel="CRANDOM")
    outputs = "Consumer price inflation | high\nHouse price index | low\nRental prices | low"
    assert submit(bot, view, name="Prices and inflation", outputs=outputs) is None
    reply = wait_for_reply(bot, "team")
    assert reply["text"] == (
        ":white_check_mark: Updated team *Prices and inflation* with 3 outputs. "
        "Home channel: <#CPRICES>.\nMembers: <@U0001>, <@UADMIN>.\n"
        "Time zone: Europe/London (the default). "
        "Reminders 28, 7 and 1 days before a change. “You said, we did” digest: none."
    )
    assert teams(bot) == [(1, "Prices and inflation", "CPRICES", [
        (1, "Consumer price inflation", "high"),
        (2, "House price index", "low"),
        (3, "Rental prices", "low"),
    ])]  # fmt: skip


def test_a_duplicate_team_name_is_refused(bot: RunningBot) -> None:
    make_team(bot.database)
    before = teams(bot)
    view = open_team_form(bot, channel="CNEW")
    answer = submit(bot, view, name="PRICES", outputs="Retail sales | high")
    assert answer == {
        "response_action": "errors",
        "errors": {"name": "There is already a team called Prices."},
    }
    assert teams(bot) == before


def test_a_channel_that_is_another_teams_home_is_refused(bot: RunningBot) -> None:
    make_team(bot.database)
    before = teams(bot)
    view = open_team_form(bot, channel="CNEW")
    answer = submit(bot, view, name="Labour market", home_channel="CPRICES")
    assert answer is not None and answer["response_action"] == "errors"
    assert answer["errors"] == {"home_channel": "That channel is already the home of Prices."}
    assert teams(bot) == before


def test_a_malformed_outputs_line_is_refused_naming_the_line(bot: RunningBot) -> None:
    make_team(bot.database)
    before = teams(bot)
    view = open_team_form(bot, "team Prices", channel="CRANDOM")
    answer = submit(
        bot, view, name="Prices renamed", outputs="Consumer price inflation | high\nRental prices"
    )
    assert answer is not None and answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["outputs"]
    assert answer["errors"]["outputs"].startswith("Line 2 ('Rental prices'): write one output")
    assert teams(bot) == before


def test_removing_an_output_an_engagement_refers_to_is_refused(bot: RunningBot) -> None:
    make_team(bot.database)
    with bot.database.transaction() as session:
        for output_id in (1, 2):
            save_engagement(
                session=session,
                draft=EngagementDraft(
                    summary="Users", team_id=1, occurred_on=bot.settings.today(),
                    output_ids=[output_id],
                ),
                today=bot.settings.today(),
                user_id="U0001",
            )  # fmt: skip
    before = teams(bot)
    view = open_team_form(bot, "team Prices", channel="CRANDOM")
    answer = submit(bot, view, name="Prices", outputs="Consumer price inflation | high")
    assert answer is not None and answer["response_action"] == "errors"
    assert answer["errors"] == {
        "outputs": "House price index can't be removed: engagements, feedback, changes or "
        "subscriptions refer to it. Put it back in the list to save your other changes; to "
        "stop using it, end its line with '| retired' (a retired output keeps its history)."
    }
    answer = submit(bot, view, name="Prices", outputs="Rental prices | low")
    assert answer is not None and answer["errors"] == {
        "outputs": "Consumer price inflation and House price index can't be removed: "
        "engagements, feedback, changes or subscriptions refer to them. Put them back in the "
        "list to save your other changes; to stop using them, end their lines with "
        "'| retired' (a retired output keeps its history)."
    }
    assert teams(bot) == before
    with bot.database.transaction() as session:
        assert len(session.exec(select(StatisticalOutput)).all()) == 2


def test_outputs_renamed_and_retired_keep_their_history(bot: RunningBot) -> None:
    make_team(bot.database)  # Consumer price inflation | high, House price index | medium
    with bot.database.transaction() as session:
        save_engagement(
            session=session,
            draft=EngagementDraft(
                summary="Users", team_id=1, occurred_on=bot.settings.today(), output_ids=[1, 2]
            ),
            today=bot.settings.today(),
            user_id="U0001",
        )
    view = open_team_form(bot, "team Prices", channel="CRANDOM")
    saving = utc_now()
    answer = submit(
        bot,
        view,
        name="Prices",
        outputs="Consumer price inflation -> CPI | high\nHouse price index | medium | Retired",
    )
    assert answer is None or "errors" not in answer
    with bot.database.transaction() as session:
        cpi, hpi = session.exec(select(StatisticalOutput).order_by(StatisticalOutput.id)).all()
        assert (cpi.name, cpi.retired_at) == ("CPI", None)
        assert hpi.name == "House price index"
        assert hpi.retired_at is not None and saving <= hpi.retired_at <= utc_now()
        engagement = session.get(Engagement, 1)
        assert engagement is not None
        assert sorted(o.name for o in engagement.outputs) == ["CPI", "House price index"]
    # The form shows them as saved; the engagement form offers only the published one.
    bot.requester.send(slash_command("team Prices", channel_id="CRANDOM"))
    assert inputs(opened_view(bot, number=2))["outputs"]["initial_value"] == (
        "CPI | high\nHouse price index | medium | retired"
    )
    bot.requester.send(slash_command("log", channel_id="CRANDOM"))
    offered = bot.requester.send(block_suggestion("outputs", view=opened_view(bot, 3))).json
    assert [option["text"]["text"] for option in offered["options"]] == ["CPI"]


def test_a_rename_of_no_output_or_onto_another_is_refused(bot: RunningBot) -> None:
    make_team(bot.database)
    before = teams(bot)
    view = open_team_form(bot, "team Prices", channel="CRANDOM")
    answer = submit(bot, view, name="Prices", outputs="Rents -> Rental prices | low")
    assert answer is not None and answer["errors"] == {
        "outputs": "There is no output called 'Rents' to rename."
    }
    answer = submit(
        bot,
        view,
        name="Prices",
        outputs="Consumer price inflation -> House price index | high\nHouse price index | low",
    )
    assert answer is not None and answer["errors"] == {
        "outputs": "Line 2: 'House price index' is listed twice."
    }
    answer = submit(
        bot,
        view,
        name="Prices",
        outputs="Consumer price inflation -> HPI | high\nHouse price index -> hpi | low",
    )
    assert answer is not None and answer["errors"] == {"outputs": "Line 2: 'hpi' is listed twice."}
    assert teams(bot) == before


def test_removing_an_output_a_change_or_a_subscription_refers_to_is_refused(
    bot: RunningBot,
) -> None:
    """Found by the fuzzer: saving the team without an output that an upcoming change (or
    a channel's subscription) is about failed in the database (PostgreSQL refused the
    delete; SQLite left the change pointing at no output)."""
    make_team(bot.database)
    with bot.database.transaction() as session:
        session.add(
            UpcomingChange(
                team_id=1, output_id=1, title="New weights", description="Chain-linked",
                effective_on=bot.settings.today(),
            )
        )  # fmt: skip
        session.add(Subscription(channel_id="CWATCH", team_id=1, output_id=2, active=False))
    view = open_team_form(bot, "team Prices", channel="CRANDOM")
    answer = submit(bot, view, name="Prices", outputs="Rental prices | low")
    assert answer is not None and answer["errors"] == {
        "outputs": "Consumer price inflation and House price index can't be removed: "
        "engagements, feedback, changes or subscriptions refer to them. Put them back in the "
        "list to save your other changes; to stop using them, end their lines with "
        "'| retired' (a retired output keeps its history)."
    }
    with bot.database.transaction() as session:
        assert len(session.exec(select(StatisticalOutput)).all()) == 2


def test_team_in_a_direct_message_preselects_no_home_channel(bot: RunningBot) -> None:
    bot.requester.send(slash_command("team", channel_id="D0001", channel_name="directmessage"))
    view = opened_view(bot)
    assert view["title"]["text"] == "Create a team"
    assert "initial_conversation" not in inputs(view)["home_channel"]


def test_team_with_a_new_name_opens_the_create_form_with_that_name(bot: RunningBot) -> None:
    view = open_team_form(bot, "team Health statistics", channel="CNEW")
    assert view["title"]["text"] == "Create a team"
    fields = inputs(view)
    assert fields["name"]["initial_value"] == "Health statistics"
    assert fields["home_channel"]["initial_conversation"] == "CNEW"


def test_a_new_team_named_in_another_teams_home_does_not_take_that_channel(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    view = open_team_form(bot, "team Health statistics", channel="CPRICES")
    assert view["title"]["text"] == "Create a team"
    assert "initial_conversation" not in inputs(view)["home_channel"]


def test_a_team_name_too_long_opens_the_form_with_it_to_shorten(bot: RunningBot) -> None:
    view = open_team_form(bot, "team " + "N" * 100)
    assert view["blocks"][0]["elements"][0]["text"] == (
        ":warning: A team name is 100 characters; the most it can hold is 80. "
        "Shorten it here before saving."
    )
    name = inputs(view)["name"]
    assert name["initial_value"] == "N" * 100 and name["max_length"] == 100
    assert submit(bot, view, name="N" * 100) == {
        "response_action": "errors",
        "errors": {"name": f"The team name '{'N' * 40}…' is over 80 characters."},
    }
    assert teams(bot) == []


def test_a_team_name_too_long_for_the_form_is_given_back(bot: RunningBot) -> None:
    reply = run_command(bot, "team " + "N" * 3100)
    assert reply["text"].startswith(
        ":warning: A team name is 3,100 characters; the most it can hold is 80."
    )
    assert handed_back(reply) == "N" * 3100
    assert bot.slack.calls("views.open") == []
