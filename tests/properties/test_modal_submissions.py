"""Every form, submitted with anything in its fields, as Slack sends it: the answer closes or
updates the form, or puts non-empty errors on the form's own fields; never a failure; and
the database gains the whole record or nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, func, select

from bot.console.payloads import (
    block_actions,
    block_suggestion,
    slash_command,
    state_values,
    view_submission,
)
from handlers.views.decisions import DECIDE_ACTION, MERGE_CHOICE
from storage.models import Feedback
from tests.e2e.helpers import make_team
from tests.properties.conftest import APP_EXAMPLES, InProcessBot
from tests.properties.strategies import ANY_TEXT, TYPED

# Option values a broken or stale client could send: ids that exist or not, and no ids.
ID_VALUES = st.sampled_from(["1", "2", "3", "0", "-1", "abc", "²", "", "99999999999999999999"])
DAYS = st.one_of(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat),
    st.sampled_from(["2026-02-30", "31/01/2026", "", "tomorrow"]),
)
NUMBERS = st.one_of(
    st.integers(-10, 2_000_000).map(str),
    st.sampled_from(["", "1.5", "1e3", "twelve", "99999999999999999999", "١٢"]),
)
CONVERSATIONS = st.sampled_from(["CPRICES", "COTHER", "C0NEW", "D0001", "G0PRIVATE", ""])


def _option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value or "?", "emoji": True}, "value": value}


def _options_of(element: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """One of the element's own options, or a value it never offered."""
    own = [o for o in element.get("options", [])]
    own += [o for group in element.get("option_groups", []) for o in group["options"]]
    made_up = st.one_of(ID_VALUES, TYPED).map(_option)
    return st.one_of(st.sampled_from(own), made_up) if own else made_up


def element_state(element: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """What Slack reports for the element: empty, a good value, or a bad one."""
    kind = element["type"]
    if kind in ("plain_text_input", "email_text_input", "url_text_input"):
        value: st.SearchStrategy[Any] = st.one_of(st.none(), ANY_TEXT)
        return value.map(lambda text: {"type": kind, "value": text})
    if kind == "number_input":
        return st.one_of(st.none(), NUMBERS).map(lambda text: {"type": kind, "value": text})
    if kind == "datepicker":
        return st.one_of(st.none(), DAYS).map(lambda day: {"type": kind, "selected_date": day})
    if kind in ("static_select", "external_select", "radio_buttons"):
        chosen = st.one_of(st.none(), _options_of(element))
        return chosen.map(lambda option: {"type": kind, "selected_option": option})
    if kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        chosen_many = st.lists(_options_of(element), max_size=4)
        return chosen_many.map(lambda options: {"type": kind, "selected_options": options})
    if kind in ("conversations_select", "channels_select", "users_select"):
        noun = kind.removesuffix("s_select").removesuffix("_select")
        picked = st.one_of(st.none(), CONVERSATIONS if noun != "user" else st.just("U0002"))
        return picked.map(lambda pick: {"type": kind, f"selected_{noun}": pick or None})
    if kind in ("multi_conversations_select", "multi_channels_select", "multi_users_select"):
        noun = kind.removeprefix("multi_").removesuffix("_select")
        return st.lists(CONVERSATIONS.filter(bool), max_size=3, unique=True).map(
            lambda picks: {"type": kind, f"selected_{noun}": picks}
        )
    raise AssertionError(f"no values made for a {kind}")


def sensible_state(block: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """What a person filling the form in usually sends: what it opened with, and some text
    in a required text field left empty."""
    element = block["element"]
    untouched = state_values({"blocks": [block]})[block["block_id"]][element["action_id"]]
    if element["type"] == "plain_text_input" and not untouched.get("value"):
        if block.get("optional"):
            return st.just(untouched)
        typed = TYPED.filter(lambda text: bool(text.strip()) and len(text) < 200)
        return typed.map(lambda text: {**untouched, "value": text})
    own = element.get("options")
    if element["type"] == "static_select" and not untouched["selected_option"] and own:
        return st.sampled_from(own).map(lambda option: {**untouched, "selected_option": option})
    return st.just(untouched)


def submitted_values(view: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """`view.state.values` for the view's inputs: most as a person fills them in, some
    left out (a broken client) or holding anything at all."""
    fields = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        sensible = sensible_state(block)
        state = st.one_of(sensible, sensible, sensible, element_state(block["element"]))
        action_id = block["element"]["action_id"]
        fields[block["block_id"]] = state.map(lambda chosen, key=action_id: {key: chosen})
    return st.fixed_dictionaries(
        {field: state for field, state in fields.items() if field != "_left_out"}
    ) | st.fixed_dictionaries({}, optional=fields)


def row_counts(bot: InProcessBot) -> dict[str, int]:
    with bot.database.transaction() as session:
        return {
            name: session.exec(select(func.count()).select_from(table)).one()
            for name, table in SQLModel.metadata.tables.items()
        }


class FailedListeners(logging.Handler):
    """Catches what the app's one error handler logs when a listener raised."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.failures: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("listener failed"):
            self.failures.append(f"{record.getMessage()}\n{record.exc_text or ''}")


@pytest.fixture(scope="module")
def failed(app_bot: InProcessBot) -> Iterator[FailedListeners]:
    handler = FailedListeners()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest.fixture(scope="module")
def forms(app_bot: InProcessBot) -> dict[str, dict[str, Any]]:
    """Each form as the bot opened it, for a person in the Prices team's channel."""
    bot = app_bot
    # An admin, who may open every form (creating a team needs one): inputs are the subject.
    bot.slack.set_user("U0001", is_admin=True)
    make_team(bot.database, "Prices", "CPRICES")
    make_team(bot.database, "Trade", "CTRADE", "Exports | high")

    def opened(payload: dict[str, Any]) -> dict[str, Any]:
        seen = len(bot.slack.calls("views.open"))
        assert bot.send(payload).status == 200
        view: dict[str, Any] = bot.slack.calls("views.open")[seen].args["view"]
        return view

    def command(text: str, channel: str = "CPRICES") -> dict[str, Any]:
        return slash_command(text, channel_id=channel, response_url=bot.slack.response_url("f"))

    for text in ("The CPI table is late", "Publish CPI sooner", "More regional detail"):
        bot.send(command(f"feedback {text}"))
    with bot.database.transaction() as session:
        feedback_id = session.exec(select(Feedback.id)).first()
    decision = opened(block_actions(DECIDE_ACTION, feedback_id, channel_id="CPRICES"))
    # Choosing "Merge into another item" in the decision form turns it into the merge form.
    merging = bot.send(view_submission(decision, state_values(decision, {"status": MERGE_CHOICE})))
    assert merging.json is not None and merging.json["response_action"] == "update"
    return {
        "engagement": opened(command("log")),
        "feedback": opened(command("feedback")),
        "change": opened(command("change")),
        "insight": opened(command("insight")),
        "opportunity": opened(command("opportunity")),
        "team": opened(command("team", channel="C0NEW")),
        "team settings": opened(command("team Prices")),
        "decision": decision,
        "merge": merging.json["view"],
    }


FORMS = [
    "engagement",
    "feedback",
    "change",
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
    failed: FailedListeners,
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
    failed: FailedListeners,
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
