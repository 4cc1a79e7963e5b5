"""The public site's rate limits, counted in the database so that every process and
replica shares them (`bot/public/rate_limits.py` says what is allowed).

One statement a count: an upsert that adds one to the sender's row for the hour and
returns the new count, so two processes counting at once both see the other's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import FormCount


def count_form(*, session: Session, sender: str, window_start: datetime) -> int:
    """Add one to `sender`'s forms of the window from `window_start`: the count now."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(FormCount).values(sender=sender, window_start=window_start, count=1)
    counted: int = session.execute(
        statement.on_conflict_do_update(
            index_elements=["sender", "window_start"],
            set_={"count": FormCount.__table__.c.count + 1},  # type: ignore[attr-defined]
        ).returning(col(FormCount.count))
    ).scalar_one()
    return counted


def forget_counts_before(*, session: Session, before: datetime) -> None:
    """Delete the counts of windows that started before `before`: they limit nothing now."""
    session.execute(delete(FormCount).where(col(FormCount.window_start) < before))
