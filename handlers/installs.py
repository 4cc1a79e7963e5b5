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


def register(app: App) -> None:
    def forget(context: BoltContext, database: Database, logger: Logger, why: str) -> None:
        cancelled = forget_workspace(
            store=app.installation_store, database=database, team_id=context.team_id
        )
        logger.warning(
            "%s in workspace %s: its token is gone, %s pending deliveries cancelled, its "
            "records kept%s",
            why,
            context.team_id,
            cancelled,
            ""
            if app.installation_store
            else " (install the app again and set the new SLACK_BOT_TOKEN)",
        )

    @app.event("app_uninstalled")
    def uninstalled(context: BoltContext, database: Database, logger: Logger) -> None:
        forget(context, database, logger, "engagebot was uninstalled")

    @app.event("tokens_revoked")
    def revoked(
        event: dict[str, Any], context: BoltContext, database: Database, logger: Logger
    ) -> None:
        # engagebot asks for no user tokens: only the bot's matters.
        if event.get("tokens", {}).get("bot"):
            forget(context, database, logger, "the bot's token was revoked")
