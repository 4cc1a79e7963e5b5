"""Upcoming changes: the form, the cancel form, the team's list, and the notices channels get.

The notices are rendered when sent, from the change as it is then (bot/deliveries/scheduler.py):
an announcement of a revision since edited, or of a change since cancelled, is skipped.
An update notice says what its revision changed, as its delivery's note tells.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.text import LONG_TEXT_MAX, escape_mrkdwn, listed_within, preview
from bot.changes.announcing import (
    DATE_FIELDS,
    DESCRIPTION,
    EFFECTIVE_ON,
    FEEDBACK_BY,
    OUTPUT,
    REASON_MAX,
    SEGMENTS,
    TEAM,
    TITLE,
    TITLE_MAX,
    Difference,
    Revision,
)
from bot.changes.subscriptions import Target
from bot.deliveries.scheduler import Message
from handlers.views.blocks import (
    Block,
    actions,
    button,
    context,
    external_select,
    input_block,
    modal,
    multi_static_select,
    option,
    options,
    packed_sections,
    plain,
    section,
    text_input,
)
from handlers.views.limits import SECTION_MAX
from storage.changes import CANCELLED
from storage.models import AudienceSegment, Delivery, ProducerTeam, UpcomingChange
from storage.types import flushed_id

CALLBACK_ID = "change_form"
CANCEL_CALLBACK_ID = "change_cancel_form"
EDIT_ACTION = "change_edit"
CANCEL_ACTION = "change_cancel"
COMMENT_ACTION = "change_comment"
LIST_LIMIT = 20  # changes a list shows: two blocks each, within Slack's 50 a message
# What an update notice calls each thing an edit may change.
CHANGED_LABELS = {
    TEAM: "Team",
    OUTPUT: "Output",
    TITLE: "Title",
    DESCRIPTION: "Description",
    EFFECTIVE_ON: "Takes effect",
    FEEDBACK_BY: "Feedback wanted by",
    SEGMENTS: "Who is affected",
}


def long_date(day: date) -> str:
    """As in "Monday 1 March 2027"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def change_modal(
    *,
    segments: Sequence[AudienceSegment],
    metadata: str,
    change: UpcomingChange | None = None,
    team: ProducerTeam | None = None,
) -> dict[str, Any]:
    """The form to announce a change for `team`, or to edit `change` (prefilled)."""
    team = change.team if change is not None else team
    output = change.output if change is not None else None
    blocks = [
        input_block(
            "team", "Team", external_select(option(team.name, str(team.id)) if team else None)
        ),
        input_block(
            "output",
            "Which output is changing",
            external_select(option(output.name, str(output.id)) if output else None),
        ),
        input_block(
            "title",
            "Title",
            text_input(change.title if change else None, max_length=TITLE_MAX),
        ),
        input_block(
            "description",
            "What is changing and why",
            text_input(
                change.description if change else None, multiline=True, max_length=LONG_TEXT_MAX
            ),
        ),
        input_block(
            "effective_on", "Takes effect on", _date_picker(change.effective_on if change else None)
        ),
        input_block(
            "feedback_by",
            "Feedback wanted by",
            _date_picker(change.feedback_by if change else None),
            optional=True,
            hint="The last day for comments, before the change takes effect.",
        ),
        input_block(
            "segments",
            "Who is affected",
            multi_static_select(
                options((str(segment.id), segment.name) for segment in segments),
                [str(segment.id) for segment in change.segments] if change else (),
            ),
            optional=True,
        ),
    ]
    if change is None:
        return modal(
            CALLBACK_ID, "Announce a change", blocks, submit="Announce", private_metadata=metadata
        )
    blocks.insert(0, context("Saving posts an update notice wherever the change was announced."))
    return modal(
        CALLBACK_ID,
        f"Edit change #{change.id}",
        blocks,
        submit="Announce update",
        private_metadata=metadata,
    )


