"""Two more summaries for reviews, filled from the records already there: the engagement's
team and day copied into its output, segment and organisation links, indexed by team and
day, so a period's links are one index range; and each feedback item's first response
(when its status first changed), which the index a review reads items by now holds.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINKS = {
    "engagement_output": "output_id",
    "engagement_segment": "segment_id",
    "engagement_organisation": "organisation_id",
}
FEEDBACK_INDEX = ["team_id", "received_on", "merged_into_id", "status", "organisation_id"]


def upgrade() -> None:
    # Written out here, as storage/engagement_links.py and storage/first_responses.py work
    # them out, so the migration stays as it is when those modules change. UPDATE ... FROM
    # is PostgreSQL's and SQLite's (3.33 and later).
    for table, linked in LINKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("occurred_on", sa.Date(), nullable=True))
        op.execute(
            f"UPDATE {table} SET team_id = e.team_id, occurred_on = e.occurred_on "
            f"FROM engagement AS e WHERE e.id = {table}.engagement_id"
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(
                f"ix_{table}_team_occurred", ["team_id", "occurred_on", linked], unique=False
            )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE feedback SET first_response_at = d.first FROM ("
        " SELECT feedback_id, MIN(decided_at) AS first FROM feedback_decision"
        " WHERE to_status <> from_status AND to_status <> 'merged' GROUP BY feedback_id"
        ") AS d WHERE d.feedback_id = feedback.id"
    )
    _replace_index(
        "feedback",
        "ix_feedback_team_received",
        [*FEEDBACK_INDEX, "first_response_at"],
        postgresql_include=["id"],
    )


def downgrade() -> None:
    _replace_index(
        "feedback", "ix_feedback_team_received", FEEDBACK_INDEX, postgresql_include=["id"]
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_column("first_response_at")
    for table in LINKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_team_occurred")
            batch_op.drop_column("occurred_on")
            batch_op.drop_column("team_id")


def _replace_index(table: str, name: str, columns: list[str], **options: Any) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_index(name)
        batch_op.create_index(name, columns, unique=False, **options)
