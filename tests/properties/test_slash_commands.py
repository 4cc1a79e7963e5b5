"""Whatever follows `/engage`, the person gets an answer meant for them alone, the request
never fails, and a command that records writes the whole record or nothing."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from bot.base.text import storable, unescape_mrkdwn
from bot.runtime.console.payloads import slash_command
from handlers.decisions import MERGE_COMMAND
from handlers.errors import FAILED
from storage.models import Engagement, Feedback, Insight
from tests.conftest import RunningBot
from tests.e2e.helpers import make_team, reply_text, run_command
from tests.properties.conftest import APP_EXAMPLES, InProcessBot
from tests.properties.strategies import ANY_TEXT, ENTITIES, MERGES, TYPED

SUBCOMMANDS = [
    "help",
    "log",
    "feedback",
    "change",
    "subscribe",
    "unsubscribe",
    "review",
    "who",
    "users",
    "insight",
    "export",
    "team",
    "opportunity",
]
# Where a command is typed: a team's home, another channel, a direct message.
CHANNELS = st.sampled_from(
    [("CPRICES", "prices"), ("COTHER", "general"), ("D0001", "directmessage")]
)
RECORDS = {"log": Engagement, "feedback": Feedback, "insight": Insight}
_names = itertools.count()


@pytest.fixture(scope="module")
def prices(app_bot: InProcessBot) -> InProcessBot:
    make_team(app_bot.database, "Prices", "CPRICES")
    return app_bot


def count(bot: InProcessBot, model: type) -> int:
    with bot.database.transaction() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def send_command(bot: InProcessBot, text: str, channel: tuple[str, str], user: str) -> list[Any]:
    """Send `/engage <text>`; return what the bot sent to Slack because of it."""
    name = f"p{next(_names)}"
    seen = len(bot.slack.calls())
    payload = slash_command(
        text,
        user_id=user,
        channel_id=channel[0],
        channel_name=channel[1],
        response_url=bot.slack.response_url(name),
    )
    answer = bot.send(payload)
    assert answer.status == 200
    sent = bot.slack.calls()[seen:]
    replies = [call.args for call in sent if call.method == "response_url"]
    assert all(reply["_name"] == name for reply in replies)
    opened = [call for call in sent if call.method == "views.open"]
    assert replies or opened, f"no answer to /engage {text!r}: {bot.slack.describe()}"
    for reply in replies:
        assert reply.get("response_type", "ephemeral") == "ephemeral"
        assert FAILED not in reply_text(reply)
    for call in sent:  # typed text never pings anyone
        for shown in mrkdwn(call.args, top=call.method != "views.open"):
            assert not any(ping in shown for ping in ("<!channel>", "<!here>", "<!subteam")), shown
    return replies


def mrkdwn(sent: Any, *, top: bool) -> Iterator[str]:
    """Every text Slack reads as mrkdwn in a message (`top`: its own text too) or a view;
    a form's typed values and plain_text are shown as typed, pinging no one."""
    if isinstance(sent, dict):
        if (top and isinstance(sent.get("text"), str)) or sent.get("type") == "mrkdwn":
            yield sent["text"]
        for value in sent.values():
            yield from mrkdwn(value, top=False)
    elif isinstance(sent, list):
        for item in sent:
            yield from mrkdwn(item, top=False)


@settings(max_examples=APP_EXAMPLES)
@given(
    subcommand=st.sampled_from(SUBCOMMANDS),
    args=st.one_of(ANY_TEXT, MERGES),
    channel=CHANNELS,
    user=st.sampled_from(["U0001", "U0002"]),
)
def test_every_subcommand_answers_whatever_follows_it(
    prices: InProcessBot, subcommand: str, args: str, channel: tuple[str, str], user: str
) -> None:
    model = RECORDS.get(subcommand)
    before = count(prices, model) if model else 0
    replies = send_command(prices, f"{subcommand} {args}", channel, user)
    if model is None:
        return
    added = count(prices, model) - before
    typed = storable(unescape_mrkdwn(args)).strip()
    assert added in (0, 1)
    if added:  # the whole record: what was typed, as typed
        with prices.database.transaction() as session:
            record = session.exec(select(model).order_by(model.id.desc())).first()  # type: ignore[union-attr]
            text = record.summary if model is Engagement else record.text
            assert text == typed
    elif replies and not (subcommand == "feedback" and MERGE_COMMAND.fullmatch(typed)):
        shown = reply_text(replies[-1])
        assert any(word in shown for word in ("Nothing was", "Which team", ":warning:")), shown


@settings(max_examples=APP_EXAMPLES)
@given(text=st.one_of(TYPED, ENTITIES), channel=CHANNELS)
def test_any_text_at_all_gets_an_answer(prices: InProcessBot, text: str, channel: tuple[str, str]):
    send_command(prices, text, channel, "U0003")


@settings(max_examples=max(5, APP_EXAMPLES // 4))
@given(
    subcommand=st.sampled_from(["who", "users", "review", "subscribe", "help", "bogus"]),
    args=ANY_TEXT,
)
def test_over_http_a_command_is_answered_with_200_and_a_reply(
    over_http: RunningBot, subcommand: str, args: str
) -> None:
    reply = run_command(over_http, f"{subcommand} {args}", channel="CPRICES")
    assert reply.get("response_type", "ephemeral") == "ephemeral"
    assert FAILED not in reply_text(reply)
