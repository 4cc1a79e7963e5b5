"""The answer to `/engage who`: the teams that engaged with an organisation or a segment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.base.text import counted, escape_mrkdwn, listed_within, preview
from bot.base.vocabulary import METHODS
from bot.users.who import Who, WhoAnswer, WhoChoices, WhoUnknown
from handlers.views.blocks import context, packed_sections, section
from handlers.views.entries import notice_message
from handlers.views.limits import SECTION_MAX
from storage.who import TeamEngagements, TeamFeedback

# One section a team, within Slack's 50 blocks a message with the headings around them.
ENGAGED_SHOWN = 25
FEEDBACK_SHOWN = 15
PARTNERS_SHOWN = 10  # partner teams named on one team's line
ASKED_MAX = 100  # of what was typed, shown back
CHOICES_BLOCKS_MAX = 20  # the organisations to choose from, in as many sections as they take

USAGE = notice_message(
    "Name an organisation or an audience segment: `/engage who Bank of England` or "
    "`/engage who media`. I'll tell you which teams engaged with them, when and how."
)


def who_message(found: Who) -> dict[str, Any]:
    """The ephemeral answer, whichever `who` found."""
    if isinstance(found, WhoChoices):
        return _choices(found)
    if isinstance(found, WhoUnknown):
        return notice_message(
            f"No organisation or audience segment is called “{preview(found.asked, ASKED_MAX)}”. "
            "The audience segments are: " + ", ".join(escape_mrkdwn(s) for s in found.segments)
        )
    return _answer(found)


def _more_names(count: int) -> str:
    return f"…and {count} more: type more of the name."


def _choices(found: WhoChoices) -> dict[str, Any]:
    names = [f"• {escape_mrkdwn(name)}" for name in found.names]
    more = found.total - len(found.names)
    if more:
        names.append(_more_names(more))
    example = escape_mrkdwn(found.names[0])
    text = (
        f"{found.total} organisations have “{preview(found.asked, ASKED_MAX)}” in their name. "
        f"Which one? Ask again with its whole name, e.g. `/engage who {example}`."
    )
    return {
        "response_type": "ephemeral",
        "text": text,
        "blocks": [section(text), *packed_sections(names, CHOICES_BLOCKS_MAX, _more_names)],
    }


def _answer(found: WhoAnswer) -> dict[str, Any]:
    name = f"*{escape_mrkdwn(found.name)}*"
    period = f" since {_day(found.since)}" if found.since else ""
    blocks = []
    if found.engaged:
        blocks.append(section(f":handshake: *Teams that engaged with* {name}{period}"))
        blocks += [section(_engaged_line(team)) for team in found.engaged[:ENGAGED_SHOWN]]
        blocks += _more(found.engaged, ENGAGED_SHOWN)
    else:
        blocks.append(section(f"No team has logged an engagement with {name}{period}."))
    if found.feedback:
        blocks.append(section(f":speech_balloon: *Teams that received feedback from* {name}"))
        blocks += [section(_feedback_line(team)) for team in found.feedback[:FEEDBACK_SHOWN]]
        blocks += _more(found.feedback, FEEDBACK_SHOWN)
    if found.engaged or found.feedback:
        blocks.append(context("Planning to contact them? Ask these teams first, and join up."))
    summary = (
        f"{counted(len(found.engaged), 'team')} engaged with {escape_mrkdwn(found.name)}{period}; "
        f"{len(found.feedback)} received feedback from them."
    )
    return {"response_type": "ephemeral", "text": summary, "blocks": blocks}


def _engaged_line(team: TeamEngagements) -> str:
    times = "1 engagement" if team.count == 1 else f"{team.count} engagements"
    line = f"*{escape_mrkdwn(team.team)}*: {times}, the last on {_day(team.last)}"
    if team.methods:
        line += " · " + ", ".join(
            f"{METHODS.get(method, method).lower()} ({count})" for method, count in team.methods
        )
    if team.partners:
        line += " · jointly with "
        line += listed_within(
            [escape_mrkdwn(name) for name in team.partners],
            SECTION_MAX - len(line),
            lambda more: f" and {more} more",
            most=PARTNERS_SHOWN,
        )
    return line


def _feedback_line(team: TeamFeedback) -> str:
    items = "1 item" if team.count == 1 else f"{team.count} items"
    return f"*{escape_mrkdwn(team.team)}*: {items}, the latest received on {_day(team.last)}"


def _more(rows: Sequence[object], shown: int) -> list[dict[str, Any]]:
    return [context(f"…and {len(rows) - shown} more teams.")] if len(rows) > shown else []


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
