"""The one error handler: log what failed, tell the person in words they can act on."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import App
from slack_bolt.response import BoltResponse

from handlers.replies import post_reply

FAILED = (
    ":warning: Something went wrong on engagebot's side and nothing was recorded. "
    "Please try again; if it keeps happening, tell whoever runs engagebot."
)


def tell_the_person(error: Exception, body: dict[str, Any], logger: Logger) -> BoltResponse:
    report_failure(error, body, logger)
    # Slack shows its own error if an interaction is not acknowledged with 200.
    return BoltResponse(status=200, body="")


def register(app: App) -> None:
    app.error(tell_the_person)


def report_failure(error: Exception, body: dict[str, Any], logger: Logger) -> None:
    """Log `error` and tell the person whose request (`body`) it stopped."""
    logger.error("listener failed: %s", error, exc_info=error)
    response_url = body.get("response_url") or next(
        (url.get("response_url") for url in body.get("response_urls", [])), None
    )
    if response_url:
        post_reply(response_url, {"response_type": "ephemeral", "text": FAILED}, logger)
