"""Engagement opportunities: the form, the post with its buttons, the answers to a click,
the team's list, and the organiser's reminder and prompt to log it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.base.text import LONG_TEXT_MAX, escape_mrkdwn, listed_within, shortened
from bot.base.validation import no_longer_exists
from bot.engagements.opportunities import PLACE_MAX, PLACES_MAX, TITLE_MAX, Answer
from handlers.views.blocks import (
    actions,
    button,
    context,
    input_block,
    modal,
    names_in_lines,
    number_input,
    plain,
    section,
    text_input,
)
from handlers.views.entries import listing_message, notice_message
from handlers.views.limits import SECTION_MAX
from storage.models import Opportunity

CALLBACK_ID = "opportunity_form"
TAKE_PART_ACTION = "opportunity_take_part"
WITHDRAW_ACTION = "opportunity_withdraw"
SIGNUPS_ACTION = "opportunity_signups"
LOG_ACTION = "opportunity_log"
LIST_LIMIT = 20  # opportunities a list shows, one block each, within Slack's 50 a message


def opportunity_modal(*, team_name: str, channel_id: str | None, metadata: str) -> dict[str, Any]:
    """The form to post an opportunity, to the current channel unless others are chosen."""
    channels: dict[str, Any] = {
        "type": "multi_conversations_select",
        "placeholder": plain("Choose channels"),
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel_id and channel_id[:1] in ("C", "G"):  # not a direct message
        channels["initial_conversations"] = [channel_id]
    blocks = [
        context(
            f"For *{escape_mrkdwn(team_name)}*. People take a place with the post's button; "
            "you get their names the day before, and a prompt to log it the day after."
        ),
        input_block("title", "Title", text_input(max_length=TITLE_MAX)),
        input_block(
            "happens_on", "Date", {"type": "datepicker", "placeholder": plain("Choose a date")}
        ),
        input_block("place", "Place or link", text_input(max_length=PLACE_MAX)),
        input_block(
            "description",
            "Description",
            text_input(multiline=True, max_length=LONG_TEXT_MAX),
            optional=True,
            hint="Who it is for, what will happen, how to prepare.",
        ),
        input_block(
            "places",
            "Places available",
            {**number_input(None, minimum=1), "max_value": str(PLACES_MAX)},
        ),
        input_block("channels", "Post it to", channels),
    ]
    return modal(
        CALLBACK_ID, "Post an opportunity", blocks, submit="Post", private_metadata=metadata
    )


def posted_modal(*, opportunity: Opportunity, channels: Sequence[str]) -> dict[str, Any]:
    """What the form turns into once saved."""
    where = ", ".join(f"<#{channel}>" for channel in channels)
    text = (
        f":white_check_mark: Posting *{escape_mrkdwn(opportunity.title)}* to {where}.\n"
        "The day before, I'll send you who signed up; the day after, a prompt to log it. "
        "`/engage opportunity list` shows who has signed up so far."
    )
    return modal("opportunity_posted", "Opportunity posted", [section(text)], submit=None)


def posted_message(*, opportunity: Opportunity, taken: int) -> dict[str, Any]:
    """The post in each channel: the details, the places left, and the buttons (only
    Withdraw once it is full)."""
    title, day = escape_mrkdwn(opportunity.title), _day(opportunity.happens_on)
    left = max(opportunity.places - taken, 0)
    availability = f"{left} of {opportunity.places} places left" if left else "Full: no places left"
    details = f":raised_hand: *{title}*\n*When:* {day}\n*Where:* {escape_mrkdwn(opportunity.place)}"
    blocks = [section(details)]
    if opportunity.description:
        blocks.append(section(shortened(escape_mrkdwn(opportunity.description), SECTION_MAX)))
    value = str(opportunity.id)
    buttons = [button("Withdraw", WITHDRAW_ACTION, value)]
    if left:  # once full, a place can only be given up
        buttons.insert(0, button("I'd like to take part", TAKE_PART_ACTION, value, style="primary"))
    blocks += [
        context(f"*{availability}* · organised by <@{opportunity.organiser}>"),
        actions(f"opportunity_{opportunity.id}", *buttons),
    ]
    return {"text": f"Opportunity: {title} on {day}. {availability}.", "blocks": blocks}


def click_answer(answer: Answer, opportunity: Opportunity | None) -> dict[str, Any]:
    """The ephemeral answer to "I'd like to take part" or "Withdraw"."""
    if opportunity is None:
        return notice_message(f":warning: {no_longer_exists('That opportunity')}")
    title, day = f"*{escape_mrkdwn(opportunity.title)}*", _day(opportunity.happens_on)
    texts = {
        Answer.SIGNED_UP: f":white_check_mark: You have a place at {title} on {day}. "
        "If you can't come after all, press *Withdraw* to free it for someone else.",
        Answer.ALREADY: f"You already have a place at {title} on {day}.",
        Answer.FULL: f":no_entry: {title} is full: all {opportunity.places} places are taken. "
        "If someone withdraws, a place frees up.",
        Answer.WITHDRAWN: f"You withdrew from {title}; your place is free for someone else.",
        Answer.NOT_SIGNED_UP: f"You haven't got a place at {title}, so there is nothing "
        "to withdraw from.",
        Answer.PAST: f"{title} took place on {day}: places can't change any more.",
        Answer.CANCELLED: f"{title} was cancelled: places can't change any more.",
    }
    return notice_message(texts[answer])


def upcoming_message(*, team_name: str, rows: Sequence[tuple[Opportunity, int]]) -> dict[str, Any]:
    """`/engage opportunity list`: the team's upcoming opportunities (at most LIST_LIMIT
    of `rows`) with places taken and a "Who signed up" button each."""
    team = escape_mrkdwn(team_name)
    if not rows:
        return notice_message(
            f"{team} has no upcoming opportunities. Post one with `/engage opportunity`."
        )
    blocks = [section(f"*Upcoming opportunities for {team}*, soonest first:")]
    for opportunity, taken in rows[:LIST_LIMIT]:
        blocks.append(
            section(
                f"*#{opportunity.id} {escape_mrkdwn(opportunity.title)}*\n"
                f"{_day(opportunity.happens_on)} · {taken} of {opportunity.places} places taken",
                accessory=button("Who signed up", SIGNUPS_ACTION, str(opportunity.id)),
            )
        )
    if len(rows) > LIST_LIMIT:
        blocks.append(context(f"Showing the soonest {LIST_LIMIT}."))
    return {
        "response_type": "ephemeral",
        "text": f"Upcoming opportunities for {team}.",
        "blocks": blocks,
    }


def signups_message(*, opportunity: Opportunity, user_ids: Sequence[str]) -> dict[str, Any]:
    """Who has a place (ephemeral, for the "Who signed up" button): every one of them, in
    as many sections as they take."""
    heading = (
        f"*{escape_mrkdwn(opportunity.title)}* ({_day(opportunity.happens_on)})\n"
        f"{_taken(opportunity, user_ids)}"
    )
    lines = names_in_lines([f"<@{user_id}>" for user_id in user_ids])
    return listing_message(heading, lines, lambda more: f"…and {more} more.")


def reminder_message(*, opportunity: Opportunity, user_ids: Sequence[str]) -> dict[str, Any]:
    """The organiser's direct message the day before (it names the opportunity once). The
    place may be a room or a link, or "Online": it is labelled, not put in a sentence."""
    text = (
        f":calendar: Reminder: *{escape_mrkdwn(opportunity.title)}* is tomorrow, "
        f"{_day(opportunity.happens_on)}.\n*Where:* {escape_mrkdwn(opportunity.place)}\n"
        + _taken(opportunity, user_ids)
    )
    if user_ids:
        text += "\n" + listed_within(
            [f"<@{user_id}>" for user_id in user_ids],
            SECTION_MAX - len(text) - 1,
            lambda more: f" and {more} more: `/engage opportunity list` has them all",
        )
    return {
        "text": f"Reminder: {escape_mrkdwn(opportunity.title)} is tomorrow.",
        "blocks": [section(text)],
    }


def log_prompt_message(*, opportunity: Opportunity, taken: int) -> dict[str, Any]:
    """The organiser's direct message the day after, with the button to log it."""
    title = escape_mrkdwn(opportunity.title)
    text = (
        f":memo: *{title}* took place on {_day(opportunity.happens_on)}, with {taken} of "
        f"{opportunity.places} places taken. Log it as an engagement, so it counts in your "
        "team's record: the form is filled in from the opportunity."
    )
    return {
        "text": f"Log {title} as an engagement.",
        "blocks": [
            section(text),
            actions(
                f"opportunity_log_{opportunity.id}",
                button("Log this engagement", LOG_ACTION, str(opportunity.id), style="primary"),
            ),
        ],
    }


def _taken(opportunity: Opportunity, user_ids: Sequence[str]) -> str:
    """How many have a place, above their names."""
    if not user_ids:
        return f"Nobody has signed up yet ({opportunity.places} places)."
    return f"{len(user_ids)} of {opportunity.places} places taken:"


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"
