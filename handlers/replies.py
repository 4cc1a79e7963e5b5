"""Posting to a response_url outside the request that gave it (after a form is saved)."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_sdk.webhook import WebhookClient


def response_url_in(metadata: dict[str, Any]) -> str | None:
    """The response_url a form's metadata carries (where to confirm), if it carries one."""
    url = metadata.get("response_url")
    return url if isinstance(url, str) and url else None


def post_reply(response_url: str, message: dict[str, Any], logger: Logger) -> bool:
    """Post `message`; a failure is logged, never raised: what it reports is already done."""
    try:
        response = WebhookClient(response_url).send_dict(message)
    except Exception:
        logger.warning("could not post to the response_url", exc_info=True)
        return False
    if response.status_code != 200:
        logger.warning("the response_url answered %s: %s", response.status_code, response.body)
        return False
    return True
