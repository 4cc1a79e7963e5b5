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

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    and_,
    bindparam,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col

from storage.feedback import MERGED
from storage.models import Feedback, FeedbackDecision
from storage.organisation_contacts import any_changed, chunks
from storage.types import table_of

# What an item's first response depends on in its history: a changed note leaves it alone.
_FIRST_RESPONSE_FROM = ("feedback_id", "from_status", "to_status", "decided_at")


def keep_first_responses_current(session_class: type[Session]) -> None:
    """Work out again the first responses of the items whose history a flush writes, in
    every session of `session_class`."""
    event.listen(session_class, "after_flush", _refresh_after_flush)


def status_change(decision: type[FeedbackDecision]) -> ColumnElement[bool]:
    """A history entry that changed the status; not a merge's entries, which say `merged`
    on the item merged away and keep the status as it was on the item kept."""
    to_status = col(decision.to_status)
    return and_(to_status != decision.from_status, to_status != MERGED)


_TABLE = table_of(Feedback)
_DECISION = aliased(FeedbackDecision)
_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
# On PostgreSQL, one writer at a time works an item's out, and it reads the history the
# one before it committed (SQLite has one writer anyway).
_LOCK = (
    select(_TABLE.c.id)
    .where(_TABLE.c.id.in_(_IDS))
    .order_by(_TABLE.c.id)
    .with_for_update(key_share=True)
)
_REFRESH = (
    update(_TABLE)
    .where(_TABLE.c.id.in_(_IDS))
    .values(
        first_response_at=select(func.min(_DECISION.decided_at))
        .where(col(_DECISION.feedback_id) == _TABLE.c.id, status_change(_DECISION))
        .scalar_subquery()
    )
    .returning(_TABLE.c.id, _TABLE.c.first_response_at)
)


def _refresh_after_flush(session: Session, _context: Any) -> None:
    # After the flush, `new`, `dirty` and `deleted` still list what it wrote, and a moved
    # entry's history still holds the item it moved from.
    ids: set[int] = set()
    for item in (*session.new, *session.dirty, *session.deleted):
        if isinstance(item, FeedbackDecision) and (
            item not in session.dirty or any_changed(item, _FIRST_RESPONSE_FROM)
        ):
            ids.add(item.feedback_id)
            ids.update(inspect(item).attrs.feedback_id.history.deleted or ())
    if not ids:
        return
    connection = session.connection()
    for chunk in chunks(sorted(ids)):
        connection.execute(_LOCK, {"ids": chunk}).all()
        firsts = connection.execute(_REFRESH, {"ids": chunk}).all()
        # The items this session holds show the new value too, without reading them again.
        for item_id, moment in firsts:
            item = session.identity_map.get(identity_key(Feedback, item_id))
            if item is not None:
                set_committed_value(item, "first_response_at", moment)
