"""Deciding on feedback: its status moves on, and every move is kept with a public note.

new -> under consideration -> planned -> done, or not planned at any point. A note is
required where users are owed an explanation: what changed ("done"), or why not
("not planned"). Any other move is allowed too, so that a decision can be revisited.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.text import LONG_TEXT_MAX, blank_to_none
from bot.validation import FieldErrors, Invalid, check_optional_text
from bot.vocabulary import FEEDBACK_STATUSES
from storage.models import Feedback, FeedbackDecision
from storage.types import utc_now

NOTE_REQUIRED = {
    "done": "Say what changed: this note is what users are told.",
    "not_planned": "Give the reason it is not planned: this note is what users are told.",
}


def decide(
    *, session: Session, feedback_id: int, to_status: str | None, note: str | None, user_id: str
) -> tuple[Feedback, FeedbackDecision]:
    """Move the item to `to_status`, keeping the move in its history; raise `Invalid`."""
    errors: FieldErrors = {}
    item = session.get(Feedback, feedback_id)
    if item is None:
        errors["status"] = f"Feedback #{feedback_id} no longer exists."
    elif to_status not in FEEDBACK_STATUSES:
        errors["status"] = "Choose the new status."
    elif to_status == item.status:
        errors["status"] = f"It is already {FEEDBACK_STATUSES[to_status].lower()}."
    if to_status in NOTE_REQUIRED and not blank_to_none(note):
        errors["note"] = NOTE_REQUIRED[to_status]
    check_optional_text(errors, "note", "The note", note, LONG_TEXT_MAX)
    if errors:
        raise Invalid(errors)
    assert item is not None and to_status is not None
    decision = FeedbackDecision(
        feedback_id=feedback_id,
        from_status=item.status,
        to_status=to_status,
        note=blank_to_none(note),
        decided_by=user_id,
    )
    item.status = to_status
    item.updated_at = utc_now()
    session.add_all([item, decision])
    session.flush()
    return item, decision
