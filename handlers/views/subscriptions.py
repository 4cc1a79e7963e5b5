"""What `/engage subscribe`, `unsubscribe` and `subscribe list` answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.base.text import counted, escape_mrkdwn, listed_within, shortened
from bot.changes.subscriptions import ALREADY, COVERED, HOME, RESUMED, SEPARATOR, Target
from handlers.views.blocks import names_in_lines
from handlers.views.entries import listing_message, notice_message
from handlers.views.limits import SECTION_MAX

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
    lead = f":white_check_mark: <#{channel_id}> will no longer hear about "
    heard = listed_within(
        [what_is_heard(target) for target in ended],
        SECTION_MAX - len(lead) - 1,
        lambda more: f"; nor about {more} more",
        separator="; nor about ",
    )
    return notice_message(f"{lead}{heard}.")


def subscriptions_message(
    *, channel_id: str, home_of: str | None, subscribed: Sequence[Target]
) -> dict[str, Any]:
    """What the channel hears about: its team's changes if it is a home, and its subscriptions."""
    lines = [f"• every change of *{escape_mrkdwn(home_of)}* (its home channel)"] if home_of else []
    lines += [f"• {what_is_heard(target)}" for target in subscribed]
    if not lines:
        return notice_message(f"<#{channel_id}> hears about no team's changes. {HOW_TO_SUBSCRIBE}")
    return listing_message(f"<#{channel_id}> hears about:", lines, _more)


def hearing_message(*, target: Target, channels: Sequence[str]) -> dict[str, Any]:
    """`/engage subscribe list <team or output>`: every channel that hears about the
    target's changes, in as many sections as they take."""
    heard = what_is_heard(target)
    if not channels:
        return notice_message(f"No channel hears about {heard} yet. {HOW_TO_SUBSCRIBE}")
    verb = "hears" if len(channels) == 1 else "hear"
    heading = f"{counted(len(channels), 'channel')} {verb} about {heard}:"
    return listing_message(
        heading, names_in_lines([f"<#{channel}>" for channel in channels]), _more
    )


def problem_message(problem: str) -> dict[str, Any]:
    """A refusal whose text (which may repeat what was typed) is not yet escaped."""
    return notice_message(shortened(f":warning: {escape_mrkdwn(problem)}", SECTION_MAX))


def _more(count: int) -> str:
    """Past what one message holds: thousands of channels or subscriptions."""
    return f"…and {count} more."
