"""A retired output (`statistical_output.retired_at`): it keeps its history, leaves the
forms and is no longer overdue for engagement.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copying a table on SQLite (the downgrade's batch) loses this unless asked again
# (storage/models.py: NEVER_REUSE_IDS).
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def upgrade() -> None:
    op.add_column(
        "statistical_output",
        sa.Column("retired_at", storage.types.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("statistical_output", table_kwargs=NEVER_REUSE_IDS) as batch:
        batch.drop_column("retired_at")
