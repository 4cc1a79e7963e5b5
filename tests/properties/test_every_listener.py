"""A fuzzer on every listener: any request Slack could send, for every command, shortcut and
event the manifest declares and every action, form and menu the app registers, with
generated text, values and state, signed or not, through the real app.

Whatever arrives: no 5xx; no traceback in the log; a request not signed as Slack signs
changes nothing and calls nothing; the database stays whole (every row written is in the
audit log, and the summaries kept in step with the records are); and every reply, view
and message is inside Slack's limits (handlers/views/limits.py).

It runs with the profile's examples (tests/properties/conftest.py: a fixed seed in CI);
`HYPOTHESIS_PROFILE=long` runs many more.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, col, func, select

from bot.runtime.console.payloads import (
    app_home_opened,
    app_uninstalled,
    block_actions,
    block_suggestion,
    encode,
    global_shortcut,
    message_shortcut,
    slash_command,
    tokens_revoked,
    view_submission,
)
from handlers.views import decisions, home
from handlers.views.limits import problems
from storage.auditing import UNAUDITED
from storage.models import AuditEntry
from tests.conftest import RunningBot
from tests.properties.conftest import Answer, InProcessBot, LoggedFailures
from tests.properties.strategies import ANY_TEXT, ID_VALUES, TYPED, submitted_values
from tests.registered import COMMANDS, EVENTS, SHORTCUTS, registered
from tests.storage.test_organisation_contacts import assert_in_step
from tests.storage.test_review_summaries import (
    assert_first_responses_in_step,
    assert_links_in_step,
)

RECORDER, SUBCOMMANDS = registered()
ACTIONS = sorted(RECORDER.registered["action"])
CALLBACKS = sorted(RECORDER.registered["view"])
MENUS = sorted(RECORDER.registered["options"])
# Worked out from the records (storage/organisation_contacts.py), so never in the log.
DERIVED = {"team_organisation_contact"}
# What Slack shows a person: the calls whose messages and views must be within its limits.
SHOWN = {
    "chat.postMessage": lambda args: args,
    "chat.postEphemeral": lambda args: args,
    "chat.update": lambda args: args,
    "response_url": lambda args: args,
    "views.open": lambda args: args["view"],
    "views.push": lambda args: args["view"],
    "views.update": lambda args: args["view"],
    "views.publish": lambda args: args["view"],
}
# The buttons of the Home tab (handlers/views/home.py); every other is on a message.
ON_HOME = {home.LOG_ACTION, home.FEEDBACK_ACTION, decisions.DECIDE_ACTION}
USERS = st.sampled_from(["U0001", "U0002", "UOUTSIDER"])
CHANNELS = st.sampled_from(
    [("CPRICES", "prices"), ("CTRADE", "trade"), ("COTHER", "general"), ("D0001", "directmessage")]
)
# A button's value: a record's id (there or not), "kind:id", the review's JSON, or anything.
VALUES = st.one_of(
    st.none(),
    ID_VALUES,
    st.tuples(st.sampled_from(["engagement", "feedback", "x", ""]), ID_VALUES).map(":".join),
    st.fixed_dictionaries(
        {
            "team": st.one_of(st.integers(-1, 3), st.just(2**63), st.text(max_size=3)),
            "from": st.sampled_from(["2026-10-01", "2026-13-01", "", "x"]),
            "to": st.sampled_from(["2026-10-31", "1900-01-01", "9999-12-31"]),
        }
    ).map(json.dumps),
    TYPED,
)
# A form's private_metadata as the bot wrote it, or as a broken client might send it back.
METADATA = st.one_of(
    st.none(),
    st.sampled_from(
        ["", "{}", "[]", "null", "not json", '{"team_id": "abc"}', '{"change_id": -1}']
    ),
    st.dictionaries(
        st.sampled_from(["kind", "record_id", "team_id", "change_id", "opportunity_id"]),
        st.one_of(ID_VALUES, st.integers(-1, 2**40), st.none()),
    ).map(json.dumps),
)


@dataclass(frozen=True)
class Request:
    """What is sent, what kind of request it is (for the statistics), and whether signed."""

    kind: str
    payload: dict[str, Any]
    signed: bool


class Views(dict[str, list[dict[str, Any]]]):
    """Every form the app opens, by its callback_id (shown briefly in a failure's report)."""

    def __repr__(self) -> str:
        return f"<the forms {sorted(self)}>"


@pytest.fixture(scope="module")
def views(forms: dict[str, dict[str, Any]]) -> Views:
    found = Views()
    for view in forms.values():
        found.setdefault(view["callback_id"], []).append(view)
    return found


def test_every_form_the_app_takes_is_fuzzed(views: Views) -> None:
    assert set(CALLBACKS) <= set(views), "open the form in tests/properties/conftest.py: forms"


def test_every_event_and_shortcut_is_fuzzed() -> None:
    assert set(EVENTS) == set(EVENT_PAYLOADS)
    assert set(RECORDER.registered["shortcut"]) == set(SHORTCUTS)
    assert set(RECORDER.registered["command"]) == COMMANDS


def command(bot: InProcessBot, data: st.DataObject) -> dict[str, Any]:
    words = [subcommand.name for subcommand in SUBCOMMANDS] + ["", "unknown"]
    typed = data.draw(
        st.one_of(st.tuples(st.sampled_from(words), ANY_TEXT).map(" ".join), ANY_TEXT),
        label="text",
    )
    channel, name = data.draw(CHANNELS, label="channel")
    return slash_command(
        typed,
        user_id=data.draw(USERS, label="user"),
        channel_id=channel,
        channel_name=name,
        command=data.draw(st.sampled_from(sorted(COMMANDS)), label="command"),
        response_url=bot.slack.response_url("fuzz"),
    )


def action(bot: InProcessBot, data: st.DataObject) -> dict[str, Any]:
    """A button pressed where Slack shows it: on a message (in a channel, or one only the
    person sees), or on the Home tab for its own buttons; no form has any."""
    action_id = data.draw(st.sampled_from(ACTIONS), label="action_id")
    places = ["message", "ephemeral", *(["home"] if action_id in ON_HOME else [])]
    where = data.draw(st.sampled_from(places), label="where")
    channel, _ = data.draw(CHANNELS, label="channel")
    return block_actions(
        action_id,
        data.draw(VALUES, label="value"),
        user_id=data.draw(USERS, label="user"),
        channel_id=channel,
        response_url=bot.slack.response_url("fuzz"),
        block_id=data.draw(st.sampled_from(["actions", f"{action_id}_1", "x" * 255])),
        view={"type": "home", "blocks": []} if where == "home" else None,
        ephemeral=where == "ephemeral",
    )


def submission(data: st.DataObject, views: Views) -> dict[str, Any]:
    callback_id = data.draw(st.sampled_from(CALLBACKS), label="callback_id")
    view = data.draw(st.sampled_from(views[callback_id]))
    metadata = data.draw(METADATA, label="private_metadata")
    if metadata is not None:
        view = {**view, "private_metadata": metadata}
    values = data.draw(submitted_values(view), label="state.values")
    return view_submission(view, values, user_id=data.draw(USERS, label="user"))


def menu(data: st.DataObject, views: Views) -> dict[str, Any]:
    action_id = data.draw(st.sampled_from(MENUS), label="action_id")
    holding = [
        view
        for forms in views.values()
        for view in forms
        if any(block.get("block_id") == action_id for block in view["blocks"])
    ]
    view = data.draw(st.sampled_from([None, *holding]), label="in a form")
    return block_suggestion(
        action_id,
        block_id=action_id,
        value=data.draw(ANY_TEXT, label="typed"),
        user_id=data.draw(USERS, label="user"),
        view=view,
    )


EVENT_PAYLOADS: dict[str, Callable[[st.DataObject], dict[str, Any]]] = {
    "app_home_opened": lambda data: app_home_opened(
        data.draw(USERS, label="user"), data.draw(st.sampled_from(["home", "messages"]))
    ),
    "app_uninstalled": lambda _data: app_uninstalled(),
    "tokens_revoked": lambda data: tokens_revoked(
        bot=data.draw(st.lists(st.sampled_from(["UBOT", "UOTHER"]), max_size=2)),
        oauth=data.draw(st.lists(USERS, max_size=2)),
    ),
}


def shortcut(data: st.DataObject) -> dict[str, Any]:
    callback_id = data.draw(st.sampled_from(sorted(SHORTCUTS)), label="callback_id")
    user = data.draw(USERS, label="user")
    if SHORTCUTS[callback_id] == "global":
        return global_shortcut(callback_id, user_id=user)
    channel, _ = data.draw(CHANNELS, label="channel")
    text = data.draw(ANY_TEXT, label="message text")
    return message_shortcut(callback_id, user_id=user, channel_id=channel, message_text=text)


def requests(bot: InProcessBot, data: st.DataObject, views: Views) -> Request:
    kind = data.draw(
        st.sampled_from(["command", "action", "submission", "menu", "event", "shortcut"]),
        label="kind",
    )
    makers: dict[str, Callable[[], dict[str, Any]]] = {
        "command": lambda: command(bot, data),
        "action": lambda: action(bot, data),
        "submission": lambda: submission(data, views),
        "menu": lambda: menu(data, views),
        "event": lambda: EVENT_PAYLOADS[data.draw(st.sampled_from(sorted(EVENTS)))](data),
        "shortcut": lambda: shortcut(data),
    }
    payload = makers[kind]()
    signed = data.draw(st.sampled_from([True, True, True, False]), label="signed")
    return Request(kind, payload, signed)


@dataclass(frozen=True)
class Snapshot:
    """What the database holds before a request: rows by table, and the log's last entry."""

    rows: Counter[str]
    last_entry: int

    @classmethod
    def of(cls, bot: InProcessBot) -> Snapshot:
        with bot.database.transaction() as session:
            rows = Counter(
                {
                    name: session.exec(select(func.count()).select_from(table)).one()
                    for name, table in SQLModel.metadata.tables.items()
                }
            )
            last = session.exec(select(func.max(AuditEntry.id))).one() or 0
        return cls(rows, last)

    def unlogged(self, bot: InProcessBot) -> dict[str, int]:
        """Rows added or removed since, by table, that the audit log does not account for:
        a write past the ORM, or one the request left half done."""
        after = Snapshot.of(bot)
        with bot.database.transaction() as session:
            entries = session.exec(
                select(AuditEntry.table_name, AuditEntry.action).where(
                    col(AuditEntry.id) > self.last_entry
                )
            ).all()
        logged = Counter(table for table, action in entries if action == "create")
        logged.subtract(table for table, action in entries if action == "delete")
        return {
            table: after.rows[table] - self.rows[table] - logged[table]
            for table in SQLModel.metadata.tables
            if table not in UNAUDITED | DERIVED
            and after.rows[table] - self.rows[table] != logged[table]
        }


def check_whole(bot: InProcessBot, before: Snapshot) -> None:
    assert before.unlogged(bot) == {}, "rows written that the audit log does not account for"
    assert_in_step(bot.database)
    assert_links_in_step(bot.database)
    assert_first_responses_in_step(bot.database)


def check_shown(sent: list[Any], answer: Answer) -> None:
    """Every message and view the request made Slack show, and its answer, within limits."""
    for call in sent:
        if call.method in SHOWN:
            surface = SHOWN[call.method](call.args)
            assert problems(surface) == [], (call.method, problems(surface))
    if answer.json:
        assert problems(answer.json) == [], problems(answer.json)


@settings(max_examples=settings.default.max_examples)
@given(data=st.data())
def test_any_request_slack_could_send(
    app_bot: InProcessBot,
    views: Views,
    failed: LoggedFailures,
    data: st.DataObject,
) -> None:
    bot = app_bot
    request = requests(bot, data, views)
    event(f"{request.kind}{'' if request.signed else ' (unsigned)'}")
    before = Snapshot.of(bot)
    seen = len(bot.slack.calls())
    failed.failures.clear()
    answer = bot.send(request.payload, signed=request.signed)
    sent = bot.slack.calls()[seen:]
    event(f"answered {answer.status}")
    assert answer.status < 500, answer
    assert not failed.failures, failed.failures[0]
    if not request.signed:
        assert answer.status == 401
        assert (sent, Snapshot.of(bot)) == ([], before), "a request not from Slack did something"
        return
    check_shown(sent, answer)
    check_whole(bot, before)


@settings(max_examples=max(5, settings.default.max_examples // 5))
@given(data=st.data())
def test_any_request_over_http(
    app_bot: InProcessBot, over_http: RunningBot, views: Views, data: st.DataObject
) -> None:
    """The same through the real HTTP server (bot/runtime/serving.py): what it answers at once."""
    request = requests(app_bot, data, views)
    body, content_type = encode(request.payload)
    answer = over_http.requester.raw(body, content_type, tamper=not request.signed)
    assert answer.status < 500, answer
    assert answer.status == (200 if request.signed else 401), answer
    if request.signed and isinstance(answer.json, dict) and answer.json:  # Slack shows it
        assert problems(answer.json) == [], problems(answer.json)
