"""What a team's public pages show, numbered (`team_public_version`), so the public site
answers a conditional GET, or from its cache, by reading one row.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team_public_version",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["producer_team.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id"),
    )
    # The teams there now: changed as of the upgrade, as far as a page can tell.
    op.execute(
        "INSERT INTO team_public_version (team_id, version, changed_at) "
        "SELECT id, 0, CURRENT_TIMESTAMP FROM producer_team"
    )


def downgrade() -> None:
    op.drop_table("team_public_version")
