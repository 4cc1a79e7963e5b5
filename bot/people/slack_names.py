"""People's names as Slack has them (users.info; the bot has users:read), asked once each.

For exports and the audit log (`bot/people/names.py`). A lookup never fails what asked for it: a
person Slack does not know keeps their id alone, and once Slack cannot be asked at all (no
token, no network, the token refused) no more are asked, and `problem` says why, for the
command line to tell the person.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.people.names import SLACK_USER_ID

logger = logging.getLogger(__name__)

# Slack's answers meaning no name will come with this token, whoever is asked about.
TOKEN_REFUSED = frozenset(
    {"not_authed", "invalid_auth", "account_inactive", "token_revoked", "missing_scope"}
)


class SlackNames:
    """A `NameOf` asking Slack's users.info, at most once per person."""

    def __init__(self, client: WebClient | None, no_client: str = "no Slack token") -> None:
        self.client = client
        self.problem: str | None = None  # why some names could not be asked for
        self._cannot_ask = None if client is not None else no_client
        self._known: dict[str, str | None] = {}

    def __call__(self, user_id: str) -> str | None:
        if not SLACK_USER_ID.fullmatch(user_id):  # "scheduler", "cli:alice": no one to ask
            return None
        if user_id not in self._known:
            if self._cannot_ask is not None:
                self.problem = self._cannot_ask
                return None
            self._known[user_id] = self._ask(user_id)
        return self._known[user_id]

    def _ask(self, user_id: str) -> str | None:
        assert self.client is not None
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            reason = error.response.get("error") if isinstance(error.response.data, dict) else None
            if reason in TOKEN_REFUSED:
                self._stop(f"Slack refused the token ({reason})")
            return None  # user_not_found and the like: this person only
        except (SlackRequestError, OSError) as error:
            self._stop(f"Slack could not be reached ({error})")
            return None
        profile = user.get("profile") or {}
        name = user.get("real_name") or profile.get("real_name") or user.get("name")
        return str(name) if name else None

    def _stop(self, why: str) -> None:
        logger.warning("names are not looked up any more: %s", why)
        self._cannot_ask = self.problem = why
