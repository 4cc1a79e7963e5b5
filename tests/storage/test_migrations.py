"""The migrated schema is exactly what the models describe, on both databases."""

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Integer, Table, inspect, text
from sqlmodel import SQLModel, select

import storage.models  # noqa: F401  (registers the tables)
from storage.console import identity_for, identity_names
from storage.database import Database
from storage.installations import INSTALLATION_METADATA
from storage.migrate import upgrade
from storage.models import Feedback, ProducerTeam
from storage.teams import remember_team, team_for_person


def test_migrated_schema_matches_the_models(database: Database) -> None:
    """The models, and slack_sdk's installation tables (not models: see
    storage/installations.py), compared as `alembic revision --autogenerate` does."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, [SQLModel.metadata, INSTALLATION_METADATA])
    assert differences == []


def numbered_tables() -> list[Table]:
    """The tables whose rows the database numbers: their ids are shown to people (#12) and
    recorded by the audit log, so an id once used must never be another row's."""
    return [
        table
        for table in SQLModel.metadata.sorted_tables
        if [column.name for column in table.primary_key.columns] == ["id"]
        and isinstance(table.c.id.type, Integer)
    ]


def test_every_numbered_table_never_reuses_an_id(database: Database) -> None:
    """SQLite reuses the largest id after a delete unless the table is AUTOINCREMENT (and
    copying a table in a migration forgets it); PostgreSQL's sequences never go back."""
    tables = numbered_tables()
    assert {table.name for table in tables} >= {"engagement", "feedback", "upcoming_change"}
    assert [t.name for t in tables if not t.dialect_kwargs.get("sqlite_autoincrement")] == []
    with database.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            found = connection.execute(text("SELECT name, sql FROM sqlite_master"))
            schemas = {name: sql for name, sql in found}
            forgetting = [t.name for t in tables if "AUTOINCREMENT" not in schemas[t.name]]
        else:
            forgetting = [
                table.name
                for table in tables
                if connection.execute(
                    text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
                ).scalar()
                is None
            ]
    assert forgetting == []


def test_an_id_deleted_before_the_upgrade_is_not_given_again(
    fresh_database: Callable[..., Database],
) -> None:
    """Feedback #3 was recorded and undone (the audit log says so) before the migration: the
    next item is #4 on a database migrated from then, as on PostgreSQL."""
    old = migrated_from(
        fresh_database("0015"),
        {"at": "2026-01-05 09:00:00+00:00", "day": "2026-01-05"},
        "INSERT INTO producer_team (name, created_at, updated_at) VALUES ('Prices', :at, :at)",
        "INSERT INTO theme (name) VALUES ('timeliness')",
        "INSERT INTO feedback (team_id, received_on, text, contact_agreed, status,"
        " created_at, updated_at) VALUES (1, :day, 'One', false, 'new', :at, :at),"
        " (1, :day, 'Two', false, 'new', :at, :at), (1, :day, 'Undone', false, 'new', :at, :at)",
        "INSERT INTO feedback_theme (feedback_id, theme_id) VALUES (2, 1)",
        "DELETE FROM feedback WHERE id = 3",
        "INSERT INTO audit_entry (at, actor, origin, action, table_name, record_id, change)"
        " VALUES (:at, 'U0001', 'slack', 'delete', 'feedback', '3', '{}')",
    )
    with old.transaction() as session:
        kept = session.exec(select(Feedback).order_by(Feedback.id)).all()
        assert [(item.id, item.text) for item in kept] == [(1, "One"), (2, "Two")]
        assert [theme.name for theme in kept[1].themes] == ["timeliness"]
        session.add(Feedback(team_id=1, received_on=kept[0].received_on, text="Next"))
        session.flush()
        [next_item] = session.exec(select(Feedback).where(Feedback.text == "Next")).all()
        assert next_item.id == 4
        session.delete(next_item)
    with old.transaction() as session:
        session.add(Feedback(team_id=1, received_on=kept[0].received_on, text="After that"))
        session.flush()
        assert session.exec(select(Feedback.id).where(Feedback.text == "After that")).one() == 5


def test_audience_segments_are_seeded(database: Database) -> None:
    with database.engine.connect() as connection:
        names = (
            connection.execute(text("SELECT name FROM audience_segment ORDER BY position"))
            .scalars()
            .all()
        )
    assert names[0] == "central government"
    assert "members of the public" in names
    assert len(names) == 9


def test_every_table_has_its_indexes(database: Database) -> None:
    indexes = {index["name"] for index in inspect(database.engine).get_indexes("engagement")}
    assert {"ix_engagement_team_occurred", "ix_engagement_logged_by_created"} <= indexes


def test_each_existing_teams_creator_becomes_its_first_member(
    fresh_database: Callable[..., Database],
) -> None:
    old = fresh_database("0006")
    with old.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO producer_team (name, created_by, created_at, updated_at) VALUES "
                "('Prices', 'UCREATOR', :at, :at), ('Health', NULL, :at, :at)"
            ),
            {"at": "2026-01-05 09:00:00+00:00"},
        )
    upgrade(old.url)
    with old.engine.connect() as connection:
        members = connection.execute(
            text("SELECT team_id, user_id, added_by FROM team_member")
        ).all()
    assert [tuple(member) for member in members] == [(1, "UCREATOR", None)]


