"""The entry a merge writes on the item kept names the item merged in, so that it is told
apart from decisions: a published statement gives the latest decision's note, never "#12
merged into this item." Earlier merges' entries are found by that note.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feedback_decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE feedback_decision SET merged_id = ("
        " SELECT merged.id FROM feedback AS merged"
        " WHERE merged.merged_into_id IS NOT NULL"
        " AND feedback_decision.note = '#' || merged.id || ' merged into this item.')"
        " WHERE from_status = to_status AND note LIKE '#% merged into this item.'"
    )


def downgrade() -> None:
    with op.batch_alter_table("feedback_decision", schema=None) as batch_op:
        batch_op.drop_column("merged_id")
