"""What the schedule counts from: when each output was added (an output never engaged is
overdue counting from then, not from when its team was set up), and when a team chose its
digest and review channels (no scheduled post covers a period that ended before).

Existing outputs take their team's creation, as overdue was counted until now; a channel
already chosen takes the team's creation too (the moment it was chosen is not kept).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.migrate import numbered_table_batch

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNELS = {
    "digest_channel_set_at": "digest_channel_id",
    "review_channel_set_at": "review_channel_id",
}


def upgrade() -> None:
    with numbered_table_batch("producer_team") as batch_op:
        for column in CHANNELS:
            batch_op.add_column(
                sa.Column(column, storage.types.UTCDateTime(timezone=True), nullable=True)
            )
    for column, channel in CHANNELS.items():
        op.execute(f"UPDATE producer_team SET {column} = created_at WHERE {channel} IS NOT NULL")
    with numbered_table_batch("statistical_output") as batch_op:
        batch_op.add_column(
            sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE statistical_output SET created_at = ("
        " SELECT team.created_at FROM producer_team AS team"
        " WHERE team.id = statistical_output.team_id)"
    )
    with numbered_table_batch("statistical_output") as batch_op:
        batch_op.alter_column(
            "created_at",
            existing_type=storage.types.UTCDateTime(timezone=True),
            nullable=False,
        )


def downgrade() -> None:
    with numbered_table_batch("statistical_output") as batch_op:
        batch_op.drop_column("created_at")
    with numbered_table_batch("producer_team") as batch_op:
        for column in CHANNELS:
            batch_op.drop_column(column)