def test_earlier_merges_entries_are_marked_as_merges(
    fresh_database: Callable[..., Database],
) -> None:
    old = migrated_from(
        fresh_database("0011"),
        {"at": "2026-01-05 09:00:00+00:00", "day": "2026-01-05"},
        "INSERT INTO producer_team (name, created_at, updated_at) VALUES ('Prices', :at, :at)",
        "INSERT INTO feedback (team_id, received_on, text, contact_agreed, status,"
        " created_at, updated_at) VALUES (1, :day, 'Kept', false, 'planned', :at, :at),"
        " (1, :day, 'Twin', false, 'merged', :at, :at)",
        "UPDATE feedback SET merged_into_id = 1 WHERE id = 2",
        "INSERT INTO feedback_decision (feedback_id, from_status, to_status, note,"
        " decided_at) VALUES (1, 'new', 'planned', 'From March.', :at),"
        " (2, 'new', 'merged', 'Merged into #1.', :at),"
        " (1, 'planned', 'planned', '#2 merged into this item.', :at)",
    )
    with old.engine.connect() as connection:
        marked = connection.execute(
            text("SELECT id, merged_id FROM feedback_decision ORDER BY id")
        ).all()
    assert [tuple(row) for row in marked] == [(1, None), (2, None), (3, 2)]


def test_the_review_summaries_are_filled_from_the_records(
    fresh_database: Callable[..., Database],
) -> None:
    old = migrated_from(
        fresh_database("0012"),
        {
            "at": "2026-01-05 09:00:00+00:00",
            "later": "2026-02-01 10:00:00+00:00",
            "last": "2026-03-01 10:00:00+00:00",
        },
        "INSERT INTO producer_team (name, created_at, updated_at) VALUES ('Prices', :at, :at)",
        "INSERT INTO statistical_output (team_id, name, profile) VALUES (1, 'CPI', 'high')",
        "INSERT INTO organisation (name, created_at) VALUES ('ONS', :at)",
        "INSERT INTO engagement (team_id, occurred_on, summary, created_at, updated_at)"
        " VALUES (1, '2026-01-04', 'Met users', :at, :at)",
        "INSERT INTO engagement_output (engagement_id, output_id) VALUES (1, 1)",
        "INSERT INTO engagement_segment (engagement_id, segment_id) VALUES (1, 2)",
        "INSERT INTO engagement_organisation (engagement_id, organisation_id) VALUES (1, 1)",
        "INSERT INTO feedback (team_id, received_on, text, contact_agreed, status,"
        " created_at, updated_at) VALUES (1, '2026-01-05', 'Decided', false, 'done', :at, :at),"
        " (1, '2026-01-05', 'Open', false, 'new', :at, :at)",
        # An entry that kept the status (a merge's, on the item kept) is no response.
        "INSERT INTO feedback_decision (feedback_id, from_status, to_status, decided_at)"
        " VALUES (1, 'new', 'new', :at), (1, 'new', 'planned', :later),"
        " (1, 'planned', 'done', :last)",
    )
    with old.engine.connect() as connection:
        for link in ("engagement_output", "engagement_segment", "engagement_organisation"):
            copied = connection.execute(text(f"SELECT team_id, occurred_on FROM {link}")).one()
            assert (copied[0], str(copied[1])) == (1, "2026-01-04")
        firsts = connection.execute(
            text("SELECT first_response_at FROM feedback ORDER BY id")
        ).scalars()
        assert [str(first)[:16] if first else None for first in firsts] == [
            "2026-02-01 10:00",
            None,
        ]


