"""A team's review as Slack messages: the post in its channel (with the chart), the answer
to `/engage review` (with "Post to channel"), and the cross-team summary.

The wording comes from `bot/reviews/post.py` and `bot/reviews/formats.py` as plain sentences,
escaped here. Sections hold at most 3,000 characters: a list that would not fit is cut,
saying how many lines were left out.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.base.text import escape_mrkdwn
from bot.deliveries.scheduler import IMAGE, Image, Message
from bot.reviews.chart import segment_chart
from bot.reviews.formats import period_text, review_flags, review_title
from bot.reviews.post import ReviewPost, narrative, next_steps, period_name
from bot.statements.you_said_we_did import long_date
from handlers.views.blocks import Block, actions, button, context, header, plain, section
from handlers.views.limits import ALT_TEXT_MAX, SECTION_MAX

CHART_BLOCK = "review_chart"
POST_ACTION = "review_post_to_channel"
SUMMARY_SECTIONS_MAX = 45  # within Slack's 50 blocks, with the header and the footer


def review_post_message(post: ReviewPost, *, asked_by: str | None = None) -> Message:
    """The review as posted in a channel; the scheduler uploads its chart."""
    review = post.review
    chart_period = period_name(post.chart_from, review.period_to)
    title = f"{review.team}: engagements by audience segment"
    footer = f"Figures: `{escape_mrkdwn(_command(post))}`"
    if asked_by:
        footer = f"Posted at the request of <@{asked_by}>. {footer}"
    blocks = [
        *_review_blocks(post),
        {
            "type": "image",
            "block_id": CHART_BLOCK,
            "title": plain(f"Engagements by audience segment, {chart_period}"),
            "alt_text": _alt_text(post, chart_period),
        },
        context(footer),
    ]
    chart = Image(
        png=segment_chart(
            title=title,
            subtitle=chart_period,
            bars=post.segments,
            period_label=period_name(review.period_from, review.period_to),
        ),
        filename="review.png",
        title=f"{title}, {chart_period}",
        block_id=CHART_BLOCK,
    )
    return {"text": _fallback(post), "blocks": blocks, IMAGE: chart}


def review_answer(post: ReviewPost, *, team_id: int, channel: str) -> dict[str, Any]:
    """The ephemeral answer to `/engage review`, with a button posting it to `channel`."""
    review = post.review
    value = json.dumps(
        {
            "team": team_id,
            "from": review.period_from.isoformat(),
            "to": review.period_to.isoformat(),
        }
    )
    return {
        "response_type": "ephemeral",
        "text": _fallback(post),
        "blocks": [
            *_review_blocks(post),
            context(
                f"Posting it sends it to <#{channel}>, with a chart of the team's engagements "
                "by audience segment over 12 months."
            ),
            actions("review_actions", button("Post to channel", POST_ACTION, value, "primary")),
        ],
    }


def posted_answer(
    *, channel: str, period: tuple[date, date], posted: bool, sent_now: bool
) -> dict[str, Any]:
    """What the person who pressed "Post to channel" is told: posted now, posted before
    (a review is posted once to a channel), or not posted."""
    name = period_name(*period)
    if posted:
        text = (
            f":white_check_mark: The review of {name} is posted to <#{channel}>."
            if sent_now
            else f"The review of {name} was already posted to <#{channel}>."
        )
    else:
        text = (
            f":warning: The review of {name} could not be posted to <#{channel}>. If I am not "
            "a member of that channel, invite me (`/invite @engagebot`) and try again."
        )
    return {"response_type": "ephemeral", "replace_original": False, "text": text}


def review_summary_message(lines: Sequence[str], day: date) -> Message:
    """The cross-team channels' message: one line on each team's review."""
    bullets = [f"• {escape_mrkdwn(line)}" for line in lines]
    sections, left_out = _packed(bullets)
    blocks: list[Block] = [header(f"Engagement reviews, {long_date(day)}")]
    blocks += [section(text) for text in sections[:SUMMARY_SECTIONS_MAX]]
    left_out += sum(text.count("\n") + 1 for text in sections[SUMMARY_SECTIONS_MAX:])
    footer = "Each team's review is posted in its own channel; `/engage review <team>` shows it."
    if left_out:
        footer = f"…and {left_out} more teams. {footer}"
    blocks.append(context(escape_mrkdwn(footer)))
    noun = "team" if len(lines) == 1 else "teams"
    return {
        "text": f"Engagement reviews, {long_date(day)}: {len(lines)} {noun}.",
        "blocks": blocks,
    }


def _review_blocks(post: ReviewPost) -> list[Block]:
    review = post.review
    flags = review_flags(review)
    blocks = [
        header(review_title(review)),
        context(escape_mrkdwn(_period_and_note(post))),
        section(escape_mrkdwn(" ".join(narrative(review)))),
        section(
            _bulleted(":warning: *Needs attention*", flags)
            if flags
            else ":white_check_mark: Nothing needs attention: every segment was heard from, "
            "no voice dominated, every output is within its target, and no change came at "
            "short notice."
        ),
    ]
    steps = next_steps(post)
    if steps:
        if post.contacts:
            steps.append("`/engage who` and an organisation's name tells you which teams know it.")
        blocks.append(section(_bulleted(":bulb: *Next steps*", steps)))
    return blocks


def _period_and_note(post: ReviewPost) -> str:
    period = period_text(post.review)
    return f"{period}. {post.set_up_note}" if post.set_up_note else period


def _bulleted(heading: str, lines: Sequence[str]) -> str:
    """A heading and escaped bullet lines, cut to fit a section."""
    bullets = [f"• {escape_mrkdwn(line)}" for line in lines]
    sections, left_out = _packed(bullets, SECTION_MAX - len(heading) - 30)
    text = f"{heading}\n{sections[0] if sections else ''}"
    left_out += sum(part.count("\n") + 1 for part in sections[1:])
    return f"{text}\n…and {left_out} more." if left_out else text


def _packed(lines: Sequence[str], limit: int = SECTION_MAX) -> tuple[list[str], int]:
    """Lines joined into sections of at most `limit` characters; and how many lines were
    too long for any section on their own (left out)."""
    sections: list[str] = []
    current = ""
    left_out = 0
    for line in lines:
        if len(line) > limit:
            left_out += 1
        elif current and len(current) + 1 + len(line) > limit:
            sections.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        sections.append(current)
    return sections, left_out


def _alt_text(post: ReviewPost, chart_period: str) -> str:
    bars = "; ".join(f"{bar.segment} {bar.total or 'none'}" for bar in post.segments)
    text = (
        f"Bar chart of {post.review.team}'s engagements by audience segment, "
        f"{chart_period}: {bars}."
    )
    return text if len(text) <= ALT_TEXT_MAX else text[: ALT_TEXT_MAX - 1] + "…"


def _fallback(post: ReviewPost) -> str:
    review = post.review
    return escape_mrkdwn(f"{review_title(review)}, {period_text(review)}. {narrative(review)[0]}")


def _command(post: ReviewPost) -> str:
    review = post.review
    return shlex.join(
        [
            "engagebot", "review", "--team", review.team,
            "--from", review.period_from.isoformat(), "--to", review.period_to.isoformat(),
        ]
    )  # fmt: skip
