"""A team's engagement review as JSON, text or markdown, for `engagebot review`.

The wording is made of plain sentences (`review_flags`, `review_sections`) that any format
escapes its own way (markdown here, Slack's mrkdwn wherever the review is posted), so that
every format says the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.base.text import counted, listed
from bot.base.vocabulary import METHODS
from bot.reviews.figures import (
    GAP_WINDOW_DAYS,
    SHORT_NOTICE_DAYS,
    UNRECORDED_METHOD,
    Review,
    review_json,
)

# `long_date` and `escape_markdown` are imported where they are used: they come with the
# statements' modules and queries, which `engagebot review --format json` never needs
# (about 20 ms of its start-up; bench/README.md, *Start-up*).

OUTPUTS_FLAGGED = 5  # outputs named in the flag; the Proportionality section lists them all


def review_title(review: Review) -> str:
    return f"Engagement review: {review.team}"


def period_text(review: Review) -> str:
    from bot.statements.you_said_we_did import long_date

    return f"{long_date(review.period_from)} to {long_date(review.period_to)}"


def review_flags(review: Review) -> list[str]:
    """What needs attention: segments not heard from, dominant voices, outputs overdue for
    engagement, changes at short notice. Empty when nothing does."""
    from bot.statements.you_said_we_did import long_date

    flags = []
    if review.reach.segments_missing:
        flags.append(
            f"No engagement in the {GAP_WINDOW_DAYS} days to {long_date(review.period_to)} "
            f"with {listed(review.reach.segments_missing)}."
        )
    if review.voices.dominated:
        names = [name for name, _ in review.voices.top_organisations]
        flags.append(
            f"A few voices dominate: {listed(names)} "
            f"gave {percent(review.voices.top3_share * 100)} of the "
            f"{review.feedback.received} feedback items."
        )
    overdue = review.overdue_outputs
    if overdue:
        names = [output.output for output in overdue[:OUTPUTS_FLAGGED]]
        more = len(overdue) - len(names)
        flags.append(
            f"{counted(len(overdue), 'output')} overdue for engagement: "
            f"{listed([*names, f'{more} more'] if more else names)}."
        )
    short = review.openness.short_notice_changes
    if short:
        flags.append(
            f"{counted(short, 'change')} announced at short notice (fewer than "
            f"{SHORT_NOTICE_DAYS} days before taking effect, or after)."
        )
    return flags


def review_sections(review: Review) -> list[tuple[str, list[str]]]:
    """The figures, as (heading, sentences), in the order of the JSON."""
    return [(heading, lines(review)) for heading, lines in _SECTIONS]


def _engagement_lines(review: Review) -> list[str]:
    engagements = review.engagements
    days = (review.period_to - review.period_from).days + 1
    methods = ", ".join(
        f"{_method_label(method)} {count}" for method, count in engagements.by_method.items()
    )
    return [
        f"{counted(engagements.count, 'engagement')}; "
        f"{engagements.previous_count} in the {days} days before.",
        f"By method: {methods or 'none'}.",
    ]


def _method_label(method: str) -> str:
    return "Not recorded" if method == UNRECORDED_METHOD else METHODS.get(method, method)


def _reach_lines(review: Review) -> list[str]:
    reach = review.reach
    return [
        f"Segments reached: {', '.join(reach.segments_reached) or 'none'}.",
        f"Not heard from in the last {GAP_WINDOW_DAYS} days: "
        f"{', '.join(reach.segments_missing) or 'none'}.",
        f"{counted(reach.organisations, 'organisation')} engaged, "
        f"{reach.new_organisations} of them for the first time.",
    ]


def _voice_lines(review: Review) -> list[str]:
    top = [f"{name} ({count})" for name, count in review.voices.top_organisations]
    if not top:
        return ["No feedback item came from a named organisation."]
    return [f"{listed(top)} gave {percent(review.voices.top3_share * 100)} of the feedback items."]


def _feedback_lines(review: Review) -> list[str]:
    feedback = review.feedback
    if not feedback.received:
        return ["No feedback received."]
    median = feedback.median_days_to_response
    return [
        f"{counted(feedback.received, 'item')} received.",
        f"{percent(feedback.responded_pct)} responded to by the period's end"
        + (
            f"; median {rounded(median)} days to the first response." if median is not None else "."
        ),
        f"{percent(feedback.acted_on_pct)} now planned or done.",
        f"{percent(feedback.declined_with_reason_pct)} of those not planned say why.",
    ]


def _proportionality_lines(review: Review) -> list[str]:
    lines = []
    for output in review.overdue_outputs:
        since = (
            "never engaged"
            if output.days_since is None
            else f"{counted(output.days_since, 'day')} since the last engagement"
        )
        lines.append(f"{output.output} ({output.profile}): {since}, target {output.target_days}.")
    # Not "engaged within its target": an output never engaged but newly added is not late.
    return lines or ["No output is overdue for engagement."]


def _openness_lines(review: Review) -> list[str]:
    openness = review.openness
    announced = counted(openness.changes_announced, "change") + " announced"
    if openness.median_notice_days is None:
        return [f"{announced}."]
    return [
        f"{announced}; median notice {rounded(openness.median_notice_days)} days; "
        f"{openness.short_notice_changes} at short notice."
    ]


def _collaboration_lines(review: Review) -> list[str]:
    collaboration = review.collaboration
    return [
        f"{counted(collaboration.insights_shared, 'insight')} shared; "
        f"{counted(collaboration.joint_engagements, 'joint engagement')} with other teams."
    ]


_SECTIONS: list[tuple[str, Callable[[Review], list[str]]]] = [
    ("Engagements", _engagement_lines),
    ("Reach", _reach_lines),
    ("Voices", _voice_lines),
    ("Feedback", _feedback_lines),
    ("Proportionality", _proportionality_lines),
    ("Openness", _openness_lines),
    ("Collaboration", _collaboration_lines),
]


def review_text(review: Review) -> str:
    lines = [review_title(review), period_text(review), "", "Flags"]
    lines += [f"- {flag}" for flag in review_flags(review)] or ["- None."]
    for heading, sentences in review_sections(review):
        lines += ["", heading, *(f"- {sentence}" for sentence in sentences)]
    return "\n".join(lines) + "\n"


def review_markdown(review: Review) -> str:
    from bot.statements.you_said_we_did_formats import escape_markdown as md

    lines = [f"# {md(review_title(review))}", "", md(period_text(review)), "", "## Flags", ""]
    lines += [f"- {md(flag)}" for flag in review_flags(review)] or ["- None."]
    for heading, sentences in review_sections(review):
        lines += ["", f"## {heading}", "", *(f"- {md(sentence)}" for sentence in sentences)]
    return "\n".join(lines) + "\n"


def review_json_text(review: Review) -> str:
    return json.dumps(review_json(review), indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[[Review], str]] = {
    "json": review_json_text,
    "text": review_text,
    "markdown": review_markdown,
}


def rounded(value: float | None) -> str:
    """75.0 -> "75", 72.5 -> "72.5"."""
    return "" if value is None else f"{value:.1f}".removesuffix(".0")


def percent(value: float | None) -> str:
    return f"{rounded(value)}%"
