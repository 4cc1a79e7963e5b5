"""Several workspaces (OAuth mode): signed requests from two Slack teams record and read
data only in their own workspace.

Each workspace has its own Slack (a stand-in whose `auth.test` names that team) and its
own app on one database, as each installation has its own token; the app is given a bot
token, so no OAuth flow is needed here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import select

from bot.console.payloads import app_home_opened, block_actions, slash_command
from bot.console.slack_standin import TEAM_ID, SlackStandIn
from storage.database import Database
from storage.models import Engagement
from tests.conftest import RunningBot, test_settings
from tests.e2e.helpers import make_team, reply_text, wait_for_reply

FIRST, SECOND = TEAM_ID, "T0002"


def in_workspace(payload: Any, team_id: str) -> Any:
    """`payload` as Slack sends it from the workspace `team_id`."""
    if isinstance(payload, Mapping):
        return {key: in_workspace(value, team_id) for key, value in payload.items()}
    if isinstance(payload, list):
        return [in_workspace(value, team_id) for value in payload]
    return team_id if payload == TEAM_ID else payload


@pytest.fixture
def bots(database: Database, database_url: str) -> Iterator[dict[str, RunningBot]]:
    """One app per workspace, in OAuth mode, on the same database."""
    running = {}
    with SlackStandIn() as first_slack, SlackStandIn() as second_slack:
        second_slack.set_response(
            "auth.test", lambda _args: {"ok": True, "team_id": SECOND, "user_id": "UBOT"}
        )
        for team_id, slack in ((FIRST, first_slack), (SECOND, second_slack)):
            settings = replace(
                test_settings(slack, database_url), client_id="1.2", client_secret="secret"
            )
            assert settings.oauth_enabled
            running[team_id] = RunningBot(settings, database, slack)
        yield running
        for bot in running.values():
            bot.stop()


def send(bot: RunningBot, team_id: str, payload: Any) -> None:
    response = bot.requester.send(in_workspace(payload, team_id))
    assert response.status == 200, response.body


def log(bot: RunningBot, team_id: str, text: str) -> dict[str, Any]:
    url = bot.slack.response_url("log")
    send(bot, team_id, slash_command(f"log {text}", channel_id="CPRICES", response_url=url))
    return wait_for_reply(bot, "log")


def summaries(database: Database, team_id: str) -> list[str]:
    with database.in_workspace(team_id).transaction() as session:
        return [engagement.summary for engagement in session.exec(select(Engagement))]


def test_each_workspace_records_and_reads_only_its_own(
    database: Database, bots: dict[str, RunningBot]
) -> None:
    for team_id in (FIRST, SECOND):
        # The same team name and channel id in both: each workspace has its own.
        make_team(database.in_workspace(team_id))
    first = log(bots[FIRST], FIRST, "Met the first workspace's users")
    second = log(bots[SECOND], SECOND, "Met the second workspace's users")
    assert "for Prices" in reply_text(first) and "for Prices" in reply_text(second)
    assert summaries(database, FIRST) == ["Met the first workspace's users"]
    assert summaries(database, SECOND) == ["Met the second workspace's users"]
    assert summaries(database, "") == []

    # Reading: the Home tab lists the person's own entries, of this workspace only.
    send(bots[SECOND], SECOND, app_home_opened("U0001"))
    home = reply_text(bots[SECOND].slack.wait_for("views.publish")[0].args["view"])
    assert "second workspace" in home and "first workspace" not in home

    # Undo with the first workspace's record number, from the second: not found there.
    undo = first["blocks"][1]["elements"][1]
    url = bots[SECOND].slack.response_url("undo")
    send(
        bots[SECOND],
        SECOND,
        block_actions(undo["action_id"], undo["value"], response_url=url, ephemeral=True),
    )
    assert "already deleted" in wait_for_reply(bots[SECOND], "undo")["text"]
    assert summaries(database, FIRST) == ["Met the first workspace's users"]


def test_a_workspace_without_a_team_yet_is_told_so_whatever_others_have(
    database: Database, bots: dict[str, RunningBot]
) -> None:
    make_team(database.in_workspace(FIRST))
    answer = log(bots[SECOND], SECOND, "Met someone")
    assert "there is no team yet" in reply_text(answer)
    assert summaries(database, SECOND) == [] and summaries(database, FIRST) == []
