"""The scheduler's lease (`storage/leadership.py`), on SQLite and PostgreSQL: one holder
leads until its lease expires unrenewed, a lease given up is taken at once, and of many
processes asking at the same moment exactly one wins."""

from __future__ import annotations

import threading
from datetime import timedelta

from storage.clock import Clock, utc_now
from storage.database import Database
from storage.leadership import lead, step_down

LEASE = timedelta(seconds=30)
ROLE = "scheduler"


def asks(database: Database, holder: str) -> bool:
    with database.transaction() as session:
        return lead(session=session, role=ROLE, holder=holder, now=utc_now(), lease=LEASE)


def test_one_leads_until_its_lease_expires_unrenewed(database: Database, clock: Clock) -> None:
    assert asks(database, "host:1:a")  # never taken: the first to ask leads
    assert not asks(database, "host:2:b")
    clock.move_by(LEASE - timedelta(seconds=1))
    assert not asks(database, "host:2:b")
    assert asks(database, "host:1:a")  # renewed, from now
    clock.move_by(LEASE - timedelta(seconds=1))
    assert not asks(database, "host:2:b")
    clock.move_by(timedelta(seconds=2))  # the leader missed its renewal: it expired
    assert asks(database, "host:2:b")
    assert not asks(database, "host:1:a")  # the one it was taken from follows


def test_a_lease_given_up_is_taken_at_the_next_ask(database: Database) -> None:
    assert asks(database, "host:1:a")
    with database.transaction() as session:
        assert not step_down(session=session, role=ROLE, holder="host:2:b")  # not its own
        assert step_down(session=session, role=ROLE, holder="host:1:a")
    assert asks(database, "host:2:b")


def test_of_many_asking_at_once_exactly_one_leads(database: Database) -> None:
    askers = 8
    ready = threading.Barrier(askers)
    won: list[str] = []

    def ask(holder: str) -> None:
        ready.wait(timeout=30)
        if asks(database, holder):
            won.append(holder)

    threads = [threading.Thread(target=ask, args=(f"host:{n}:x",)) for n in range(askers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(won) == 1
    assert not any(asks(database, f"host:{n}:x") for n in range(askers) if won != [f"host:{n}:x"])
