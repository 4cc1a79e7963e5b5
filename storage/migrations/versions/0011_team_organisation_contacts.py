"""Each team's first day with each organisation (team_organisation_contact), filled from
the engagements already recorded, so a review counts new organisations without reading
the team's whole history; and the indexes a review reads feedback and its decisions by
cover what it asks of them, so it reads no item's row.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team_organisation_contact",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["producer_team.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", "organisation_id"),
    )
    # As storage/organisation_contacts.py (rebuild_contacts) works it out; written out
    # here so the migration stays as it is when that module changes.
    op.execute(
        "INSERT INTO team_organisation_contact (team_id, organisation_id, first_on) "
        "SELECT e.team_id, eo.organisation_id, MIN(e.occurred_on) "
        "FROM engagement_organisation eo JOIN engagement e ON e.id = eo.engagement_id "
        "GROUP BY e.team_id, eo.organisation_id"
    )
    with op.batch_alter_table("team_organisation_contact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_team_organisation_contact_first", ["team_id", "first_on"], unique=False
        )
    _replace_index(
        "feedback",
        "ix_feedback_team_received",
        ["team_id", "received_on", "merged_into_id", "status", "organisation_id"],
        postgresql_include=["id"],
    )
    _replace_index(
        "feedback_decision",
        "ix_feedback_decision_feedback",
        ["feedback_id", "decided_at", "from_status", "to_status"],
    )


def downgrade() -> None:
    _replace_index(
        "feedback_decision", "ix_feedback_decision_feedback", ["feedback_id", "decided_at"]
    )
    _replace_index("feedback", "ix_feedback_team_received", ["team_id", "received_on"])
    with op.batch_alter_table("team_organisation_contact", schema=None) as batch_op:
        batch_op.drop_index("ix_team_organisation_contact_first")
    op.drop_table("team_organisation_contact")


def _replace_index(table: str, name: str, columns: list[str], **options: Any) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_index(name)
        batch_op.create_index(name, columns, unique=False, **options)
