"""The delivery queue: what the bot owes, claimed once, finished with its outcome.

A delivery's `key` is unique, so planning the same delivery twice (two ticks, two
processes) adds one row; claiming is a conditional UPDATE, so only one sender wins it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import Delivery, Subscription
from storage.types import utc_now

PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"


@dataclass(frozen=True)
class Due:
    """A delivery that a plan says is owed; becomes a `Delivery` row unless its key exists."""

    key: str
    kind: str
    target: str
    due_at: datetime
    team_id: int | None = None
    subject_id: int | None = None
    lead_days: int | None = None
    note: str | None = None


def enqueue(*, session: Session, dues: Iterable[Due]) -> int:
    """Add the deliveries whose keys are new; return how many were added."""
    wanted = {due.key: due for due in dues}
    if not wanted:
        return 0
    known = set(session.exec(select(Delivery.key).where(col(Delivery.key).in_(wanted))).all())
    rows = [
        {**asdict(due), "status": PENDING, "next_attempt_at": due.due_at, "created_at": utc_now()}
        for key, due in wanted.items()
        if key not in known
    ]
    if not rows:
        return 0
    # A concurrent planner may add the same key between our read and our write.
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    result = session.execute(
        insert(Delivery).values(rows).on_conflict_do_nothing(index_elements=["key"])
    )
    session.flush()
    return result.rowcount or 0


def enqueue_to_channels(
    *,
    session: Session,
    kind: str,
    key: Callable[[str], str],
    channels: Iterable[str],
    now: datetime,
    team_id: int | None,
    subject_id: int | None,
    note: str | None = None,
) -> list[Due]:
    """Queue one delivery of `kind` to each channel (each once), due now, keyed by
    `key(channel)`: an announcement made as a record is saved. Returns them, to send."""
    dues = [
        Due(
            key=key(channel),
            kind=kind,
            target=channel,
            due_at=now,
            team_id=team_id,
            subject_id=subject_id,
            note=note,
        )
        for channel in dict.fromkeys(channels)
    ]
    enqueue(session=session, dues=dues)
    return dues


def ready(
    *, session: Session, at: datetime, keys: Sequence[str] | None, limit: int
) -> Sequence[int]:
    """Ids of pending deliveries due by `at` (only `keys`, when given), oldest first."""
    query = select(Delivery.id).where(
        Delivery.status == PENDING, col(Delivery.next_attempt_at) <= at
    )
    if keys is not None:
        query = query.where(col(Delivery.key).in_(keys))
    ids = session.exec(query.order_by(col(Delivery.next_attempt_at), col(Delivery.id)).limit(limit))
    return [delivery_id for delivery_id in ids if delivery_id is not None]


def claim(*, session: Session, delivery_id: int) -> Delivery | None:
    """Take a pending delivery for sending; None if another sender took it first."""
    result = session.execute(
        update(Delivery)
        .where(col(Delivery.id) == delivery_id, col(Delivery.status) == PENDING)
        .values(status=SENDING, attempts=Delivery.attempts + 1, claimed_at=utc_now())
    )
    if result.rowcount != 1:
        return None
    return session.get(Delivery, delivery_id, populate_existing=True)


def finish(
    *,
    session: Session,
    delivery_id: int,
    status: str,
    error: str | None = None,
    retry_at: datetime | None = None,
    message_channel: str | None = None,
    message_ts: str | None = None,
) -> None:
    """Record how a claimed delivery ended: sent, failed, skipped, or pending again."""
    values: dict[str, object] = {"status": status, "last_error": error and error[:300]}
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    if status == SENT:
        values.update(sent_at=utc_now(), message_channel=message_channel, message_ts=message_ts)
    session.execute(update(Delivery).where(col(Delivery.id) == delivery_id).values(**values))


def deliveries(
    *, session: Session, statuses: Sequence[str] | None = None, limit: int = 200
) -> Sequence[Delivery]:
    """Deliveries (those with `statuses`, when given), most recently due first."""
    query = select(Delivery)
    if statuses:
        query = query.where(col(Delivery.status).in_(statuses))
    return session.exec(
        query.order_by(col(Delivery.due_at).desc(), col(Delivery.id).desc()).limit(limit)
    ).all()


def sent_message(*, session: Session, key: str) -> Delivery | None:
    """The delivery with `key` if it was sent (its channel and ts locate the message)."""
    query = select(Delivery).where(Delivery.key == key, Delivery.status == SENT)
    return session.exec(query).first()


def end_subscriptions_in(*, session: Session, channel_id: str, reason: str) -> list[int]:
    """Deactivate every active subscription of a channel; return the teams that had one."""
    found = session.exec(
        select(Subscription).where(Subscription.channel_id == channel_id, Subscription.active)
    ).all()
    for subscription in found:
        subscription.active = False
        subscription.ended_reason = reason
        subscription.ended_at = utc_now()
        session.add(subscription)
    session.flush()
    return sorted({subscription.team_id for subscription in found})
