"""The forms' type-ahead menus: teams, outputs (by the team chosen) and organisations."""

from __future__ import annotations

from typing import Any

from bot.runtime.console.payloads import (
    block_suggestion,
    slash_command,
    state_values,
    view_submission,
)
from storage.reference import organisations_named
from tests.conftest import RunningBot
from tests.e2e.helpers import make_team, opened_view

Options = list[tuple[str, str]]


def open_form(bot: RunningBot, text: str = "log", channel: str = "CRANDOM") -> dict[str, Any]:
    """The form `/engage <text>` opens in `channel` (CRANDOM is nobody's home)."""
    bot.requester.send(slash_command(text, channel_id=channel))
    return opened_view(bot)


def suggest(
    bot: RunningBot,
    action_id: str,
    typed: str,
    form: dict[str, Any],
    chosen: dict[str, Any] | None = None,
) -> Options:
    """What the menu `action_id` of `form` offers as (label, value) once `typed` is typed.

    `chosen` are other fields of the form filled in before (as `state_values` takes them).
    """
    payload = block_suggestion(action_id, value=typed, view=form)
    payload["view"]["state"]["values"] = state_values(form, chosen)
    answer = bot.requester.send(payload)
    assert answer.status == 200, answer.body
    return [(option["text"]["text"], option["value"]) for option in answer.json["options"]]


def make_two_teams(bot: RunningBot) -> None:
    make_team(bot.database)  # Prices: outputs 1 Consumer price inflation, 2 House price index
    make_team(bot.database, "Labour market", "CLABOUR", "Employment | high\nWage price index | low")


def test_teams_match_what_is_typed(bot: RunningBot) -> None:
    make_two_teams(bot)
    form = open_form(bot)
    assert suggest(bot, "team", "", form) == [("Labour market", "2"), ("Prices", "1")]
    assert suggest(bot, "team", "PRI", form) == [("Prices", "1")]
    assert suggest(bot, "team", "  labour   market ", form) == [("Labour market", "2")]
    assert suggest(bot, "team", "health", form) == []


def test_outputs_are_the_chosen_teams_when_the_form_has_one(bot: RunningBot) -> None:
    make_two_teams(bot)
    form = open_form(bot, channel="CPRICES")  # the form starts with Prices chosen
    assert suggest(bot, "outputs", "", form) == [
        ("Consumer price inflation", "1"),
        ("House price index", "2"),
    ]
    assert suggest(bot, "outputs", "HOUSE", form) == [("House price index", "2")]


def test_outputs_follow_the_team_the_person_picked_in_the_form(bot: RunningBot) -> None:
    make_two_teams(bot)
    form = open_form(bot)
    labour = {"team": ("Labour market", "2")}
    assert suggest(bot, "outputs", "price", form, labour) == [("Wage price index", "4")]
    prices = {"team": ("Prices", "1")}
    assert suggest(bot, "outputs", "price", form, prices) == [
        ("Consumer price inflation", "1"),
        ("House price index", "2"),
    ]


def test_outputs_of_every_team_are_labelled_with_the_team_when_none_is_chosen(
    bot: RunningBot,
) -> None:
    make_two_teams(bot)
    form = open_form(bot)
    assert suggest(bot, "outputs", "price", form) == [
        ("Consumer price inflation (Prices)", "1"),
        ("House price index (Prices)", "2"),
        ("Wage price index (Labour market)", "4"),
    ]


def test_the_feedback_forms_output_menu_follows_its_team_too(bot: RunningBot) -> None:
    make_two_teams(bot)
    form = open_form(bot, "feedback", channel="CLABOUR")
    assert suggest(bot, "output", "", form) == [("Employment", "3"), ("Wage price index", "4")]


def test_organisations_offer_known_ones_and_adding_what_was_typed(bot: RunningBot) -> None:
    make_two_teams(bot)
    with bot.database.transaction() as session:
        known = ["Bank of England", "Office for National Statistics", "Royal Statistical Society"]
        organisations_named(session=session, names=known)
    form = open_form(bot)

    assert suggest(bot, "organisations", "", form) == [(name, name) for name in known]
    assert suggest(bot, "organisations", "STATIST", form) == [
        ("Add “STATIST”", "STATIST"),
        ("Office for National Statistics", "Office for National Statistics"),
        ("Royal Statistical Society", "Royal Statistical Society"),
    ]
    assert suggest(bot, "organisations", "bank of england", form) == [
        ("Bank of England", "Bank of England"),
    ]
    assert suggest(bot, "organisations", "  Cabinet   Office ", form) == [
        ("Add “Cabinet Office”", "Cabinet Office"),
    ]
    # Offered, so that saving can say why it can't be kept (rather than "nothing matches").
    assert suggest(bot, "organisations", "HM Treasury; DWP", form) == [
        ("Add “HM Treasury; DWP”", "HM Treasury; DWP")
    ]
    values = state_values(form, {"summary": "x", "organisations": [("Add", "HM Treasury; DWP")]})
    answer = bot.requester.send(view_submission(form, values))
    assert "may not contain ';'" in answer.json["errors"]["organisations"]


def test_the_feedback_forms_organisation_menu_offers_the_same(bot: RunningBot) -> None:
    make_two_teams(bot)
    with bot.database.transaction() as session:
        organisations_named(session=session, names=["Bank of England"])
    form = open_form(bot, "feedback")
    assert suggest(bot, "organisation", "england", form) == [
        ("Add “england”", "england"),
        ("Bank of England", "Bank of England"),
    ]


def test_wildcards_typed_in_the_team_menu_are_taken_literally(bot: RunningBot) -> None:
    make_two_teams(bot)
    form = open_form(bot)
    assert suggest(bot, "team", "%", form) == []
    assert suggest(bot, "team", "pr_ces", form) == []


def test_wildcards_typed_in_the_other_menus_are_taken_literally(bot: RunningBot) -> None:
    make_two_teams(bot)
    form = open_form(bot)
    assert suggest(bot, "outputs", "%", form) == []
    assert suggest(bot, "outputs", "h_use", form) == []
    assert suggest(bot, "organisations", "%", form) == [("Add “%”", "%")]


def test_a_nul_typed_in_a_menu_is_dropped(bot: RunningBot) -> None:
    form = open_form(bot)  # PostgreSQL can't search for a NUL, nor keep one in a name
    assert suggest(bot, "organisations", "Bank\x00 of", form) == [("Add “Bank of”", "Bank of")]
