"""What the fuzzer (tests/properties/test_every_listener.py) found, each as the request that
showed it: values no button or form of the bot's carries (an id too large for any record,
a digit that is not one, metadata that is not the bot's, a NUL in an option's value).
Each is answered in words, with no traceback in the log."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.runtime.console.payloads import block_actions, slash_command, state_values, view_submission
from handlers.views.changes import EDIT_ACTION
from handlers.views.entries import DETAILS_ACTION, OUT_OF_DATE
from handlers.views.reviews import POST_ACTION
from storage.models import Organisation
from tests.conftest import RunningBot
from tests.e2e.helpers import make_team, opened_view, reply_text, wait_for_reply


def press(bot: RunningBot, action_id: str, value: str) -> dict[str, Any]:
    """Press a button carrying `value` on a message; return what the person was told."""
    url = bot.slack.response_url("pressed")
    answer = bot.requester.send(block_actions(action_id, value, response_url=url))
    assert answer.status == 200, answer.body
    return wait_for_reply(bot, "pressed")


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.exc_info]


@pytest.mark.parametrize("value", ["99999999999999999999", "²"])
def test_a_change_button_with_an_id_no_record_can_have(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    """Too large for an id: SQLite raised OverflowError; "²" passed isdigit() but not int()."""
    make_team(bot.database)
    bot.requester.send(block_actions(EDIT_ACTION, value, response_url=bot.slack.response_url()))
    view = opened_view(bot)
    assert "no longer exists" in reply_text(view)
    assert tracebacks(caplog) == []


def test_an_entry_button_with_a_digit_that_is_no_number_is_out_of_date(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    assert press(bot, DETAILS_ACTION, "engagement:²")["text"] == OUT_OF_DATE
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    "value", ["", "not json", "[]", '{"team": 1}', '{"team": 1, "from": "x", "to": "y"}']
)
def test_a_review_button_with_a_value_it_never_carried_is_out_of_date(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    make_team(bot.database)
    assert press(bot, POST_ACTION, value)["text"] == OUT_OF_DATE
    assert tracebacks(caplog) == []


@pytest.mark.parametrize("metadata", ["[]", "not json", '{"team_id": "abc", "response_url": 7}'])
def test_a_form_sent_back_with_metadata_not_the_bots_is_refused_on_a_field(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, metadata: str
) -> None:
    """The insight form read its team from the metadata with `.get` on a list."""
    make_team(bot.database)
    bot.requester.send(slash_command("insight", channel_id="CPRICES"))
    view = {**opened_view(bot), "private_metadata": metadata}
    answer = bot.requester.send(view_submission(view))
    assert answer.status == 200
    assert answer.json["response_action"] == "errors"
    assert tracebacks(caplog) == []


def test_an_organisation_chosen_with_a_nul_in_its_name_is_stored_without_it(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL refused even the query for an organisation named with a NUL, and the form
    said the database had failed (and logged its traceback)."""
    make_team(bot.database)
    bot.requester.send(slash_command("log", channel_id="CPRICES"))
    view = opened_view(bot)
    values = state_values(
        view, {"summary": "Met them", "organisations": [("Acme\x00", "Acme\x00")]}
    )
    assert bot.requester.send(view_submission(view, values)).status == 200
    assert tracebacks(caplog) == []
    with bot.database.transaction() as session:
        assert session.exec(select(Organisation.name)).all() == ["Acme"]
