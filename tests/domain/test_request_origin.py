"""Where a Slack request came from, as the audit log names it, for every kind of request."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import BoltContext

from bot.base.config import load_settings
from bot.runtime.console.payloads import (
    app_home_opened,
    block_actions,
    block_suggestion,
    global_shortcut,
    message_shortcut,
    slash_command,
    view_closed,
    view_submission,
)
from handlers.acting import request_actor, request_origin, workspace_for
from storage.workspaces import SINGLE_WORKSPACE

FORM = {"type": "modal", "callback_id": "feedback_form", "blocks": []}


@pytest.mark.parametrize(
    ("body", "origin"),
    [
        (slash_command("log Met the RSS", channel_id="C123"), "slack:/engage log in C123"),
        (slash_command("", channel_id="C123"), "slack:/engage in C123"),
        # A NUL, which PostgreSQL can't store (found by the fuzzer): dropped.
        (slash_command("lo\x00g Met", channel_id="C123"), "slack:/engage log in C123"),
        (block_actions("decide_feedback", "1"), "slack:action decide_feedback"),
        (view_submission(FORM, {}), "slack:view feedback_form"),
        (view_closed(FORM), "slack:view feedback_form"),
        (global_shortcut("log_engagement"), "slack:shortcut log_engagement"),
        (message_shortcut("record_feedback"), "slack:shortcut record_feedback"),
        (block_suggestion("outputs", block_id="outputs"), "slack:options outputs"),
        (app_home_opened(), "slack:event app_home_opened"),
    ],
)
def test_each_kind_of_request_names_where_it_came_from(body: dict[str, Any], origin: str) -> None:
    assert request_origin(body) == origin


def test_the_actor_is_the_user_or_unknown() -> None:
    body = slash_command("log x", channel_id="C1", user_id="U9")
    assert request_actor(body, "U9").who == "U9"
    assert request_actor(body, None).who == "unknown"


@pytest.mark.parametrize(
    ("oauth", "team_id", "workspace"),
    [
        (False, "T0001", SINGLE_WORKSPACE),  # one bot token: every record in the single one
        (True, "T0002", "T0002"),
        (True, None, None),  # an org-wide install names no workspace: not served
    ],
)
def test_a_requests_workspace(oauth: bool, team_id: str | None, workspace: str | None) -> None:
    environ = (
        {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "secret"}
        if oauth
        else {"SLACK_BOT_TOKEN": "xoxb-1"}
    )
    context = BoltContext({"team_id": team_id} if team_id else {})
    assert workspace_for(load_settings(environ), context) == workspace
