"""The inbox's claims on a real database: a request is held by one process at a time, taken
over only once its lease has run out, and its work's first write commits only with the
item's deletion, once. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.people.erasure import erase_person, erasure_report, person_to_erase
from bot.people.retention import apply_retention
from storage.clock import Clock, utc_now
from storage.database import Database
from storage.inbox import (
    CLAIMED,
    PENDING,
    Claim,
    ClaimLost,
    Holding,
    claim_waiting,
    finish,
    hold,
    receive,
)
from storage.models import InboxItem, ProducerTeam

LEASE = timedelta(seconds=60)
A, B = "host:1:aaaaaa", "host:2:bbbbbb"


def keep(database: Database, claimant: str | None, text: str = "log Met the RSS") -> Claim | int:
    body = {"command": "/engage", "text": text, "user_id": "U1", "response_url": "http://x"}
    with database.engine.begin() as connection:
        return receive(
            connection=connection,
            workspace_id=database.workspace_id,
            body=body,
            origin="slack:/engage log",
            user_id="U1",
            claimant=claimant,
        )


def claim(database: Database, claimant: str, limit: int = 10) -> list[int]:
    with database.engine.begin() as connection:
        waiting = claim_waiting(
            connection=connection, stale_before=utc_now() - LEASE, limit=limit, claimant=claimant
        )
    return [item.id for item in waiting]


def statuses(database: Database) -> list[tuple[str, str | None]]:
    with database.transaction() as session:
        items = session.exec(select(InboxItem).order_by(InboxItem.id)).all()  # type: ignore[arg-type]
        return [(item.status, item.claimed_by) for item in items]


def add_team(database: Database, name: str) -> None:
    with database.transaction() as session:
        session.add(ProducerTeam(name=name))


def teams(database: Database) -> list[str]:
    with database.transaction() as session:
        return sorted(session.exec(select(ProducerTeam.name)).all())


def test_a_request_in_hand_is_taken_over_only_once_its_lease_has_run_out(
    database: Database, clock: Clock
) -> None:
    held = keep(database, A)
    pending = keep(database, None)
    assert isinstance(held, Claim) and isinstance(pending, int)
    # Pending: anyone takes it at once. In hand: no one, while the lease runs.
    assert claim(database, B) == [pending]
    assert claim(database, B) == []
    with database.engine.begin() as connection:
        assert finish(connection=connection, claim=Claim(pending, B))  # done
    clock.move_by(LEASE + timedelta(seconds=1))
    assert claim(database, B) == [held.item_id]
    # The process it was taken from can neither renew nor finish it.
    with database.engine.begin() as connection:
        assert not hold(connection=connection, claim=held)
        assert not finish(connection=connection, claim=held)
    assert statuses(database) == [(CLAIMED, B)]
    with database.engine.begin() as connection:
        assert finish(connection=connection, claim=Claim(held.item_id, B))
    assert statuses(database) == []


def test_processes_claiming_together_take_each_request_once(database: Database) -> None:
    ids = [keep(database, None) for _ in range(60)]
    taken: dict[str, list[int]] = {}
    start = threading.Barrier(3)

    def take(claimant: str) -> None:
        start.wait()
        mine: list[int] = []
        while found := claim(database, claimant, limit=7):
            mine += found
        taken[claimant] = mine

    threads = [threading.Thread(target=take, args=(f"host:{n}:x",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [item for found in taken.values() for item in found]
    assert Counter(every) == Counter(ids)


def test_the_works_first_write_commits_with_the_item_gone_and_none_after_a_takeover(
    database: Database, clock: Clock
) -> None:
    held = keep(database, A)
    assert isinstance(held, Claim)
    holding = Holding(held)
    working = database.working_on(holding)
    with working.transaction() as session:
        session.exec(select(ProducerTeam)).all()  # reading only: the item stays
    assert statuses(database) == [(CLAIMED, A)] and not holding.done
    add_team(working, "Prices")
    assert statuses(database) == [] and holding.done  # ended with the work's write
    add_team(working, "Trade")  # the same work, a second transaction: still its own
    assert teams(database) == ["Prices", "Trade"]
    # A process stopping now leaves nothing to do again.
    clock.move_by(LEASE + timedelta(seconds=1))
    assert claim(database, B) == []


def test_work_taken_over_before_it_wrote_is_saved_by_the_new_holder_alone(
    database: Database, clock: Clock
) -> None:
    held = keep(database, A)
    assert isinstance(held, Claim)
    clock.move_by(LEASE + timedelta(seconds=1))
    assert claim(database, B) == [held.item_id]
    with pytest.raises(ClaimLost):
        add_team(database.working_on(Holding(held)), "From A")
    assert statuses(database) == [(CLAIMED, B)]
    add_team(database.working_on(Holding(Claim(held.item_id, B))), "From B")
    # A, slow, tries again: the item is gone, and so is its turn.
    with pytest.raises(ClaimLost):
        add_team(database.working_on(Holding(held)), "From A, late")
    assert teams(database) == ["From B"]
    assert statuses(database) == []


def test_retention_forgets_requests_left_past_the_period_in_their_workspace_only(
    database: Database, clock: Clock
) -> None:
    clock.move_to(datetime(2024, 1, 10, tzinfo=UTC))
    keep(database, A, "log Old")
    keep(database.in_workspace("TOTHER"), A, "log Theirs")
    clock.move_to(datetime(2026, 1, 11, tzinfo=UTC))
    keep(database, A, "log New")
    with database.transaction() as session:
        apply_retention(session=session, now=utc_now(), months=24)
    with database.engine.connect() as connection:
        texts = [body["text"] for (body,) in connection.execute(select(InboxItem.body))]
    assert sorted(texts) == ["log New", "log Theirs"]


def test_erasure_reaches_what_waits_in_the_inbox(database: Database) -> None:
    keep(database, None, "feedback Ada Lovelace asked for monthly CPI")
    keep(database, None, "log Met the RSS")
    person = person_to_erase(None, "Ada Lovelace")
    with database.transaction() as session:
        changes = erase_person(session=session, person=person, now=utc_now())
    assert "  and in the inbox: 1 request waiting for their work, quoting them" in erasure_report(
        person, changes, dry_run=False
    )
    with database.transaction() as session:
        bodies = session.exec(select(InboxItem.body).order_by(InboxItem.id)).all()  # type: ignore[arg-type]
    assert [body["text"] for body in bodies] == [
        "feedback [erased] asked for monthly CPI",
        "log Met the RSS",
    ]
    assert [status for status, _by in statuses(database)] == [PENDING, PENDING]


def test_on_sqlite_the_works_writes_take_their_turn_and_leave_it_however_they_end(
    database: Database,
) -> None:
    """SQLite writes one at a time: the inbox's statements and its work's writes queue on
    one lock in the process (PostgreSQL needs none). A transaction holding it, committed or
    rolled back, leaves it free for the next."""
    if not database.url.startswith("sqlite"):
        assert database.sqlite_writer is None
        return
    held = keep(database, A)
    assert isinstance(held, Claim)
    add_team(database.working_on(Holding(held)), "Prices")
    with pytest.raises(RuntimeError), database.working_on(Holding(held)).transaction() as session:
        session.add(ProducerTeam(name="Trade"))
        session.flush()
        raise RuntimeError("the work failed after writing")
    free: list[bool] = []

    def take_turn() -> None:
        assert database.sqlite_writer is not None
        free.append(database.sqlite_writer.acquire(blocking=False))
        if free[-1]:
            database.sqlite_writer.release()

    other = threading.Thread(target=take_turn)
    other.start()
    other.join()
    assert free == [True]
    assert teams(database) == ["Prices"]
