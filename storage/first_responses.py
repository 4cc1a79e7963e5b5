"""Each feedback item's first response (`Feedback.first_response_at`: when its status first
changed), kept right on every write, so a review reads it from the item (through the
index it reads the period's items by) instead of searching each item's history.

Whatever writes decisions (a decision from Slack, a merge, an import, a test's fixture),
it goes through a session flush, and `keep_first_responses_current` hooks it: after the
flush, every item whose history it wrote has its first response worked out again from
that history. Undo deletes an item with its history: nothing is left to work out.

Only ORM writes are seen: SQL run past the ORM (`bench/generate.py`'s bulk loads) writes
the first responses itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, event, func, inspect, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from storage.feedback import MERGED
from storage.models import Feedback, FeedbackDecision
from storage.organisation_contacts import chunks


def keep_first_responses_current(session_class: type[Session]) -> None:
    """Work out again the first responses of the items whose history a flush writes, in
    every session of `session_class`."""
    event.listen(session_class, "after_flush", _refresh_after_flush)


def status_change(decision: Any) -> Any:
    """A history entry that changed the status; not a merge's entries, which say `merged`
    on the item merged away and keep the status as it was on the item kept."""
    return and_(decision.to_status != decision.from_status, decision.to_status != MERGED)


def _refresh_after_flush(session: Session, _context: Any) -> None:
    # After the flush, `new`, `dirty` and `deleted` still list what it wrote, and a moved
    # entry's history still holds the item it moved from.
    ids: set[int] = set()
    for item in (*session.new, *session.dirty, *session.deleted):
        if isinstance(item, FeedbackDecision):
            ids.add(item.feedback_id)
            ids.update(inspect(item).attrs.feedback_id.history.deleted or ())
    if not ids:
        return
    decision = aliased(FeedbackDecision)
    first = (
        select(func.min(decision.decided_at))
        .where(decision.feedback_id == Feedback.id, status_change(decision))
        .scalar_subquery()
    )
    table = Feedback.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    for chunk in chunks(sorted(ids)):
        # On PostgreSQL, one writer at a time works an item's out, and it reads the history
        # the one before it committed (SQLite has one writer anyway).
        connection.execute(
            select(table.c.id)
            .where(table.c.id.in_(chunk))
            .order_by(table.c.id)
            .with_for_update(key_share=True)
        ).all()
        connection.execute(
            update(table).where(table.c.id.in_(chunk)).values(first_response_at=first)
        )
    # The items this session holds would otherwise show the value from before.
    for item in session.identity_map.values():
        if isinstance(item, Feedback) and item.id in ids:
            session.expire(item, ["first_response_at"])
