"""Which process leads: a lease in the database, one row per role (`SchedulerLease`).

Every serving process (each gunicorn worker of each replica) runs a ticker
(`bot/runtime/ticker.py`); before each tick it asks `lead`, and only the lease's holder ticks.
The holder renews it at every tick; one that stops (killed, hung, cut off from the
database) keeps it only until it expires, and the next process to ask then takes it over.
One statement decides, an upsert that writes only for the holder or over an expired lease,
so two processes asking at once never both win: PostgreSQL re-checks the condition on the
row the other just wrote, SQLite writes one transaction at a time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import SchedulerLease

# What a lease given up expires at: before any moment a process asks at, whatever its clock.
GIVEN_UP = datetime(2000, 1, 1, tzinfo=UTC)


def lead(*, session: Session, role: str, holder: str, now: datetime, lease: timedelta) -> bool:
    """Take or renew `role`'s lease for `holder`, until `now + lease`, if it holds it or the
    lease has expired (or was never taken); whether `holder` now leads."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    taken = insert(SchedulerLease).values(role=role, holder=holder, expires_at=now + lease)
    result = session.execute(
        taken.on_conflict_do_update(
            index_elements=["role"],
            set_={"holder": holder, "expires_at": now + lease},
            where=or_(col(SchedulerLease.holder) == holder, col(SchedulerLease.expires_at) <= now),
        ).returning(col(SchedulerLease.holder))
    )
    return result.first() is not None


def step_down(*, session: Session, role: str, holder: str) -> bool:
    """Give up `role`'s lease if `holder` holds it, so that another process takes it at its
    next tick rather than once it expires; whether it held it."""
    result = session.execute(
        update(SchedulerLease)
        .where(col(SchedulerLease.role) == role, col(SchedulerLease.holder) == holder)
        .values(expires_at=GIVEN_UP)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # an UPDATE's CursorResult
