"""The engagement index by team and day also covers the method (and, on PostgreSQL, the id),
so a review reads a team's period from the index alone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_team_occurred")
        batch_op.create_index(
            "ix_engagement_team_occurred",
            ["team_id", "occurred_on", "method"],
            unique=False,
            postgresql_include=["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_team_occurred")
        batch_op.create_index(
            "ix_engagement_team_occurred", ["team_id", "occurred_on"], unique=False
        )
