"""The inbox: Slack requests acknowledged before their work was done, each kept until it is.

A request is received (`receive`) before Slack is answered; its work is then done by the
process holding it, under a claim that is a lease (`claimed_at`, `claimed_by`), as the
delivery queue's are (`storage/deliveries.py`): any process takes over what is pending,
or claimed longer ago than the lease (`claim_waiting`: `FOR UPDATE SKIP LOCKED` on
PostgreSQL, and the claiming UPDATE re-checks, so one process wins a row on any
database). The row is deleted once the work is done (`finish`).

Exactly once: the first transaction of the work that writes anything also deletes the
item, in that transaction (`guard_sessions`, from the session's events, as the audit log
is captured), and only while its claimant still holds the claim; otherwise it raises
`ClaimLost` and the work's writes roll back. So the work's writes and the item's end
commit together: a process that takes over an item finds it only if no work of it was
saved, and a process that lost its claim cannot save the work any more.

Every statement but retention's is one statement on a bare connection, past the session's
hooks: the claims span workspaces (one process serves them all: ARCHITECTURE.md,
*Workspaces*), and a request is written in the time Slack allows for its acknowledgement.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, event, insert, or_, select, update
from sqlalchemy.orm import ORMExecuteState, SessionTransaction, sessionmaker

# Hooks are handed SQLAlchemy's Session (SQLModel's is a subclass of it).
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col

from storage.clock import utc_now
from storage.models import InboxItem
from storage.types import table_of

PENDING, CLAIMED = "pending", "claimed"
CLAIM_KEY = "inbox_claim"  # in session.info: the `Holding` a transaction's writes are done under
# In session.info on SQLite: the lock the inbox's writes and its work's take in turn
# (`Database.sqlite_writer`).
WRITER_KEY = "inbox_writer"
_WROTE_KEY = "inbox_wrote"
_ENDS_KEY = "inbox_ends"  # the transaction deletes the item: its work is done once it commits
_HOLDS_WRITER_KEY = "inbox_holds_writer"
_ITEMS = table_of(InboxItem)
# Made once, its values passed as parameters: the statement's cache key is then found without
# walking the values of each request, in the time Slack allows for the acknowledgement.
_RECEIVE = insert(_ITEMS).returning(_ITEMS.c.id)


@dataclass(frozen=True)
class Claim:
    """An inbox item held by `claimant` (host:pid:token, a token a claim)."""

    item_id: int
    claimant: str


@dataclass
class Holding:
    """An inbox item as its work goes: held by `claim`, and `done` once a transaction of
    the work has committed, deleting the item with it."""

    claim: Claim
    done: bool = False


@dataclass(frozen=True)
class Waiting:
    """An item claimed from the inbox: the request to do again, and how often it was."""

    id: int
    body: dict[str, Any]
    attempts: int
    received_at: datetime
    workspace_id: str
    user_id: str  # who sent it: a person's requests are done in the order they came


class ClaimLost(Exception):
    """A write of an inbox item's work, refused: another claimant holds the item, or has
    done it. Not a database error: the work is (being) done, just not here."""

    def __init__(self, claim: Claim) -> None:
        super().__init__(f"inbox item #{claim.item_id} is no longer held by {claim.claimant}")
        self.claim = claim


def receive(
    *,
    connection: Connection,
    workspace_id: str,
    body: dict[str, Any],
    origin: str,
    user_id: str,
    claimant: str | None,
) -> Claim | int:
    """Keep the request `body` of `workspace_id` until its work is done: held by
    `claimant` (its claim), or pending for any process to take (its id) when None."""
    now = utc_now()
    values = {
        "workspace_id": workspace_id,
        "origin": origin[:200],
        "user_id": user_id[:32],
        "body": body,
        "status": PENDING if claimant is None else CLAIMED,
        "attempts": 0,
        "received_at": now,
        "claimed_at": None if claimant is None else now,
        "claimed_by": claimant,
    }
    item_id: int = connection.execute(_RECEIVE, values).scalar_one()
    return item_id if claimant is None else Claim(item_id, claimant)


def claim_waiting(
    *, connection: Connection, stale_before: datetime, limit: int, claimant: str
) -> list[Waiting]:
    """Claim, for `claimant`, up to `limit` items of any workspace that no process holds:
    pending, or claimed before `stale_before` (their process stopped), oldest first.
    Commit before doing their work, so that others see the claim."""
    waiting = or_(_ITEMS.c.status == PENDING, _ITEMS.c.claimed_at < stale_before)
    chosen: list[int] = list(
        connection.execute(
            select(_ITEMS.c.id)
            .where(waiting)
            .order_by(_ITEMS.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    if not chosen:
        return []
    # Checked again as each row is written: SQLite does not lock the rows chosen.
    won = connection.execute(
        update(_ITEMS)
        .where(_ITEMS.c.id.in_(chosen), waiting)
        .values(
            status=CLAIMED,
            claimed_at=utc_now(),
            claimed_by=claimant,
            attempts=_ITEMS.c.attempts + 1,
        )
        .returning(
            _ITEMS.c.id,
            _ITEMS.c.body,
            _ITEMS.c.attempts,
            _ITEMS.c.received_at,
            _ITEMS.c.workspace_id,
            _ITEMS.c.user_id,
        )
    )
    found = [
        Waiting(row.id, row.body, row.attempts, row.received_at, row.workspace_id, row.user_id)
        for row in won
    ]
    return sorted(found, key=lambda item: item.id)


def hold(*, connection: Connection, claim: Claim) -> bool:
    """Renew the lease of `claim` as its work starts; False if the item was taken over
    (or is gone: finished by whoever took it over)."""
    result = connection.execute(update(_ITEMS).where(*_held(claim)).values(claimed_at=utc_now()))
    return bool(result.rowcount == 1)


def finish(*, connection: Connection, claim: Claim) -> bool:
    """The item's work is done: forget it (only while `claim` holds). False if it was taken
    over meanwhile, or is gone."""
    result = connection.execute(delete(_ITEMS).where(*_held(claim)))
    return bool(result.rowcount == 1)


def forget_received_before(*, session: Session, before: datetime) -> int:
    """Delete the items (of the session's workspace) received before `before`, done or not:
    what people typed is not kept past the retention period. How many."""
    result = session.execute(delete(InboxItem).where(col(InboxItem.received_at) < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # a CursorResult


def _held(claim: Claim) -> tuple[ColumnElement[bool], ...]:
    return _ITEMS.c.id == claim.item_id, _ITEMS.c.claimed_by == claim.claimant


# --- the work's writes and the item's end, in one transaction -----------------------------


def guard_sessions(sessions: sessionmaker[Session]) -> None:
    """Delete the held item in the first transaction of its work that writes (a session
    whose info holds `CLAIM_KEY`: `Database.working_on`), or refuse the writes. On SQLite
    the work's writes also wait their turn with the inbox's own (`WRITER_KEY`)."""
    event.listen(sessions, "before_flush", _note_flush)
    event.listen(sessions, "do_orm_execute", _note_statement)
    event.listen(sessions, "before_commit", _end_with_the_writes)
    event.listen(sessions, "after_commit", _ended)
    event.listen(sessions, "after_transaction_end", _writer_done)


def _note_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    if CLAIM_KEY in session.info and (session.new or session.dirty or session.deleted):
        _writing(session)


def _note_statement(state: ORMExecuteState) -> None:
    if CLAIM_KEY in state.session.info and (state.is_insert or state.is_update or state.is_delete):
        _writing(state.session)


def _writing(session: OrmSession) -> None:
    """The work's transaction is about to write: noted, and on SQLite, once it is this
    transaction's turn to write (held until it ends)."""
    session.info[_WROTE_KEY] = True
    writer: threading.RLock | None = session.info.get(WRITER_KEY)
    if writer is not None and not session.info.get(_HOLDS_WRITER_KEY):
        writer.acquire()
        session.info[_HOLDS_WRITER_KEY] = True


def _writer_done(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and session.info.pop(_HOLDS_WRITER_KEY, False):
        session.info[WRITER_KEY].release()


def _end_with_the_writes(session: Session) -> None:
    holding: Holding | None = session.info.get(CLAIM_KEY)
    if holding is None:
        return
    session.flush()  # what is still to flush is written by this transaction too
    if not session.info.pop(_WROTE_KEY, False) or holding.done:
        return  # nothing written, or the item ended with an earlier transaction of the work
    if not finish(connection=session.connection(), claim=holding.claim):
        raise ClaimLost(holding.claim)
    session.info[_ENDS_KEY] = True


def _ended(session: Session) -> None:
    if session.info.pop(_ENDS_KEY, False):
        session.info[CLAIM_KEY].done = True
