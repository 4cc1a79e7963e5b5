"""Insights: the form, the answer to the person who shared one, its post in the cross-team
channels, and the weekly cross-team digest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from operator import attrgetter
from typing import Any

from bot.base.text import LONG_TEXT_MAX, counted, escape_mrkdwn, preview, shortened
from bot.engagements.insights import CrossTeamDigest
from handlers.views.blocks import (
    context,
    input_block,
    modal,
    multi_external_select,
    multi_static_select,
    options,
    section,
    text_input,
)
from handlers.views.entries import notice_message, which_team_message
from handlers.views.limits import CONTEXT_MAX, SECTION_MAX
from storage.models import AudienceSegment, Insight

CALLBACK_ID = "insight_form"
DIGEST_SHOWN = 15  # insights, and opportunities, a digest lists (one line each)
DIGEST_PREVIEW = 150  # characters of an insight a digest shows

NO_TEAM = which_team_message(":warning: Nothing was shared: which team's insight is it?")


def insight_modal(
    *, team_name: str, segments: Sequence[AudienceSegment], metadata: str
) -> dict[str, Any]:
    """The form to share an insight of `team_name`."""
    blocks = [
        context(
            f"For *{escape_mrkdwn(team_name)}*. Saving shares it with the other teams in the "
            "cross-team channel."
        ),
        input_block(
            "text",
            "What did you learn about users?",
            text_input(multiline=True, max_length=LONG_TEXT_MAX),
        ),
        input_block(
            "tags",
            "Tags",
            text_input(max_length=LONG_TEXT_MAX),
            optional=True,
            hint="Free tags, separated by commas, e.g. timeliness, geography",
        ),
        input_block("outputs", "Statistical outputs", multi_external_select(), optional=True),
        input_block(
            "segments",
            "Audience segments",
            multi_static_select(options((str(s.id), s.name) for s in segments)),
            optional=True,
        ),
    ]
    return modal(CALLBACK_ID, "Share an insight", blocks, submit="Share", private_metadata=metadata)


def shared_message(*, insight: Insight, team_name: str, channels: Sequence[str]) -> dict[str, Any]:
    """The ephemeral answer: where the insight was shared, or that it is only stored."""
    team = escape_mrkdwn(team_name)
    if channels:
        where = ", ".join(f"<#{channel}>" for channel in channels)
        headline = f":white_check_mark: Shared insight *#{insight.id}* from {team} in {where}."
    else:
        headline = (
            f":white_check_mark: Stored insight *#{insight.id}* for {team}. It was not shared: "
            "no cross-team channel is set up yet (an admin can set "
            "`ENGAGEBOT_CROSS_TEAM_CHANNELS`)."
        )
    message = notice_message(f"{headline}\n>{preview(insight.text)}")
    message["text"] = headline
    return message


def insight_message(insight: Insight) -> dict[str, Any]:
    """The insight as posted in a cross-team channel."""
    team = escape_mrkdwn(insight.team.name)
    details = [
        f"*{label}:* {', '.join(escape_mrkdwn(name) for name in names)}"
        for label, names in (
            ("Tags", sorted((theme.name for theme in insight.themes), key=str.lower)),
            ("Outputs", sorted(output.name for output in insight.outputs)),
            (
                "Segments",
                [s.name for s in sorted(insight.segments, key=attrgetter("position"))],
            ),
        )
        if names
    ]
    if insight.created_by:
        details.append(f"shared by <@{insight.created_by}>")
    blocks = [
        section(f":bulb: *Insight from {team}*"),
        section(shortened(escape_mrkdwn(insight.text), SECTION_MAX)),
    ]
    if details:
        blocks.append(context(shortened(" · ".join(details), CONTEXT_MAX)))
    return {"text": f"Insight from {team}: {preview(insight.text, 150)}", "blocks": blocks}


def cross_team_digest_message(digest: CrossTeamDigest) -> dict[str, Any]:
    """The weekly digest: the week's insights and the coming weeks' opportunities."""
    blocks = [
        section(f":newspaper: *This week across the teams* · {_day(digest.monday)}"),
    ]
    if digest.insights_total:
        lines = [
            f"• *{escape_mrkdwn(item.team)}*: {preview(item.text, DIGEST_PREVIEW)}"
            for item in digest.insights
        ]
        blocks.append(section("*Insights shared last week*"))
        blocks += _sections(lines, digest.insights_total, "insights")
    if digest.opportunities_total:
        lines = [
            f"• *{escape_mrkdwn(item.title)}* · {escape_mrkdwn(item.team)} · "
            f"{_day(item.happens_on)} · "
            + (f"{item.places_left} places left" if item.places_left else "full")
            for item in digest.opportunities
        ]
        blocks.append(
            section(
                f"*Opportunities to take part* ({_day(digest.first_day)} to "
                f"{_day(digest.last_day)})"
            )
        )
        blocks += _sections(lines, digest.opportunities_total, "opportunities")
    text = (
        f"This week across the teams: {counted(digest.insights_total, 'insight')} shared, "
        f"{digest.opportunities_total} upcoming "
        f"{'opportunity' if digest.opportunities_total == 1 else 'opportunities'}."
    )
    return {"text": text, "blocks": blocks}


def _sections(lines: list[str], total: int, noun: str) -> list[dict[str, Any]]:
    """The lines in as few sections as fit, and how many more there are."""
    if total > len(lines):
        lines = [*lines, f"…and {total - len(lines)} more {noun}."]
    sections: list[str] = []
    for line in lines:
        if sections and len(sections[-1]) + 1 + len(line) <= SECTION_MAX:
            sections[-1] += "\n" + line
        else:
            sections.append(shortened(line, SECTION_MAX))
    return [section(text) for text in sections]


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"
