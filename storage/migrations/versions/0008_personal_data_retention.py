"""Feedback records when its contact details were cleared (by retention or `engagebot
erase`), and a partial index holds only the items still keeping personal data.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As storage/models.py: PERSONAL_SQL writes it, at the time of this migration.
HOLDS_PERSONAL_DATA = "contact_agreed{} OR contact_name IS NOT NULL OR contact_email IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "personal_data_cleared_at",
                storage.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.create_index(
            "ix_feedback_personal",
            ["merged_into_id", "status"],
            unique=False,
            sqlite_where=sa.text(HOLDS_PERSONAL_DATA.format(" = 1")),
            postgresql_where=sa.text(HOLDS_PERSONAL_DATA.format("")),
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_personal")
        batch_op.drop_column("personal_data_cleared_at")
