"""Slack saying the app has left a workspace: `app_uninstalled`, and `tokens_revoked` for
the bot's token. Both may come, in either order; handling one twice is harmless.

Bolt lets these events through without a token (there is none left to check); the
`database` the middleware gives is bound to the event's workspace.
"""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import App, BoltContext

from bot.installs.distribution import forget_workspace
from storage.database import Database


class Departures:
    """The two events' listeners, for `app`: they forget the workspace's tokens in its
    installation store (None without OAuth distribution)."""

    def __init__(self, app: App) -> None:
        self.app = app

    def uninstalled(self, context: BoltContext, database: Database, logger: Logger) -> None:
        self._forget(context, database, logger, "engagebot was uninstalled")

    def revoked(
        self, event: dict[str, Any], context: BoltContext, database: Database, logger: Logger
    ) -> None:
        # engagebot asks for no user tokens: only the bot's matters.
        if event.get("tokens", {}).get("bot"):
            self._forget(context, database, logger, "the bot's token was revoked")

    def _forget(self, context: BoltContext, database: Database, logger: Logger, why: str) -> None:
        store = self.app.installation_store
        cancelled = forget_workspace(store=store, database=database, team_id=context.team_id)
        logger.warning(
            "%s in workspace %s: its token is gone, %s pending deliveries cancelled, its "
            "records kept%s",
            why,
            context.team_id,
            cancelled,
            "" if store else " (install the app again and set the new SLACK_BOT_TOKEN)",
        )


def register(app: App) -> None:
    departures = Departures(app)
    app.event("app_uninstalled")(departures.uninstalled)
    app.event("tokens_revoked")(departures.revoked)
