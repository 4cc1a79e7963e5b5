"""Deciding on feedback: its status moves on, and every move is kept with a public note.

new -> under consideration -> planned -> done, or not planned at any point. A note is
required where users are owed an explanation: what changed ("done"), or why not
("not planned"). Any other move is allowed too, so that a decision can be revisited.

Feedback sent from the public site by someone who asked for a reply is emailed each public
note decided on it (`wants_reply`), through the delivery outbox.

Two items saying the same thing are merged: one is kept, the other leaves every list and
its history and themes go with the one kept. A merge is a history entry on both, not a
status: the item kept carries on deciding for both.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from bot.base.text import LONG_TEXT_MAX, blank_to_none
from bot.base.validation import (
    FieldErrors,
    Invalid,
    check_optional_text,
    is_record_id,
    no_longer_exists,
)
from bot.base.vocabulary import FEEDBACK_STATUSES, WEB
from storage.clock import utc_now
from storage.deliveries import Due, enqueue
from storage.email_subscriptions import reply_target
from storage.feedback import MERGED, items_merged_into, open_feedback
from storage.models import Feedback, FeedbackDecision
from storage.types import flushed_id

REPLY_KIND = "feedback_reply"  # the delivery emailing a decision's note to the sender
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
        errors["status"] = no_longer_exists(f"Feedback #{feedback_id}")
    elif item.merged_into_id is not None:
        errors["status"] = merged_away(item)
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
    if decision.note and wants_reply(item):
        enqueue(session=session, dues=[reply_due(item, decision)])
    return item, decision


def wants_reply(item: Feedback) -> bool:
    """Whether the item came from the public site (nobody in Slack recorded it) from
    someone who left an email address and agreed to be replied to: each public note of a
    decision on it is then emailed to them."""
    return (
        item.channel == WEB
        and item.recorded_by is None
        and item.contact_agreed
        and bool(item.contact_email)
    )


def reply_due(item: Feedback, decision: FeedbackDecision) -> Due:
    """The email telling the sender of `item` the `decision` and its public note, sent on the
    scheduler's next tick (`handlers/web/emails.py: reply_email`)."""
    assert item.id is not None and decision.id is not None
    return Due(
        key=f"feedback:{item.id}:reply:{decision.id}",
        kind=REPLY_KIND,
        target=reply_target(item.id),
        due_at=utc_now(),
        team_id=item.team_id,
        subject_id=decision.id,
    )


def merged_away(item: Feedback) -> str:
    """Why `item` takes no decision of its own: it was merged."""
    return f"Feedback #{item.id} was merged into #{item.merged_into_id}: decide on that one."


def merge_targets(
    *, session: Session, feedback_id: int, limit: int
) -> tuple[Feedback, Sequence[Feedback], bool]:
    """The item, the oldest open items of its team (at most `limit`) it could be merged
    into, and whether there are more; raise `Invalid` (on "into") when it can't be merged
    or there is nothing to merge it into."""
    item = session.get(Feedback, feedback_id)
    if item is None:
        raise Invalid({"into": _missing(feedback_id)})
    if item.merged_into_id is not None:
        raise Invalid({"into": merged_away(item)})
    # Two more than shown: the item itself may be among them, and one more says "more".
    others = [
        other
        for other in open_feedback(session=session, team_id=item.team_id, limit=limit + 2)
        if other.id != feedback_id
    ]
    if not others:
        raise Invalid(
            {"into": f"{item.team.name} has no other open item to merge #{feedback_id} into."}
        )
    return item, others[:limit], len(others) > limit


def merge(
    *, session: Session, keep_id: int | None, merge_id: int, user_id: str
) -> tuple[Feedback, Feedback]:
    """Merge item `merge_id` into `keep_id`; return (kept, merged). Raise `Invalid`, naming
    "item" (the one merged away) or "into" (the one kept); nothing is written then.

    The merged item's row stays, readable as the kept item's history; items merged into it
    earlier now point at the kept item too, so every merged item names one that is not.
    """
    # Only numbers an id can be are asked for (a typed one may be too large for the column).
    ids = [i for i in (merge_id, keep_id) if i is not None and is_record_id(i)]
    # Locked in id order, so that two merges at once wait for each other without deadlock.
    found = session.exec(
        select(Feedback)
        .where(col(Feedback.id).in_(ids))
        .order_by(col(Feedback.id))
        .with_for_update()
    ).all()
    items = {item.id: item for item in found}
    merged, kept = items.get(merge_id), items.get(keep_id)
    errors: FieldErrors = {}
    if merged is None:
        errors["item"] = _missing(merge_id)
    elif merged.merged_into_id is not None:
        errors["item"] = f"Feedback #{merge_id} is already merged into #{merged.merged_into_id}."
    if keep_id is None:
        errors["into"] = "Choose the item to keep."
    elif keep_id == merge_id:
        errors["into"] = "An item can't be merged into itself: choose another."
    elif kept is None:
        errors["into"] = _missing(keep_id)
    elif kept.merged_into_id == merge_id:
        errors["into"] = f"Feedback #{keep_id} is already merged into #{merge_id}."
    elif kept.merged_into_id is not None:
        errors["into"] = (
            f"Feedback #{keep_id} was itself merged into #{kept.merged_into_id}: "
            "merge into that one."
        )
    elif merged is not None and kept.team_id != merged.team_id:
        errors["into"] = (
            f"Feedback #{keep_id} belongs to {kept.team.name} and #{merge_id} to "
            f"{merged.team.name}: only items of the same team can be merged."
        )
    if errors:
        raise Invalid(errors)
    assert merged is not None and kept is not None and keep_id is not None
    for earlier in items_merged_into(session=session, feedback_id=merge_id):
        earlier.merged_into_id = keep_id
        session.add(earlier)
    merged.merged_into_id = keep_id
    kept.themes = [*kept.themes, *(t for t in merged.themes if t not in kept.themes)]
    session.add_all(
        [
            FeedbackDecision(
                feedback_id=merge_id,
                from_status=merged.status,
                to_status=MERGED,
                note=f"Merged into #{keep_id}.",
                decided_by=user_id,
            ),
            FeedbackDecision(
                feedback_id=keep_id,
                from_status=kept.status,
                to_status=kept.status,
                note=f"#{merge_id} merged into this item.",
                merged_id=merge_id,
                decided_by=user_id,
            ),
        ]
    )
    merged.updated_at = kept.updated_at = utc_now()
    session.add_all([merged, kept])
    session.flush()
    return kept, merged


def _missing(feedback_id: int) -> str:
    return f"There is no feedback #{feedback_id} (it may have been undone)."


def merged_undo_refusal(*, session: Session, feedback: Feedback) -> str | None:
    """Why an item may not be undone: others were merged into it and live on only in it."""
    merged = items_merged_into(session=session, feedback_id=flushed_id(feedback))
    if not merged:
        return None
    numbers = ", ".join(f"#{item.id}" for item in merged)
    return (
        f":no_entry: Feedback #{feedback.id} can't be undone: {numbers} "
        f"{'was' if len(merged) == 1 else 'were'} merged into it. Nothing was deleted."
    )
