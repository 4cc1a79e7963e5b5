"""Steps several end-to-end tests share: make a team, run a command, read the reply."""

from __future__ import annotations

from typing import Any

from bot.teams import TeamDraft, save_team
from storage.database import Database
from tests.conftest import RunningBot
from tests.slack_requests import slash_command


def make_team(
    database: Database, name: str = "Prices", channel: str | None = "CPRICES",
    outputs: str = "Consumer price inflation | high\nHouse price index | medium",
) -> int:
    with database.transaction() as session:
        team = save_team(
            session=session, draft=TeamDraft(name, channel, outputs), user_id="UADMIN"
        )
        return team.id  # type: ignore[return-value]


def run_command(
    bot: RunningBot, text: str, *, user: str = "U0001", channel: str = "CPRICES", **fields: Any
) -> dict[str, Any]:
    """Send `/engage <text>` and return what the bot posted to the response_url."""
    name = f"r{len(bot.slack.calls())}"
    response = bot.requester.send(
        slash_command(text, user_id=user, channel_id=channel, response_url=bot.slack.response_url(name), **fields)
    )
    assert response.status == 200, response.body
    replies = [
        call for call in bot.slack.wait_for("response_url", count=1 + _replies_before(bot, name))
        if call.args["_name"] == name
    ]
    assert replies, bot.slack.describe()
    return replies[-1].args


def _replies_before(bot: RunningBot, name: str) -> int:
    return len([c for c in bot.slack.calls("response_url") if c.args["_name"] != name])


def reply_text(reply: dict[str, Any]) -> str:
    """Everything a person reads in a message: its text and its blocks' text."""
    parts = [reply.get("text", "")]
    for block in reply.get("blocks", []):
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(text["text"])
        for element in block.get("elements", []):
            if "text" in element:
                parts.append(element["text"]["text"] if isinstance(element["text"], dict) else element["text"])
    return "\n".join(parts)
