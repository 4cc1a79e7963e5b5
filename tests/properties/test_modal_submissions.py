"""Every form, submitted with anything in its fields, as Slack sends it: the answer closes or
updates the form, or puts non-empty errors on the form's own fields; never a failure; and
the database gains the whole record or nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, func, select

from bot.runtime.console.payloads import (
    block_suggestion,
    view_submission,
)
from tests.properties.conftest import APP_EXAMPLES, InProcessBot, LoggedFailures
from tests.properties.strategies import ANY_TEXT, submitted_values


def row_counts(bot: InProcessBot) -> dict[str, int]:
    with bot.database.transaction() as session:
        return {
            name: session.exec(select(func.count()).select_from(table)).one()
            for name, table in SQLModel.metadata.tables.items()
        }


FORMS = [
    "engagement",
    "feedback",
    "change",
    "cancel",
    "insight",
    "opportunity",
    "team",
    "team settings",
    "decision",
    "merge",
]


@pytest.mark.parametrize("form", FORMS)
@settings(max_examples=APP_EXAMPLES)
@given(data=st.data())
def test_a_form_submitted_with_anything_saves_whole_or_says_where(
    app_bot: InProcessBot,
    forms: dict[str, dict[str, Any]],
    failed: LoggedFailures,
    form: str,
    data: st.DataObject,
) -> None:
    view = forms[form]
    values = data.draw(submitted_values(view), label="state.values")
    before = row_counts(app_bot)
    failed.failures.clear()
    answer = app_bot.send(view_submission(view, values, user_id="U0001"))
    assert answer.status == 200
    assert not failed.failures, failed.failures[0]
    after = row_counts(app_bot)
    body = answer.json or {}
    action = body.get("response_action")
    event(f"answered {action or 'close'}")
    if action == "errors":
        event(f"error on {sorted(body['errors'])}")
    assert action in (None, "update", "clear", "errors", "push"), body
    if action == "errors":
        fields = {block["block_id"] for block in view["blocks"] if block["type"] == "input"}
        errors: dict[str, Any] = body["errors"]
        assert errors and set(errors) <= fields, (errors, fields)
        assert all(isinstance(message, str) and message.strip() for message in errors.values())
        assert after == before, "a refused form wrote something"
    else:
        _check_saved(form, before, after)


def _check_saved(form: str, before: dict[str, int], after: dict[str, int]) -> None:
    """A form that was accepted wrote its record (or, editing, changed no row count)."""
    added = {table: after[table] - before[table] for table in after}
    main: dict[str, Callable[[dict[str, int]], bool]] = {
        "engagement": lambda d: d.get("engagement") == 1,
        "feedback": lambda d: d.get("feedback") == 1,
        "change": lambda d: d.get("upcoming_change") == 1,
        "cancel": lambda d: not d.get("upcoming_change"),
        "insight": lambda d: d.get("insight") == 1,
        "opportunity": lambda d: d.get("opportunity") == 1,
        "team": lambda d: d.get("producer_team") == 1,
        "team settings": lambda d: not d.get("producer_team"),
        "decision": lambda d: not d.get("feedback"),
        "merge": lambda d: not d.get("feedback"),
    }
    # Only a team's settings may remove rows (outputs it no longer lists).
    assert form == "team settings" or not any(change < 0 for change in added.values()), added
    assert main[form](added), (form, {k: v for k, v in added.items() if v})


MENUS = [("engagement", "team"), ("engagement", "outputs"), ("engagement", "partners")]
MENUS += [("engagement", "organisations"), ("feedback", "output"), ("feedback", "organisation")]


@settings(max_examples=APP_EXAMPLES)
@given(menu=st.sampled_from(MENUS), typed=ANY_TEXT)
def test_a_menu_offers_options_slack_accepts_whatever_is_typed(
    app_bot: InProcessBot,
    forms: dict[str, dict[str, Any]],
    failed: LoggedFailures,
    menu: tuple[str, str],
    typed: str,
) -> None:
    form, action_id = menu
    failed.failures.clear()
    answer = app_bot.send(block_suggestion(action_id, value=typed, view=forms[form]))
    assert answer.status == 200 and answer.json is not None
    assert not failed.failures, failed.failures[0]
    for option in answer.json["options"]:  # Slack refuses the whole menu past its limits
        assert 0 < len(option["text"]["text"]) <= 75 and 0 < len(option["value"]) <= 150
