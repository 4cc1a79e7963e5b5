"""Installing the app through the real OAuth flow, as a person's browser would, and
requests from more than one workspace: for the end-to-end tests of OAuth distribution
(the `oauth_bot` fixture is in tests/conftest.py)."""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.installs.distribution import BOT_SCOPES
from bot.runtime.console.slack_standin import TEAM_ID
from tests.conftest import OAUTH_CLIENT_ID, RunningBot

STATE_COOKIE = "slack-app-oauth-state"


@dataclass
class Page:
    status: int
    body: str
    headers: Message  # its names in any case, as HTTP has them


class Browser:
    """GETs pages of the bot's server, keeping the state cookie it is given."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookie: str | None = None

    def get(self, path: str) -> Page:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        request = urllib.request.Request(self.base_url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                page = Page(response.status, response.read().decode(), response.headers)
        except urllib.error.HTTPError as error:
            with error:
                page = Page(error.code, error.read().decode(), error.headers)
        if cookie := page.headers.get("Set-Cookie"):
            self.cookie = cookie.split(";")[0]
        return page


def start_install(bot: RunningBot) -> tuple[Browser, str]:
    """Open /slack/install: the browser, and the state its Add to Slack link carries."""
    browser = Browser(bot.url)
    page = browser.get("/slack/install")
    assert page.status == 200, page.body
    link = html.unescape(re.search(r'<a href="([^"]+)"', page.body).group(1))  # type: ignore[union-attr]
    query = parse_qs(urlsplit(link).query)
    assert link.startswith(bot.slack.base_url + "/oauth/v2/authorize?")
    assert query["client_id"] == [OAUTH_CLIENT_ID]
    assert query["scope"] == [",".join(BOT_SCOPES)]
    (state,) = query["state"]
    assert browser.cookie == f"{STATE_COOKIE}={state}"
    return browser, state


def install(bot: RunningBot, team_id: str, name: str) -> str:
    """Install the app in workspace `team_id` as a person would; its bot token."""
    browser, state = start_install(bot)
    code = bot.slack.install_code(team_id, name)
    page = browser.get(f"/slack/oauth_redirect?code={code}&state={state}")
    assert page.status == 200, page.body
    assert "Thank you!" in page.body
    assert f"team={team_id}" in page.body  # the page opens Slack in that workspace
    return bot.slack.bot_token(team_id)


def from_workspace(payload: Any, team_id: str) -> Any:
    """A payload the builders make for TEAM_ID, as Slack sends it from `team_id`."""
    if isinstance(payload, dict):
        return {key: from_workspace(value, team_id) for key, value in payload.items()}
    if isinstance(payload, list):
        return [from_workspace(value, team_id) for value in payload]
    return team_id if payload == TEAM_ID else payload
