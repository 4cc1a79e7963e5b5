"""The one error handler: log what failed, tell the person in words they can act on."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import App
from slack_bolt.response import BoltResponse
from slack_sdk.webhook import WebhookClient

FAILED = (
    ":warning: Something went wrong on engagebot's side and nothing was recorded. "
    "Please try again; if it keeps happening, tell whoever runs engagebot."
)


def register(app: App) -> None:
    @app.error
    def tell_the_person(error: Exception, body: dict[str, Any], logger: Logger) -> BoltResponse:
        logger.error("listener failed: %s", error, exc_info=error)
        response_url = body.get("response_url") or next(
            (url.get("response_url") for url in body.get("response_urls", [])), None
        )
        if response_url:
            try:
                WebhookClient(response_url).send(text=FAILED, response_type="ephemeral")
            except Exception:  # the network may be the very thing that failed
                logger.warning("could not tell the person about the failure", exc_info=True)
        # Slack shows its own error if an interaction is not acknowledged with 200.
        return BoltResponse(status=200, body="")
