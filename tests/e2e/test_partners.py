"""The engagement form's partner teams (a joint engagement) and what users use the
statistics for, through signed requests and the Slack stand-in."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.runtime.console.payloads import (
    block_actions,
    block_suggestion,
    state_values,
    view_submission,
)
from bot.runtime.console.payloads import slash_command as command
from storage.models import Engagement
from tests.conftest import RunningBot
from tests.e2e.helpers import count_rows, inputs, make_team, opened_view, reply_text

pytestmark = pytest.mark.any_date


def teams(bot: RunningBot) -> None:
    make_team(bot.database)  # 1: Prices, home CPRICES
    make_team(bot.database, "Labour market", "CLABOUR", "Employment | high")  # 2
    make_team(bot.database, "Health <b>", "CHEALTH", "")  # 3


def open_form(bot: RunningBot, number: int = 1) -> dict[str, Any]:
    bot.requester.send(
        command("log", channel_id="CPRICES", response_url=bot.slack.response_url("form"))
    )
    return opened_view(bot, number)


def submit(bot: RunningBot, view: dict[str, Any], **answers: Any) -> Any:
    filled = {"summary": "Joint user panel", **answers}
    response = bot.requester.send(view_submission(view, state_values(view, filled)))
    assert response.status == 200, response.body
    return response.json


def test_the_form_asks_for_partner_teams_and_uses(bot: RunningBot) -> None:
    teams(bot)
    fields = inputs(open_form(bot))
    assert list(fields).index("partners") == list(fields).index("organisations") + 1
    assert fields["partners"]["type"] == "multi_external_select"
    assert fields["uses"]["type"] == "plain_text_input" and fields["uses"]["multiline"]
    assert fields["uses"]["max_length"] == 3000


def test_the_partner_menu_offers_every_other_team(bot: RunningBot) -> None:
    teams(bot)
    form = open_form(bot)

    def offered(typed: str, team: tuple[str, str] | None = None) -> list[tuple[str, str]]:
        payload = block_suggestion("partners", value=typed, view=form)
        if team is not None:
            payload["view"]["state"]["values"] = state_values(form, {"team": team})
        answer = bot.requester.send(payload)
        return [(o["text"]["text"], o["value"]) for o in answer.json["options"]]

    assert offered("") == [("Health <b>", "3"), ("Labour market", "2")]  # not Prices
    assert offered("LAB") == [("Labour market", "2")]
    assert offered("", ("Labour market", "2")) == [("Health <b>", "3"), ("Prices", "1")]


def test_partners_and_uses_are_saved_and_shown_again_in_add_details(bot: RunningBot) -> None:
    teams(bot)
    answer = submit(
        bot,
        open_form(bot),
        partners=[("Labour market", "2"), ("Health <b>", "3")],
        uses="Setting <pay> & pensions",
    )
    assert answer is None  # the modal closes; the answer goes to the channel
    reply = bot.slack.wait_for("response_url")[0].args
    assert "Logged engagement *#1* for Prices" in reply_text(reply)
    with bot.database.transaction() as session:
        engagement = session.exec(select(Engagement)).one()
        assert sorted(team.name for team in engagement.partners) == ["Health <b>", "Labour market"]
        assert engagement.uses == "Setting <pay> & pensions"
    details = reply["blocks"][1]["elements"][0]
    bot.requester.send(block_actions(details["action_id"], details["value"], channel_id="CPRICES"))
    fields = inputs(opened_view(bot, 2))
    assert [o["value"] for o in fields["partners"]["initial_options"]] in (["3", "2"], ["2", "3"])
    assert fields["uses"]["initial_value"] == "Setting <pay> & pensions"


def test_the_engagements_own_team_is_refused_as_its_partner(bot: RunningBot) -> None:
    teams(bot)
    answer = submit(
        bot, open_form(bot), partners=[("Prices", "1"), ("Labour market", "2")], uses="u" * 3001
    )
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "partners": "The engagement's own team can't be its partner: choose the other teams "
        "that took part.",
        "uses": "What they use the statistics for is 3,001 characters; the most it can hold "
        "is 3,000.",
    }
    assert count_rows(bot.database, Engagement) == 0


def test_a_partner_team_that_no_longer_exists_is_said_on_the_field(bot: RunningBot) -> None:
    teams(bot)
    answer = submit(bot, open_form(bot), partners=[("Gone", "99")])
    assert answer["errors"] == {"partners": "One of the chosen partner teams no longer exists."}
    assert count_rows(bot.database, Engagement) == 0
