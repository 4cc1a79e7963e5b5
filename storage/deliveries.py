"""The delivery queue: what the bot owes, claimed once, finished with its outcome.

A delivery's `key` is unique, so planning the same delivery twice (two ticks, two
processes) adds one row. Senders claim batches: on PostgreSQL the rows are chosen with
`FOR UPDATE SKIP LOCKED`, so concurrent senders take different rows without waiting on
each other; on any database the claiming UPDATE re-checks the status, so only one sender
wins a row. A claim is a lease (`claimed_at`, `claimed_by`): the sender renews it just
before it posts, and a claim older than the lease was cut short by a crash. A sender Slack
asks to wait gives the delivery back to the queue until then (`postpone`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import and_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from storage.clock import utc_now
from storage.models import Delivery, Subscription

PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"


@dataclass(frozen=True)
class Due:
    """A delivery that a plan says is owed; becomes a `Delivery` row unless its key exists.

    One whose moment passed while the bot was down and that no longer matters carries
    `skip_reason`: it is recorded as skipped, with that reason, and never sent."""

    key: str
    kind: str
    target: str
    due_at: datetime
    team_id: int | None = None
    subject_id: int | None = None
    lead_days: int | None = None
    note: str | None = None
    skip_reason: str | None = None


def enqueue(*, session: Session, dues: Iterable[Due]) -> list[str]:
    """Add the deliveries whose keys are new: pending, or skipped with their `skip_reason`;
    return the status of each row added."""
    wanted = {due.key: due for due in dues}
    if not wanted:
        return []
    known = set(session.exec(select(Delivery.key).where(col(Delivery.key).in_(wanted))).all())
    # In key order: planners inserting the same keys in one order never deadlock.
    rows = [_row(due) for key, due in sorted(wanted.items()) if key not in known]
    if not rows:
        return []
    # A concurrent planner may add the same key between our read and our write.
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    result = session.execute(
        insert(Delivery)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["key", "workspace_id"])
        .returning(col(Delivery.status))
    )
    added: list[str] = list(result.scalars())
    session.flush()
    return added


def _row(due: Due) -> dict[str, object]:
    fields = asdict(due)
    reason = fields.pop("skip_reason")
    return {
        **fields,
        "status": PENDING if reason is None else SKIPPED,
        "last_error": reason and reason[:300],
        "next_attempt_at": due.due_at,
        "created_at": utc_now(),
    }


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


@dataclass(frozen=True)
class Claimed:
    """A delivery claimed to send, and where it goes."""

    id: int
    target: str


def claim_due(
    *, session: Session, at: datetime, keys: Sequence[str] | None, limit: int, claimant: str
) -> list[Claimed]:
    """Claim up to `limit` pending deliveries due by `at` (only `keys`, when given) for
    `claimant` to send, oldest first. Commit before sending, so others see it."""
    query = select(Delivery.id, Delivery.target).where(
        Delivery.status == PENDING, col(Delivery.next_attempt_at) <= at
    )
    if keys is not None:
        query = query.where(col(Delivery.key).in_(keys))
    query = query.order_by(col(Delivery.next_attempt_at), col(Delivery.id)).limit(limit)
    chosen = [Claimed(*row) for row in session.exec(query.with_for_update(skip_locked=True))]
    won = _take(
        session,
        [each.id for each in chosen],
        col(Delivery.status) == PENDING,
        claimant,
        status=SENDING,
        attempts=Delivery.attempts + 1,
    )
    return [each for each in chosen if each.id in won]


@dataclass(frozen=True)
class Interrupted:
    """A delivery left sending by a sender that stopped; `claimed_at` is when it last held
    the claim, so a post it made, if any, is no older than that."""

    id: int
    key: str
    target: str
    claimed_at: datetime


def claim_interrupted(
    *, session: Session, older_than: datetime, limit: int, claimant: str
) -> list[Interrupted]:
    """Take over up to `limit` deliveries whose sending claim is older than `older_than`."""
    stale = col(Delivery.status) == SENDING, col(Delivery.claimed_at) < older_than
    query = (
        select(Delivery.id, Delivery.key, Delivery.target, Delivery.claimed_at)
        .where(*stale)
        .order_by(col(Delivery.id))
        .limit(limit)
    )
    found = [Interrupted(*row) for row in session.exec(query.with_for_update(skip_locked=True))]
    won = _take(session, [each.id for each in found], and_(*stale), claimant)
    return [each for each in found if each.id in won]


def renew_claim(*, session: Session, delivery_id: int, claimant: str) -> Delivery | None:
    """The delivery, its lease renewed, if `claimant` still holds it (None: it was taken over)."""
    if not hold_claim(session=session, delivery_id=delivery_id, claimant=claimant):
        return None
    return session.get(Delivery, delivery_id, populate_existing=True)


def hold_claim(*, session: Session, delivery_id: int, claimant: str) -> bool:
    """Renew the lease of `claimant`'s claim on the delivery; False if it was taken over."""
    result = session.execute(
        update(Delivery).where(*_held_by(delivery_id, claimant)).values(claimed_at=utc_now())
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # a CursorResult


def postpone(
    *, session: Session, delivery_id: int, claimant: str, until: datetime, reason: str
) -> bool:
    """Give `claimant`'s claimed delivery back to the queue until `until`, this attempt not
    counted: Slack asked to wait (nothing failed). False if the claim was taken over."""
    result = session.execute(
        update(Delivery)
        .where(*_held_by(delivery_id, claimant))
        .values(
            status=PENDING,
            next_attempt_at=until,
            attempts=Delivery.attempts - 1,
            last_error=reason[:300],
        )
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # a CursorResult


def _held_by(delivery_id: int, claimant: str) -> tuple[ColumnElement[bool], ...]:
    """The delivery, while `claimant`'s claim on it holds."""
    return (
        col(Delivery.id) == delivery_id,
        col(Delivery.status) == SENDING,
        col(Delivery.claimed_by) == claimant,
    )


def _take(
    session: Session,
    ids: Sequence[int],
    still: ColumnElement[bool],
    claimant: str,
    **values: object,
) -> set[int]:
    """Claim the rows `ids` that are `still` as chosen, for `claimant`; the ids it won.

    The condition is checked again as each row is written: on SQLite rows are not locked
    when chosen, and a concurrent sender may have claimed one meanwhile."""
    if not ids:
        return set()
    result = session.execute(
        update(Delivery)
        .where(col(Delivery.id).in_(ids), still)
        .values(claimed_at=utc_now(), claimed_by=claimant, **values)
        .returning(col(Delivery.id))
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars())


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


def cancel_pending(*, session: Session, reason: str) -> int:
    """Skip, for good, every delivery still pending (of the session's workspace, as every
    query: storage/workspaces.py), noting `reason`; returns how many. Those being sent are
    left to finish or fail."""
    result = session.execute(
        update(Delivery)
        .where(col(Delivery.status) == PENDING)
        .values(status=SKIPPED, last_error=reason[:300])
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # a CursorResult
