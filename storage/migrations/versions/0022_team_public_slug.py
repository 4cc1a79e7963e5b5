"""A team's public pages: the address it picks (`producer_team.public_slug`), unique across
workspaces, as the public site serves them all.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copying a table on SQLite (the downgrade's batch) loses this unless asked again
# (storage/models.py: NEVER_REUSE_IDS).
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def upgrade() -> None:
    op.add_column(
        "producer_team",
        sa.Column("public_slug", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    )
    op.create_index(
        op.f("ix_producer_team_public_slug"), "producer_team", ["public_slug"], unique=True
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_producer_team_public_slug"), table_name="producer_team")
    with op.batch_alter_table("producer_team", table_kwargs=NEVER_REUSE_IDS) as batch:
        batch.drop_column("public_slug")
