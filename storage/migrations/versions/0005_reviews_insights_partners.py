"""Reviews: team review settings and output targets, insights, partner teams, uses,
and the reverse indexes of the link tables.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "insight",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("source_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["producer_team.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    with op.batch_alter_table("insight", schema=None) as batch_op:
        batch_op.create_index("ix_insight_team_created", ["team_id", "created_at"], unique=False)

    op.create_table(
        "engagement_partner",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["producer_team.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("engagement_id", "team_id"),
    )
    with op.batch_alter_table("engagement_partner", schema=None) as batch_op:
        batch_op.create_index(
            "ix_engagement_partner_team", ["team_id", "engagement_id"], unique=False
        )

    op.create_table(
        "insight_output",
        sa.Column("insight_id", sa.Integer(), nullable=False),
        sa.Column("output_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["insight_id"], ["insight.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["output_id"], ["statistical_output.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("insight_id", "output_id"),
    )
    op.create_table(
        "insight_segment",
        sa.Column("insight_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["insight_id"], ["insight.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["segment_id"], ["audience_segment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("insight_id", "segment_id"),
    )
    op.create_table(
        "insight_theme",
        sa.Column("insight_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["insight_id"], ["insight.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("insight_id", "theme_id"),
    )
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uses", sqlmodel.sql.sqltypes.AutoString(), nullable=True))

    with op.batch_alter_table("engagement_organisation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_engagement_organisation_organisation",
            ["organisation_id", "engagement_id"],
            unique=False,
        )

    with op.batch_alter_table("engagement_output", schema=None) as batch_op:
        batch_op.create_index(
            "ix_engagement_output_output", ["output_id", "engagement_id"], unique=False
        )

    with op.batch_alter_table("engagement_segment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_engagement_segment_segment", ["segment_id", "engagement_id"], unique=False
        )

    with op.batch_alter_table("producer_team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "review_channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("review_cadence", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
        batch_op.add_column(sa.Column("target_days_high", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("target_days_medium", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("target_days_low", sa.Integer(), nullable=True))

    with op.batch_alter_table("statistical_output", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prompt_snoozed_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("statistical_output", schema=None) as batch_op:
        batch_op.drop_column("prompt_snoozed_until")

    with op.batch_alter_table("producer_team", schema=None) as batch_op:
        batch_op.drop_column("target_days_low")
        batch_op.drop_column("target_days_medium")
        batch_op.drop_column("target_days_high")
        batch_op.drop_column("review_cadence")
        batch_op.drop_column("review_channel_id")

    with op.batch_alter_table("engagement_segment", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_segment_segment")

    with op.batch_alter_table("engagement_output", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_output_output")

    with op.batch_alter_table("engagement_organisation", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_organisation_organisation")

    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.drop_column("uses")

    op.drop_table("insight_theme")
    op.drop_table("insight_segment")
    op.drop_table("insight_output")
    with op.batch_alter_table("engagement_partner", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_partner_team")

    op.drop_table("engagement_partner")
    with op.batch_alter_table("insight", schema=None) as batch_op:
        batch_op.drop_index("ix_insight_team_created")

    op.drop_table("insight")
