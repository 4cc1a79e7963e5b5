"""What `/engage subscribe`, `unsubscribe` and `subscribe list` answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.subscriptions import ALREADY, COVERED, HOME, RESUMED, SEPARATOR, Target
from bot.text import escape_mrkdwn
from handlers.views.entries import notice_message

HOW_TO_SUBSCRIBE = (
    "Subscribe it to a team with `/engage subscribe Prices`, or to one output with "
    f"`/engage subscribe Prices{SEPARATOR} Consumer price inflation`."
)


def what_is_heard(target: Target) -> str:
    """What a channel subscribed to `target` hears about, as safe mrkdwn."""
    team = escape_mrkdwn(target.team.name)
    if target.output is None:
        return f"every change of *{team}*"
    return f"changes to *{escape_mrkdwn(target.output.name)}* ({team})"


def subscribed_message(*, outcome: str, target: Target, channel_id: str) -> dict[str, Any]:
    """The answer to `/engage subscribe`, given what subscribing did."""
    channel, heard = f"<#{channel_id}>", what_is_heard(target)
    team = escape_mrkdwn(target.team.name)
    if outcome == HOME:
        text = f"{channel} is the home channel of *{team}*: it already hears about every change."
    elif outcome == COVERED:
        text = f"{channel} already hears about every change of *{team}*, this output's too."
    elif outcome == ALREADY:
        text = f"{channel} already hears about {heard}."
    else:
        again = " again" if outcome == RESUMED else ""
        text = (
            f":white_check_mark: {channel} will hear about {heard}{again}: each announcement, "
            "update and cancellation is posted here."
        )
    return notice_message(text)


def unsubscribed_message(*, ended: Sequence[Target], channel_id: str) -> dict[str, Any]:
    heard = "; nor about ".join(what_is_heard(target) for target in ended)
    return notice_message(f":white_check_mark: <#{channel_id}> will no longer hear about {heard}.")


def subscriptions_message(
    *, channel_id: str, home_of: str | None, subscribed: Sequence[Target]
) -> dict[str, Any]:
    """What the channel hears about: its team's changes if it is a home, and its subscriptions."""
    lines = [f"• every change of *{escape_mrkdwn(home_of)}* (its home channel)"] if home_of else []
    lines += [f"• {what_is_heard(target)}" for target in subscribed]
    if not lines:
        return notice_message(f"<#{channel_id}> hears about no team's changes. {HOW_TO_SUBSCRIBE}")
    return notice_message(f"<#{channel_id}> hears about:\n" + "\n".join(lines))


def problem_message(problem: str) -> dict[str, Any]:
    """A refusal whose text (which may repeat what was typed) is not yet escaped."""
    return notice_message(f":warning: {escape_mrkdwn(problem)}")
