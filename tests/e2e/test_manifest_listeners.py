"""manifest.yml and the listeners agree: nothing Slack sends goes unheard, nothing is unused.

Bolt answers 404 to a request no listener matches, so a command, shortcut or event in
the manifest without a listener shows up as a 404 here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.runtime.console.payloads import (
    app_home_opened,
    app_uninstalled,
    global_shortcut,
    message_shortcut,
    slash_command,
    tokens_revoked,
)
from tests.conftest import RunningBot
from tests.e2e.helpers import make_team
from tests.registered import COMMANDS, EVENTS, SHORTCUTS, registered

# How to send each bot event as Slack would, and the Slack call that shows it was handled
# (None: it calls nothing, and Bolt's 200 rather than 404 shows a listener took it).
EVENT_REQUESTS: dict[str, tuple[Callable[[], dict[str, Any]], str | None]] = {
    "app_home_opened": (app_home_opened, "views.publish"),
    "app_uninstalled": (app_uninstalled, None),
    "tokens_revoked": (tokens_revoked, None),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_slash_command_is_handled(bot: RunningBot, command: str) -> None:
    url = bot.slack.response_url("command")
    answer = bot.requester.send(slash_command("help", command=command, response_url=url))
    assert answer.status == 200, answer.body
    assert bot.slack.wait_for("response_url")[0].args["_name"] == "command"


@pytest.mark.parametrize("callback_id", sorted(SHORTCUTS))
def test_every_shortcut_is_handled(bot: RunningBot, callback_id: str) -> None:
    make_team(bot.database, channel="C0001")
    if SHORTCUTS[callback_id] == "message":
        payload = message_shortcut(callback_id, message_text="Please add regional tables")
    else:
        payload = global_shortcut(callback_id)
    answer = bot.requester.send(payload)
    assert answer.status == 200, answer.body
    assert bot.slack.wait_for("views.open")[0].args["view"]["type"] == "modal"


@pytest.mark.parametrize("event_type", sorted(EVENTS))
def test_every_bot_event_is_handled(bot: RunningBot, event_type: str) -> None:
    assert event_type in EVENT_REQUESTS, f"add how to send {event_type} to EVENT_REQUESTS"
    request, effect = EVENT_REQUESTS[event_type]
    answer = bot.requester.send(request())
    assert answer.status == 200, answer.body
    if effect is not None:
        bot.slack.wait_for(effect)


def test_a_request_nothing_listens_to_gets_404(bot: RunningBot) -> None:
    """The check the tests above rely on."""
    assert bot.requester.send(global_shortcut("not_in_the_manifest")).status == 404
    assert bot.requester.send(slash_command(command="/not-ours")).status == 404


def test_every_listener_is_in_the_manifest() -> None:
    recorder, _ = registered()
    assert set(recorder.registered["command"]) == COMMANDS
    assert set(recorder.registered["shortcut"]) == set(SHORTCUTS)
    assert set(recorder.registered["event"]) == EVENTS
    for kind in ("action", "view", "options", "error"):
        assert recorder.registered[kind], f"no {kind} listener registered"
