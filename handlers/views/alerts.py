"""The alerts ahead of an upcoming change, as posted: each says the real time left."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.base.text import escape_mrkdwn, preview
from bot.changes.alerts import ChangeNotice
from handlers.views.blocks import actions, context, section
from handlers.views.changes import comment_button, long_date

DESCRIPTION_PREVIEW = 500


def when(today: date, day: date) -> str:
    """How far off `day` is: "today, Friday 15 January 2027", "tomorrow, ...", or
    "in 5 days, on ..."."""
    days = (day - today).days
    if days in (0, 1):
        return f"{'today' if days == 0 else 'tomorrow'}, {long_date(day)}"
    return f"in {days} days, on {long_date(day)}"


def reminder_message(notice: ChangeNotice) -> dict[str, Any]:
    """To a channel, on a lead day: the change and how long until it takes effect."""
    title, output = escape_mrkdwn(notice.title), escape_mrkdwn(notice.output)
    takes_effect = f"takes effect {when(notice.today, notice.effective_on)}"
    blocks = [
        section(f":calendar: *Reminder:* a change to *{output}* {takes_effect}."),
        _change(notice),
    ]
    if notice.feedback_by is not None and notice.today <= notice.feedback_by:
        blocks.append(context(f"Feedback on it is welcome until {long_date(notice.feedback_by)}."))
    blocks.append(_comment(notice))
    return {"text": f"Reminder: {title} {takes_effect}.", "blocks": blocks}


def feedback_closes_message(notice: ChangeNotice) -> dict[str, Any]:
    """To a channel, the day before the feedback-by date (or on it, if sent late)."""
    assert notice.feedback_by is not None  # only planned for changes that have one
    title, output = escape_mrkdwn(notice.title), escape_mrkdwn(notice.output)
    closes = f"closes {when(notice.today, notice.feedback_by)}"
    return {
        "text": f"Feedback on {title} {closes}.",
        "blocks": [
            section(f":hourglass_flowing_sand: Feedback on a change to *{output}* {closes}."),
            _change(notice),
            context(f"The change takes effect on {long_date(notice.effective_on)}."),
            _comment(notice),
        ],
    }


def in_effect_message(notice: ChangeNotice) -> dict[str, Any]:
    """To a channel, on the day the change takes effect (or, late, saying when it did)."""
    title, output = escape_mrkdwn(notice.title), escape_mrkdwn(notice.output)
    day = long_date(notice.effective_on)
    status = (
        f"in effect from today, {day}"
        if notice.today == notice.effective_on
        else f"took effect on {day}"
    )
    return {
        "text": f"{title}: {status}.",
        "blocks": [
            section(f":white_check_mark: A change to *{output}*: {status}."),
            _change(notice),
        ],
    }


def staff_message(notice: ChangeNotice) -> dict[str, Any]:
    """To someone who recorded users' feedback on the output: pass the news on."""
    output = escape_mrkdwn(notice.output)
    takes_effect = f"takes effect {when(notice.today, notice.effective_on)}"
    return {
        "text": f"A change to {output}, which you recorded feedback on, {takes_effect}.",
        "blocks": [
            section(
                f":wave: You recorded users' feedback on *{output}* in the past year. "
                f"A change to it {takes_effect}:"
            ),
            _change(notice),
            section(
                "Please tell the users who gave you that feedback, so that they hear of it "
                "before it happens."
            ),
        ],
    }


def _change(notice: ChangeNotice) -> dict[str, Any]:
    return section(
        f"*{escape_mrkdwn(notice.title)}*\n{preview(notice.description, DESCRIPTION_PREVIEW)}"
    )


def _comment(notice: ChangeNotice) -> dict[str, Any]:
    return actions(f"change_{notice.change_id}", comment_button(notice.change_id))
