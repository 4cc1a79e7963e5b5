"""Several workspaces (OAuth mode): signed requests from two Slack teams record and read
data only in their own workspace. Both install the app through the real OAuth flow
(tests/e2e/installs.py), so each request is answered with its own workspace's token.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from bot.runtime.console.payloads import app_home_opened, block_actions, slash_command
from bot.runtime.console.slack_standin import TEAM_ID
from storage.database import Database
from storage.models import Engagement
from tests.conftest import RunningBot
from tests.e2e.helpers import make_team, reply_text, wait_for_reply
from tests.e2e.installs import from_workspace, install

pytestmark = pytest.mark.any_date

FIRST, SECOND = TEAM_ID, "T0002"


@pytest.fixture
def bots(oauth_bot: RunningBot) -> Iterator[dict[str, RunningBot]]:
    """The app, installed in both workspaces, by workspace."""
    for team_id in (FIRST, SECOND):
        install(oauth_bot, team_id, f"Workspace {team_id}")
    oauth_bot.slack.reset()
    yield {FIRST: oauth_bot, SECOND: oauth_bot}


def send(bot: RunningBot, team_id: str, payload: Any) -> None:
    response = bot.requester.send(from_workspace(payload, team_id))
    assert response.status == 200, response.body


def log(bot: RunningBot, team_id: str, text: str) -> dict[str, Any]:
    url = bot.slack.response_url(f"log-{team_id}")
    send(bot, team_id, slash_command(f"log {text}", channel_id="CPRICES", response_url=url))
    return wait_for_reply(bot, f"log-{team_id}")


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


@pytest.mark.parametrize("team_id", ["", "T0NOTINSTALLED"])
def test_a_request_from_no_installed_workspace_is_answered_and_changes_nothing(
    database: Database, bots: dict[str, RunningBot], team_id: str
) -> None:
    """No workspace (an org-wide Enterprise Grid install) or one that has not installed
    the app: Bolt finds no token for it, before any listener runs."""
    bot = bots[FIRST]
    make_team(database.in_workspace(FIRST))
    url = bot.slack.response_url("nowhere")
    command = slash_command("log Org-wide", channel_id="CPRICES", response_url=url)
    response = bot.requester.send({**command, "team_id": team_id})
    assert response.status == 200 and response.body == ""
    assert "not installed in this workspace" in reply_text(wait_for_reply(bot, "nowhere"))
    assert summaries(database, FIRST) == [] and summaries(database, "") == []