def _date_picker(initial: date | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker"}
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return element


def cancel_modal(*, change: UpcomingChange, metadata: str) -> dict[str, Any]:
    """Asks why the change is cancelled: the reason is shown in the cancellation notice."""
    blocks = [
        section(f"Cancel change *#{change.id}*: {_about(change)}?"),
        input_block(
            "reason",
            "Why is it cancelled?",
            text_input(multiline=True, max_length=REASON_MAX),
            hint="Shown in the notice to every channel that heard about the change.",
        ),
    ]
    view = modal(
        CANCEL_CALLBACK_ID,
        f"Cancel change #{change.id}",
        blocks,
        submit="Cancel the change",
        private_metadata=metadata,
    )
    return {**view, "close": plain("Keep it")}


def done_modal(
    *, change: UpcomingChange, verb: str, channels: Sequence[str], emailed: int = 0
) -> dict[str, Any]:
    """What the form turns into once saved ("Announced", "Updated", "Cancelled"): where the
    notice is going (as many channels as a section holds; the command listing the channels
    that hear about the change's output names the rest), and to how many email subscribers."""
    text = f":white_check_mark: {verb} change *#{change.id}*: {_about(change)}.\n"
    if emailed:
        text += f"It is being emailed to {emailed} subscriber{'' if emailed == 1 else 's'}.\n"
    if channels:
        lead = f"{text}The notice is going to "
        target = escape_mrkdwn(Target(change.team, change.output).label)
        listing = f"`/engage subscribe list {target}`"
        mentions = [f"<#{channel}>" for channel in channels]
        text = lead + listed_within(
            mentions,
            SECTION_MAX - len(lead) - 1,
            lambda more: f" and {more} more channels: {listing} lists them all",
        )
        text += "."
    else:
        team = escape_mrkdwn(change.team.name)
        text += (
            f"No channel hears about the changes of {team} yet: give the team a home channel "
            f"with `/engage team`, or subscribe one with `/engage subscribe {team}`."
        )
    return modal("change_saved", f"Change {verb.lower()}", [section(text)], submit=None)


def unchanged_modal(change: UpcomingChange) -> dict[str, Any]:
    """What the edit form turns into when it was saved as it was."""
    text = (
        f"Nothing changed, so no update was sent. Change *#{change.id}* stays as announced: "
        f"{_about(change)}."
    )
    return modal("change_saved", "Nothing changed", [section(text)], submit=None)


def changes_list_message(
    *, team_name: str, changes: Sequence[UpcomingChange], total: int
) -> dict[str, Any]:
    """The team's next `changes` (of `total`), each with Edit and Cancel buttons."""
    team = escape_mrkdwn(team_name)
    if not changes:
        text = f"{team} has no upcoming changes. Announce one with `/engage change`."
        return {"response_type": "ephemeral", "text": text, "blocks": [section(text)]}
    blocks: list[Block] = [section(f"*Upcoming changes for {team}*, soonest first:")]
    for change in changes:
        blocks.append(
            section(f"*#{change.id} {escape_mrkdwn(change.title)}*\n{_listed_line(change)}")
        )
        blocks.append(
            actions(
                f"change_{change.id}",
                button("Edit", EDIT_ACTION, str(change.id)),
                button("Cancel", CANCEL_ACTION, str(change.id), style="danger"),
            )
        )
    if total > len(changes):
        blocks.append(context(f"Showing the next {len(changes)} of {total} upcoming changes."))
    return {
        "response_type": "ephemeral",
        "text": f"Upcoming changes for {team}: {total}.",
        "blocks": blocks,
    }


def comment_button(change_id: int) -> dict[str, Any]:
    return button("Comment on this change", COMMENT_ACTION, str(change_id), style="primary")


def comment_note(change: UpcomingChange) -> str:
    """Heads the feedback form opened by "Comment on this change"."""
    return f"Your comment on {_about(change)} goes to {escape_mrkdwn(change.team.name)}."


def announcement_message(change: UpcomingChange, differences: Sequence[Difference] = ()) -> Message:
    """The announcement of a change, or (after an edit) the notice of its update, saying
    what the edit changed."""
    output, team = escape_mrkdwn(change.output.name), escape_mrkdwn(change.team.name)
    title = escape_mrkdwn(change.title)
    updated = change.revision > 1
    headline = (
        f":pencil2: *Updated: upcoming change* to *{output}* ({team})"
        if updated
        else f":mega: *Upcoming change* to *{output}* ({team})"
    )
    facts = [f"*Takes effect:* {long_date(change.effective_on)}"]
    if change.feedback_by is not None:
        facts.append(f"*Feedback wanted by:* {long_date(change.feedback_by)}")
    if change.segments:
        affected = ", ".join(segment.name for segment in change.segments)
        facts.append(f"*Who is affected:* {escape_mrkdwn(affected)}")
    blocks = [section(f"{headline}\n*{title}*")]
    if differences:
        changed = [f"• {_difference(difference)}" for difference in differences]
        blocks += packed_sections(
            ["*What changed:*", *changed],
            len(CHANGED_LABELS),  # a line each at most: never more sections than this
            lambda more: f"…and {more} more changes.",
        )
    blocks += [
        *(section(part) for part in _escaped_parts(change.description)),
        section("\n".join(facts)),
        actions(f"change_{change.id}", comment_button(flushed_id(change))),
    ]
    if updated:
        blocks.append(context(f"Change #{change.id}, update {change.revision - 1}."))
    else:
        blocks.append(context(f"Change #{change.id}. Comments go to {team}."))
    prefix = "Updated change" if updated else "Upcoming change"
    return {"text": f"{prefix} to {output}: {title}", "blocks": blocks}


def cancellation_message(change: UpcomingChange) -> Message:
    """The notice that a change announced earlier will not happen, and why."""
    text = (
        f":no_entry_sign: *Cancelled:* {_about(change)}, announced to take effect on "
        f"{long_date(change.effective_on)}, will not happen."
    )
    reason = _escaped_parts(change.cancel_reason or "")
    return {
        "text": f"Cancelled: {escape_mrkdwn(change.title)}",
        "blocks": [section(f"{text}\n*Why:*"), *(section(part) for part in reason)],
    }


def render_announcement(
    session: Session, delivery: Delivery, _zone: ZoneInfo, _at: datetime
) -> Message | None:
    """A revision's notice, unless the change was edited again or cancelled since."""
    change = session.get(UpcomingChange, delivery.subject_id)
    if change is None or change.status == CANCELLED:
        return None
    revision = Revision.from_note(delivery.note)
    if revision is None or revision.number != change.revision:
        return None  # edited again since: the later notice tells what is true now
    return announcement_message(change, revision.differences)


def render_cancellation(
    session: Session, delivery: Delivery, _zone: ZoneInfo, _at: datetime
) -> Message | None:
    """The cancellation notice (only ever queued once the change is cancelled)."""
    change = session.get(UpcomingChange, delivery.subject_id)
    if change is None or change.status != CANCELLED:
        return None
    return cancellation_message(change)


def _about(change: UpcomingChange) -> str:
    """The change in a few words, as safe mrkdwn: its title, output and team."""
    return (
        f"*{escape_mrkdwn(change.title)}* ({escape_mrkdwn(change.output.name)}, "
        f"{escape_mrkdwn(change.team.name)})"
    )


def _difference(difference: Difference) -> str:
    """One line of what changed: "Takes effect: now Friday 22 January 2027 (was ...)", or
    "Title changed" where the notice shows only what it is now."""
    label = CHANGED_LABELS[difference.field]
    if difference.field in DATE_FIELDS:
        before, after = (
            long_date(date.fromisoformat(day)) if day else "no date"
            for day in (difference.before, difference.after)
        )
    elif difference.before is not None and difference.after is not None:
        before, after = escape_mrkdwn(difference.before), escape_mrkdwn(difference.after)
    else:
        return f"{label} changed"
    return f"{label}: now {after} (was {before})"


def _listed_line(change: UpcomingChange) -> str:
    parts = [escape_mrkdwn(change.output.name), f"takes effect {long_date(change.effective_on)}"]
    if change.feedback_by is not None:
        parts.append(f"feedback by {long_date(change.feedback_by)}")
    return " · ".join(parts) + f" · {preview(change.description, 150)}"


def _escaped_parts(text: str) -> list[str]:
    """User text escaped, in pieces that each fit a section (escaping lengthens it)."""
    parts = [""]
    for char in text:
        piece = escape_mrkdwn(char)
        if len(parts[-1]) + len(piece) > SECTION_MAX:
            parts.append("")
        parts[-1] += piece
    return parts
