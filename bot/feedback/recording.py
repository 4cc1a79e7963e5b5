"""Recording a piece of feedback from a user: what makes it valid, and saving it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from bot.base.text import LONG_TEXT_MAX, ORGANISATION_MAX, THEME_MAX, blank_to_none
from bot.base.validation import (
    DEFAULT_EARLIEST_DATE,
    FieldErrors,
    Invalid,
    check_names,
    check_optional_text,
    check_past_date,
    check_required_text,
    still_there,
)
from bot.base.vocabulary import FEEDBACK_CHANNELS
from bot.entries.filing import (
    Filed,
    TeamUnclear,
    Typed,
    Undo,
    file_typed,
    file_with_register,
    undo_entry,
)
from bot.feedback.decisions import merged_undo_refusal
from storage.clock import utc_now
from storage.database import Database
from storage.entries import entry_from_source
from storage.models import (
    AudienceSegment,
    Feedback,
    ProducerTeam,
    StatisticalOutput,
    UpcomingChange,
)
from storage.reference import organisations_named, themes_named
from storage.teams import remember_team
from storage.types import flushed_id

THEMES_MAX = 20
# An email address as HTML's <input type=email> takes one (WHATWG's rule), with a dot in
# its domain: no comments, quotes or angle brackets, which no To: header could carry.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL = re.compile(rf"[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+\Z")


@dataclass
class FeedbackDraft:
    """Feedback as typed; the team may be left out when the output says whose it is."""

    text: str
    team_id: int | None = None
    received_on: date | None = None
    organisation: str | None = None
    segment_id: int | None = None
    output_id: int | None = None
    channel: str | None = None
    themes: list[str] = field(default_factory=list)
    contact_agreed: bool = False
    contact_name: str | None = None
    contact_email: str | None = None
    source_permalink: str | None = None
    change_id: int | None = None  # the upcoming change it comments on


def feedback_problems(
    draft: FeedbackDraft, *, today: date, earliest: date = DEFAULT_EARLIEST_DATE
) -> FieldErrors:
    """What is wrong with the draft on its own, before the database is asked; `earliest`
    is the first date one may be dated (ENGAGEBOT_EARLIEST_DATE)."""
    errors: FieldErrors = {}
    check_past_date(errors, "received_on", draft.received_on, today, earliest)
    if draft.team_id is None and draft.output_id is None:
        errors["team"] = "Choose the team this feedback is for."
    if draft.organisation:
        check_names(errors, "organisation", "Organisation", [draft.organisation], ORGANISATION_MAX)
    if draft.channel is not None and draft.channel not in FEEDBACK_CHANNELS:
        errors["channel"] = f"Unknown way in '{draft.channel}'."
    check_required_text(errors, "text", "The feedback", draft.text, LONG_TEXT_MAX)
    check_names(errors, "themes", "Theme", draft.themes, THEME_MAX)
    if len(draft.themes) > THEMES_MAX:
        errors["themes"] = f"Give at most {THEMES_MAX} themes."
    check_optional_text(errors, "contact_name", "The contact name", draft.contact_name, 120)
    if draft.contact_email and not EMAIL.match(draft.contact_email.strip()):
        errors["contact_email"] = "That doesn't look like an email address."
    if (blank_to_none(draft.contact_name) or blank_to_none(draft.contact_email)) and not (
        draft.contact_agreed
    ):
        # Personal data is kept only for contacting the person, so only with their agreement.
        errors["contact_agreed"] = (
            "Keep a name or email only if they agreed to be contacted: tick the box, "
            "or leave both empty."
        )
    return errors


def save_feedback(
    *,
    session: Session,
    draft: FeedbackDraft,
    today: date,
    earliest: date = DEFAULT_EARLIEST_DATE,
    user_id: str | None,
    feedback_id: int | None = None,
    source_key: str | None = None,
    status: str | None = None,
) -> Feedback:
    """Create the feedback item (status `new`), or update `feedback_id`; raise `Invalid`.

    A `source_key` already used returns the item it created: a retried Slack request
    must not record twice. `status` is only given by an import.
    """
    if source_key is not None and feedback_id is None:
        existing = entry_from_source(session=session, model=Feedback, source_key=source_key)
        if existing is not None:
            return existing
    errors = feedback_problems(draft, today=today, earliest=earliest)
    output = still_there(
        session, StatisticalOutput, draft.output_id, errors, "output", "That output"
    )
    team_id = draft.team_id if draft.team_id is not None else output.team_id if output else None
    team = still_there(session, ProducerTeam, team_id, errors, "team", "That team")
    if output is not None and team is not None and output.team_id != team.id:
        errors["output"] = f"Choose an output of {team.name}."
    change = still_there(
        session, UpcomingChange, draft.change_id, errors, "team", "The change this comments on"
    )
    if change is not None and team is not None and change.team_id != team.id:
        errors["team"] = f"This comments on a change of {change.team.name}: keep that team."
    still_there(
        session, AudienceSegment, draft.segment_id, errors, "segment", "That audience segment"
    )
    item = still_there(
        session,
        Feedback,
        feedback_id,
        errors,
        "text",
        f"Feedback #{feedback_id}",
        " (it may have been undone)",
    )
    if errors:
        raise Invalid(errors)
    assert team is not None and team.id is not None
    if item is None:
        item = Feedback(
            team_id=team.id, received_on=today, text="", recorded_by=user_id, source_key=source_key
        )
    item.team_id = team.id
    # mypy: the draft's checks refuse one without it.
    item.received_on = draft.received_on  # type: ignore[assignment]
    item.text = draft.text.strip()
    item.segment_id = draft.segment_id
    item.output_id = draft.output_id
    item.channel = draft.channel
    item.contact_agreed = draft.contact_agreed
    item.contact_name = blank_to_none(draft.contact_name)
    item.contact_email = blank_to_none(draft.contact_email)
    item.source_permalink = blank_to_none(draft.source_permalink) or item.source_permalink
    item.change_id = draft.change_id or item.change_id
    if status is not None:
        item.status = status
    organisation = blank_to_none(draft.organisation)
    # An organisation with no segment takes the one its feedback came from, if recorded.
    item.organisation = (
        organisations_named(session=session, names=[organisation], segment_id=draft.segment_id)[0]
        if organisation
        else None
    )
    item.themes = themes_named(session=session, names=draft.themes)
    item.updated_at = utc_now()
    session.add(item)
    if user_id and draft.change_id is None:
        # Commenting on a change, as anyone may (people of other organisations too), is
        # not working in its team.
        remember_team(session=session, user_id=user_id, team_id=team.id)
    session.flush()
    return item


def record_feedback(database: Database, typed: Typed) -> Filed | TeamUnclear:
    """`/engage feedback <text>`: the item, recorded at once as received today for the team
    `file_typed` finds. Raise `Invalid` and write nothing."""

    def save(session: Session, team: ProducerTeam) -> Filed:
        item = save_feedback(
            session=session,
            draft=FeedbackDraft(text=typed.text, team_id=team.id, received_on=typed.today),
            today=typed.today,
            earliest=typed.earliest,
            user_id=typed.user_id,
            source_key=typed.source_key,
        )
        return Filed(flushed_id(item), item.text, team.name)

    return file_typed(database, typed, save)


def save_feedback_form(
    database: Database,
    draft: FeedbackDraft,
    *,
    today: date,
    earliest: date,
    user_id: str | None,
    feedback_id: int | None,
    source_key: str | None,
) -> Filed:
    """The feedback form's save (`save_feedback`), in one transaction. Raise `Invalid` and
    write nothing."""

    def save(session: Session) -> Filed:
        item = save_feedback(
            session=session,
            draft=draft,
            today=today,
            earliest=earliest,
            user_id=user_id,
            feedback_id=feedback_id,
            source_key=source_key,
        )
        return Filed(flushed_id(item), item.text, item.team.name)

    organisation = blank_to_none(draft.organisation)  # as save_feedback names it
    return file_with_register(database, [organisation] if organisation else [], save)


def undo_feedback(database: Database, feedback_id: int, user_id: str) -> Undo:
    """Undo: delete the item, if `user_id` recorded it and no other was merged into it."""
    return undo_entry(
        database,
        Feedback,
        feedback_id,
        user_id,
        owner_of=lambda record: record.recorded_by,
        refusal=lambda session, record: merged_undo_refusal(session=session, feedback=record),
    )
