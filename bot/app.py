"""Assembling the Bolt app: the client pointed at SLACK_API_URL, context, listeners."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.config import Settings
from handlers.listeners import register_listeners
from storage.database import Database


def slack_client(settings: Settings, token: str | None) -> WebClient:
    """Every WebClient the app makes comes from here, so all use SLACK_API_URL."""
    return WebClient(token=token, base_url=settings.slack_api_url)


def build_app(
    settings: Settings, database: Database, executor: ThreadPoolExecutor | None = None
) -> App:
    """The Bolt app with every listener, checking request signatures unless in Socket Mode.

    Work after ack() runs on `executor`; `serve` waits for it before exiting.
    """
    app = App(
        client=slack_client(settings, settings.bot_token),
        signing_secret=settings.signing_secret or "",
        # Socket Mode messages are not signed; HTTP requests always are.
        request_verification_enabled=not settings.socket_mode,
        # `serve` checks the token itself, to say clearly what is wrong with it.
        token_verification_enabled=False,
        listener_executor=executor or ThreadPoolExecutor(max_workers=8),
    )

    @app.middleware
    def provide_services(context: BoltContext, next: Any) -> None:
        context["database"] = database
        context["settings"] = settings
        next()

    register_listeners(app, database, settings)
    return app
