"""The public site's rate limits: forms a sender (a keyed hash of a client address or an
email address) sent in an hour (`form_count`).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_count",
        sa.Column("sender", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("window_start", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sender", "window_start"),
    )
    op.create_index(op.f("ix_form_count_window_start"), "form_count", ["window_start"])


def downgrade() -> None:
    op.drop_index(op.f("ix_form_count_window_start"), table_name="form_count")
    op.drop_table("form_count")
