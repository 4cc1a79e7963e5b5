"""Who is acting in a Slack request, and from where, as the audit log records it; and
in which workspace, whose records alone the request may read and write."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.base.config import Settings
from bot.base.text import storable
from storage.auditing import Actor
from storage.workspaces import SINGLE_WORKSPACE


def workspace_for(settings: Settings, context: BoltContext) -> str | None:
    """The workspace a request's records belong to: with OAuth, the Slack team it comes
    from (None if it names none: an org-wide Enterprise Grid install, not supported);
    otherwise the single workspace."""
    if not settings.oauth_enabled:
        return SINGLE_WORKSPACE
    return context.team_id or None


def request_actor(body: dict[str, Any], user_id: str | None) -> Actor:
    """The person behind the request (Bolt's `context.user_id`) and where they acted."""
    return Actor(user_id or "unknown", request_origin(body))


def request_origin(body: dict[str, Any]) -> str:
    """E.g. "slack:/engage log in C123", "slack:action decide_feedback",
    "slack:view feedback_form", "slack:shortcut log_engagement", "slack:event app_home_opened";
    without NUL characters, which PostgreSQL can't store (a command's text may have one)."""
    return storable(_origin(body))


def _origin(body: dict[str, Any]) -> str:
    if "command" in body:
        words = str(body.get("text") or "").split(maxsplit=1)
        subcommand = f" {words[0][:30]}" if words else ""
        return f"slack:{body['command']}{subcommand} in {body.get('channel_id')}"
    kind = body.get("type")
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        return f"slack:action {actions[0].get('action_id')}"
    if kind in ("view_submission", "view_closed"):
        return f"slack:view {(body.get('view') or {}).get('callback_id')}"
    if kind in ("shortcut", "message_action"):
        return f"slack:shortcut {body.get('callback_id')}"
    if kind == "block_suggestion":
        return f"slack:options {body.get('action_id')}"
    if kind == "event_callback":
        return f"slack:event {(body.get('event') or {}).get('type')}"
    return f"slack:{kind}"
