"""The audit log's capture on both databases: ORM changes and bulk statements, one entry
per record and transaction, nothing from a rollback, and the bot's bookkeeping left out."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, insert, update
from sqlmodel import col, select

from storage.audit import audit_entries
from storage.auditing import Actor
from storage.database import Database
from storage.models import (
    AuditEntry,
    Delivery,
    Feedback,
    ProducerTeam,
    Subscription,
    UserPreference,
)

ALICE = Actor("U0ALICE", "test:storage")


def entries(database: Database) -> list[tuple[str, str, str, str]]:
    with database.transaction() as session:
        found = audit_entries(session=session, limit=100)
    return [(e.actor, e.action, e.table_name, e.record_id) for e in found]


def changes(database: Database, table: str) -> list[dict[str, object]]:
    with database.transaction() as session:
        found = audit_entries(session=session, table=table, limit=100)
    return [e.change for e in found]


def add_team(database: Database) -> int:
    with database.acting_as(ALICE).transaction() as session:
        team = ProducerTeam(name="Prices")
        session.add(team)
        session.flush()
        return team.id  # type: ignore[return-value]


def test_a_record_created_then_changed_in_one_transaction_is_one_create(
    database: Database,
) -> None:
    with database.acting_as(ALICE).transaction() as session:
        team = ProducerTeam(name="Prices")
        session.add(team)
        session.flush()
        team.name = "Prices and rents"
    assert entries(database) == [("U0ALICE", "create", "producer_team", "1")]
    assert changes(database, "producer_team")[0]["name"] == "Prices and rents"


def test_changed_twice_is_one_change_and_changed_back_is_none(database: Database) -> None:
    team_id = add_team(database)
    with database.acting_as(ALICE).transaction() as session:
        team = session.get(ProducerTeam, team_id)
        assert team is not None
        team.name, team.review_cadence = "Rents", "monthly"
        session.flush()
        team.name, team.review_cadence = "Housing", None
    assert changes(database, "producer_team")[1] == {"name": {"old": "Prices", "new": "Housing"}}
    with database.acting_as(ALICE).transaction() as session:
        team = session.get(ProducerTeam, team_id)
        assert team is not None
        team.name = "Rents"
        session.flush()
        team.name = "Housing"
    assert len(entries(database)) == 2


def test_a_record_created_and_deleted_in_one_transaction_leaves_nothing(
    database: Database,
) -> None:
    with database.acting_as(ALICE).transaction() as session:
        team = ProducerTeam(name="Prices")
        session.add(team)
        session.flush()
        session.delete(team)
    assert entries(database) == []


def test_a_rolled_back_transaction_records_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError), database.acting_as(ALICE).transaction() as session:
        session.add(ProducerTeam(name="Prices"))
        session.flush()
        raise RuntimeError("the save failed after writing")
    assert entries(database) == []


def test_changes_with_no_one_bound_are_recorded_as_unknown(database: Database) -> None:
    with database.transaction() as session:
        session.add(ProducerTeam(name="Prices"))
    assert entries(database) == [("unknown", "create", "producer_team", "1")]


def test_the_bots_own_bookkeeping_is_not_recorded(database: Database) -> None:
    team_id = add_team(database)
    now = datetime(2027, 3, 1, tzinfo=UTC)
    with database.acting_as(ALICE).transaction() as session:
        session.add(UserPreference(slack_user_id="U0ALICE", last_team_id=team_id))
        session.add(Delivery(key="k", kind="note", target="C1", due_at=now, next_attempt_at=now))
        session.flush()
        session.execute(update(Delivery).values(attempts=1))
        session.execute(delete(Delivery))
    assert entries(database) == [("U0ALICE", "create", "producer_team", str(team_id))]


def test_bulk_updates_and_deletes_are_recorded_per_row(database: Database) -> None:
    team_id = add_team(database)
    with database.acting_as(ALICE).transaction() as session:
        for channel in ("C1", "C2", "C3"):
            session.add(Subscription(channel_id=channel, team_id=team_id))
    bob = database.acting_as(Actor("U0BOB", "test:bulk"))
    with bob.transaction() as session:
        session.execute(
            update(Subscription)
            .where(col(Subscription.channel_id).in_(["C1", "C2"]))
            .values(active=False, ended_reason="unsubscribed")
        )
    with bob.transaction() as session:
        session.execute(delete(Subscription).where(col(Subscription.channel_id) == "C3"))
    bulk = [entry for entry in entries(database) if entry[0] == "U0BOB"]
    assert bulk == [
        ("U0BOB", "change", "subscription", "1"),
        ("U0BOB", "change", "subscription", "2"),
        ("U0BOB", "delete", "subscription", "3"),
    ]
    changed, _, deleted = changes(database, "subscription")[3:]
    assert changed == {
        "active": {"old": True, "new": False},
        "ended_reason": {"old": None, "new": "unsubscribed"},
    }
    assert deleted["channel_id"] == "C3"


def test_a_bulk_insert_is_one_entry_with_its_row_count(database: Database) -> None:
    team_id = add_team(database)
    with database.acting_as(ALICE).transaction() as session:
        rows = [{"channel_id": c, "team_id": team_id, "active": True} for c in ("C1", "C2")]
        session.execute(insert(Subscription), rows)
    assert entries(database)[-1] == ("U0ALICE", "create", "subscription", "*")
    assert changes(database, "subscription") == [{"rows": 2}]


def test_personal_fields_of_a_bulk_update_are_marked_not_copied(database: Database) -> None:
    team_id = add_team(database)
    with database.acting_as(ALICE).transaction() as session:
        session.add(Feedback(team_id=team_id, received_on=date(2027, 3, 1), text="More data"))
    with database.acting_as(ALICE).transaction() as session:
        session.execute(update(Feedback).values(contact_email="jo@example.org"))
    assert changes(database, "feedback")[-1] == {"contact_email": "<personal>"}
    with database.transaction() as session:
        stored = [e.change for e in session.exec(select(AuditEntry)).all()]
    assert "jo@example.org" not in str(stored)


def test_a_save_that_only_moves_updated_at_is_no_entry(database: Database) -> None:
    team_id = add_team(database)
    with database.acting_as(ALICE).transaction() as session:
        team = session.get(ProducerTeam, team_id)
        assert team is not None
        team.name = "Prices"
        team.updated_at = datetime(2027, 3, 1, tzinfo=UTC)
    assert len(entries(database)) == 1
