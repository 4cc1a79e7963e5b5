"""Finding a delivery's message in Slack, for a sender that stopped before recording it.

Every post the scheduler makes carries its delivery's key as message metadata. A process
killed after Slack accepted a post but before it wrote down the result leaves that
delivery "sending"; a later tick reads the conversation's history since the claim and
looks for the key: found, the delivery was sent; not found, it is sent again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

EVENT_TYPE = "engagebot_delivery"
# Slack's clock and ours may differ a little: look back further than the claim.
CLOCK_SKEW = timedelta(minutes=5)
PAGE = 200


def delivery_metadata(key: str) -> dict[str, Any]:
    """chat.postMessage's `metadata` naming the delivery a message is."""
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}}


def find_posted(
    client: WebClient, *, target: str, key: str, since: datetime
) -> tuple[str, str] | None:
    """(channel, ts) of the message delivering `key` to `target` posted since `since`, or
    None. Raises SlackApiError (and URLError) when the history cannot be read."""
    channel = _conversation(client, target)
    oldest = f"{(since - CLOCK_SKEW).timestamp():.6f}"
    cursor = None
    while True:
        page = client.conversations_history(
            channel=channel, oldest=oldest, include_all_metadata=True, limit=PAGE, cursor=cursor
        )
        for message in page.get("messages") or []:
            if _delivers(message, key):
                return channel, str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not page.get("has_more") or not cursor:
            return None


def _conversation(client: WebClient, target: str) -> str:
    """The conversation a post to `target` lands in: a user id's is the bot's DM with them."""
    if target[:1] not in ("U", "W"):
        return target
    return str(client.conversations_open(users=target)["channel"]["id"])


def _delivers(message: dict[str, Any], key: str) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return metadata.get("event_type") == EVENT_TYPE and payload.get("key") == key
