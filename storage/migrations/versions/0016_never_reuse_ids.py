"""Ids are never reused: every table the database numbers is AUTOINCREMENT on SQLite.

Without it SQLite gives a deleted row's id to the next row when it was the largest (undo
feedback #5, record another: a second #5, and the audit log names two items "feedback 5").
The first migration made four tables AUTOINCREMENT, but copying a table in batch mode
forgets it: 0004 copied `feedback` (to add its foreign keys) without asking again. Each
table is copied once more, asking for it, and its counter starts past the largest id it
holds or the audit log records (a row deleted before this upgrade keeps its number).
PostgreSQL's sequences never go back: nothing to do there.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables 0001 made AUTOINCREMENT and no migration has copied since, or copied asking
# again (0014: producer_team), keep it.
KEPT = ("producer_team", "statistical_output", "engagement")
NUMBERED = (
    "audience_segment",
    "organisation",
    "theme",
    "feedback",
    "feedback_decision",
    "upcoming_change",
    "subscription",
    "opportunity",
    "opportunity_signup",
    "delivery",
    "insight",
    "audit_entry",
)
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in NUMBERED:
        # A copy, whatever the table needs: only a new table can be AUTOINCREMENT.
        with op.batch_alter_table(table, recreate="always", table_kwargs=NEVER_REUSE_IDS):
            pass
    for table in (*KEPT, *NUMBERED):
        _count_past_every_id_used(table)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in NUMBERED:
        with op.batch_alter_table(table, recreate="always"):
            pass


def _count_past_every_id_used(table: str) -> None:
    """Start SQLite's counter for `table` (sqlite_sequence) at the largest id the table
    holds or the audit log names it by, whichever is larger."""
    connection = op.get_bind()
    largest = connection.execute(
        sa.text(
            f"SELECT MAX(id) FROM (SELECT MAX(id) AS id FROM {table}"
            " UNION ALL SELECT MAX(CAST(record_id AS INTEGER)) FROM audit_entry"
            " WHERE table_name = :table AND record_id NOT GLOB '*[^0-9]*' AND record_id != '')"
        ),
        {"table": table},
    ).scalar()
    if largest is None:
        return
    counted = connection.execute(
        sa.text("SELECT seq FROM sqlite_sequence WHERE name = :table"), {"table": table}
    ).scalar()
    if counted is None:
        connection.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :largest)"),
            {"table": table, "largest": largest},
        )
    elif counted < largest:
        connection.execute(
            sa.text("UPDATE sqlite_sequence SET seq = :largest WHERE name = :table"),
            {"table": table, "largest": largest},
        )
