"""What a person is told about a request of theirs that waits in the inbox (handlers/inbox.py):
that it is queued, that it could not be kept, or that engagebot gave up on it. Every
request the inbox holds is a command or a button's click."""

from __future__ import annotations

from typing import Any

from bot.base.text import preview, storable, unescape_mrkdwn
from handlers.views.entries import handed_back_message, notice_message


def typed_command(body: dict[str, Any]) -> str | None:
    """The command line a request is ("/engage log Met the RSS", as typed), or None for a
    button's click."""
    if "command" not in body:
        return None
    text = storable(unescape_mrkdwn(str(body.get("text") or "")))
    return f"{body['command']} {text}".strip()


def _request(body: dict[str, Any]) -> str:
    """The request named in a sentence: the command (cut short), or "your click"."""
    typed = typed_command(body)
    return f"`{preview(typed, 120)}`" if typed else "your click"


def queued_message(body: dict[str, Any]) -> dict[str, Any] | None:
    """The acknowledgement of a command that waits for its turn: the backlog is deep. None
    for a click (Slack shows no text acknowledging one)."""
    if typed_command(body) is None:
        return None
    return notice_message(
        f":hourglass_flowing_sand: engagebot is busy: {_request(body)} is queued, and "
        "kept safe. You'll have its answer here once it's done."
    )


def unkept_message(error: Exception, body: dict[str, Any]) -> dict[str, Any]:
    """The acknowledgement of a request that could not be kept (the database is down) and
    cannot wait in memory either: nothing was done, and a command comes back whole."""
    problem = (
        f"Nothing was recorded: the database could not keep {_request(body)} "
        f"({type(error).__name__}). Please try again in a minute."
    )
    typed = typed_command(body)
    return handed_back_message(problem, typed) if typed else notice_message(f":warning: {problem}")


def gave_up_message(body: dict[str, Any]) -> dict[str, Any]:
    """The answer to a request that stopped engagebot each time it was tried: given up,
    nothing was done, and a command comes back whole."""
    problem = (
        f"Nothing was recorded: engagebot stopped each time it tried {_request(body)}, "
        "so it has given up on it. Please tell whoever runs engagebot."
    )
    typed = typed_command(body)
    return handed_back_message(problem, typed) if typed else notice_message(f":warning: {problem}")