def test_outputs_count_from_their_teams_creation_and_channels_chosen_from_it_too(
    fresh_database: Callable[..., Database],
) -> None:
    """Migration 0018: what an overdue output and a team's first post count from."""
    old = migrated_from(
        fresh_database("0015"),
        {"at": "2026-01-05 09:00:00+00:00", "later": "2026-06-01 09:00:00+00:00"},
        "INSERT INTO producer_team (name, review_channel_id, created_at, updated_at)"
        " VALUES ('Prices', 'CREVIEW', :at, :later), ('Health', NULL, :later, :later)",
        "INSERT INTO statistical_output (team_id, name, profile)"
        " VALUES (1, 'CPI', 'high'), (2, 'Deaths', 'low')",
    )
    with old.engine.connect() as connection:
        teams = connection.execute(
            text(
                "SELECT review_channel_set_at, digest_channel_set_at FROM producer_team ORDER BY id"
            )
        ).all()
        outputs = connection.execute(
            text("SELECT created_at FROM statistical_output ORDER BY id")
        ).scalars()
        assert [str(moment)[:16] for moment in outputs] == ["2026-01-05 09:00", "2026-06-01 09:00"]
    assert [(str(review)[:16] if review else None, digest) for review, digest in teams] == [
        ("2026-01-05 09:00", None),
        (None, None),
    ]


def migrated_from(old: Database, values: dict[str, str], *statements: str) -> Database:
    """`old` (a database at an earlier revision) holding what `statements` write (with
    `values`), migrated to the latest."""
    with old.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), values)
    upgrade(old.url)
    return old


def test_existing_records_stay_in_the_single_workspace(
    fresh_database: Callable[..., Database],
) -> None:
    old = fresh_database("0012")
    with old.engine.begin() as connection:
        for statement in (
            "INSERT INTO producer_team (name, home_channel_id, created_at, updated_at)"
            " VALUES ('Prices', 'CPRICES', :at, :at)",
            "INSERT INTO user_preference (slack_user_id, last_team_id, updated_at)"
            " VALUES ('U0001', 1, :at)",
            "INSERT INTO console_identity (slack_id, kind, name)"
            " VALUES ('U0000001', 'user', 'ada')",
        ):
            connection.execute(text(statement), {"at": "2026-01-05 09:00:00+00:00"})
    upgrade(old.url)
    with old.transaction() as session:
        team = team_for_person(session=session, channel_id=None, user_id="U0001")
        assert team is not None and team.name == "Prices" and team.workspace_id == ""
        assert identity_names(session=session) == {"U0000001": "ada"}
    # Names, channels and Slack ids are now each workspace's own.
    with old.in_workspace("T0001").transaction() as session:
        assert team_for_person(session=session, channel_id="CPRICES", user_id="U0001") is None
        session.add(ProducerTeam(name="Prices", home_channel_id="CPRICES"))
        session.flush()
        [own] = session.exec(select(ProducerTeam)).all()
        remember_team(session=session, user_id="U0001", team_id=own.id)  # type: ignore[arg-type]
        identity_for(session=session, kind="user", name="ada")


@pytest.mark.slow
def test_an_organisation_takes_the_one_segment_all_its_records_name(
    fresh_database: Callable[..., Database],
) -> None:
    # Segments 1, 2 and 8: central government, devolved and local government, members of
    # the public (the seeded taxonomy's order).
    old = migrated_from(
        fresh_database("0015"),
        {"at": "2026-01-05 09:00:00+00:00", "day": "2026-01-05"},
        "INSERT INTO producer_team (name, created_at, updated_at) VALUES ('Prices', :at, :at)",
        "INSERT INTO organisation (name, created_at) VALUES ('HM Treasury', :at),"
        " ('Bank of England', :at), ('Jo Bloggs', :at), ('Unheard of', :at), ('Torn', :at)",
        "INSERT INTO engagement (team_id, occurred_on, summary, created_at, updated_at)"
        " VALUES (1, :day, 'Central only', :at, :at), (1, :day, 'Two segments', :at, :at),"
        " (1, :day, 'No segment', :at, :at)",
        "INSERT INTO engagement_segment (engagement_id, segment_id) VALUES (1, 1), (2, 1), (2, 3)",
        # HM Treasury: central government twice, and on an engagement naming no segment.
        # Bank of England: also on an engagement naming two. Torn: feedback says otherwise.
        "INSERT INTO engagement_organisation (engagement_id, organisation_id) VALUES"
        " (1, 1), (3, 1), (2, 2), (1, 5), (3, 4)",
        "INSERT INTO feedback (team_id, received_on, text, contact_agreed, status, segment_id,"
        " organisation_id, created_at, updated_at) VALUES"
        " (1, :day, 'Sooner', false, 'new', 1, 1, :at, :at),"
        " (1, :day, 'Weekly', false, 'new', 8, 3, :at, :at),"
        " (1, :day, 'Other', false, 'new', 2, 5, :at, :at)",
    )
    with old.engine.connect() as connection:
        segments = connection.execute(
            text("SELECT name, segment_id FROM organisation ORDER BY id")
        ).all()
    assert [tuple(row) for row in segments] == [
        ("HM Treasury", 1),
        ("Bank of England", None),
        ("Jo Bloggs", 8),
        ("Unheard of", None),
        ("Torn", None),
    ]
