"""Steps several end-to-end tests share: make a team, run a command, read the reply."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from bot.runtime.cli import main
from bot.runtime.console.payloads import slash_command
from bot.teams.editing import TeamDraft, save_team
from storage.database import Database
from storage.models import Delivery, InboxItem, ProducerTeam
from tests.conftest import RunningBot

# How long a test waits for what the bot does after its answer: a bound for a hang, not a
# speed (each wait ends as soon as it is done), and four test processes on two cores can
# take seconds.
WAIT_SECONDS = 30.0


def make_team(
    database: Database,
    name: str = "Prices",
    channel: str | None = "CPRICES",
    outputs: str = "Consumer price inflation | high\nHouse price index | medium",
    members: Sequence[str] = ("U0001",),
) -> int:
    """A team created by UADMIN (its first member), with `members` too: by default the
    person the tests act as, who may then manage it."""
    draft = TeamDraft(name, channel, outputs, member_ids=tuple(members))
    with database.transaction() as session:
        team = save_team(session=session, draft=draft, user_id="UADMIN")
        return team.id  # type: ignore[return-value]


def set_up_at(session: Session, team_id: int, moment: datetime) -> ProducerTeam:
    """The team, and each of its outputs, as created at `moment`: a test never depends on
    the real date."""
    team = session.get(ProducerTeam, team_id)
    assert team is not None
    team.created_at = moment
    for output in team.outputs:
        output.created_at = moment
        session.add(output)
    session.add(team)
    return team


def run_command(
    bot: RunningBot, text: str, *, user: str = "U0001", channel: str = "CPRICES", **fields: Any
) -> dict[str, Any]:
    """Send `/engage <text>` and return what the bot posted to the response_url."""
    name = f"r{len(bot.slack.calls())}"
    response_url = bot.slack.response_url(name)
    response = bot.requester.send(
        slash_command(text, user_id=user, channel_id=channel, response_url=response_url, **fields)
    )
    assert response.status == 200, response.body
    return wait_for_reply(bot, name)


def reply_text(reply: dict[str, Any]) -> str:
    """Everything a person reads in a message: its text and its blocks' text."""
    parts = [reply.get("text", "")]
    for block in reply.get("blocks", []):
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(text["text"])
        for element in block.get("elements", []):
            if "text" in element:
                parts.append(
                    element["text"]["text"]
                    if isinstance(element["text"], dict)
                    else element["text"]
                )
    return "\n".join(parts)


def handed_back(reply: dict[str, Any]) -> str:
    """The text a reply gives back as typed (its plain-text sections, joined), having checked
    the reply keeps within Slack's limits: 50 blocks, 3,000 characters a section."""
    blocks = reply["blocks"]
    assert len(blocks) <= 50
    assert all(len(block.get("text", {}).get("text", "")) <= 3000 for block in blocks)
    return "".join(
        block["text"]["text"]
        for block in blocks
        if block["type"] == "section" and block["text"]["type"] == "plain_text"
    )


def wait_for_reply(bot: RunningBot, name: str) -> dict[str, Any]:
    """What the bot last posted to the response_url `name` (see FakeSlack.response_url)."""
    expected = 1
    while True:
        calls = bot.slack.wait_for("response_url", count=expected)
        named = [call.args for call in calls if call.args["_name"] == name]
        if named:
            return named[-1]
        expected = len(calls) + 1


def opened_view(bot: RunningBot, number: int = 1) -> dict[str, Any]:
    """The view of the `number`th views.open call (waiting for it)."""
    view: dict[str, Any] = bot.slack.wait_for("views.open", count=number)[number - 1].args["view"]
    return view


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A form's input elements by field (their block_id)."""
    return {
        block["block_id"]: block["element"] for block in view["blocks"] if block["type"] == "input"
    }


def count_rows(database: Database, model: type) -> int:
    with database.transaction() as session:
        return len(session.exec(select(model)).all())


def wait_for_deliveries(
    database: Database, expected: Mapping[str, str], timeout: float = WAIT_SECONDS
) -> None:
    """Poll until each delivery keyed in `expected` has that status. The bot records a post
    once Slack has answered it, so a test that has seen the post may be a moment early."""
    deadline = time.monotonic() + timeout
    while True:
        with database.transaction() as session:
            rows = session.exec(select(Delivery).where(col(Delivery.key).in_(expected)))
            found = {delivery.key: delivery.status for delivery in rows}
        if found == expected:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"expected deliveries {dict(expected)} within {timeout}s: {found}")
        time.sleep(0.01)


def wait_for_empty_inbox(database: Database, timeout: float = WAIT_SECONDS) -> None:
    """Poll until the inbox holds no request: each is deleted just after its answer, so a
    test that has seen the answer may be a moment early."""
    deadline = time.monotonic() + timeout
    while _inbox_size(database):
        if time.monotonic() >= deadline:
            raise AssertionError(f"the inbox still holds requests after {timeout}s")
        time.sleep(0.01)


def _inbox_size(database: Database) -> int:
    """The requests in the inbox, of every workspace."""
    with database.engine.connect() as connection:
        return len(connection.execute(select(InboxItem.id)).all())


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`engagebot ARGS` in this process: its exit code, standard output and error."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_as_child(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: Sequence[str],
    env: Mapping[str, str],
    cwd: Path,
    input: str = "",
) -> subprocess.CompletedProcess[str]:
    """`engagebot ARGS` as a child process with environment `env` in folder `cwd` would run
    it, `input` on its standard input, but in this process: for the tests of a command's
    outcome, not of the process (a child's imports cost a second of CPU each)."""
    with monkeypatch.context() as patch:
        patch.chdir(cwd)
        patch.setattr(sys, "stdin", StringIO(input))
        for name in os.environ.keys() - env.keys():
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        code, out, err = run_cli(capsys, *args)
    return subprocess.CompletedProcess(["engagebot", *args], code, out, err)
