"""Upcoming changes, subscriptions, opportunities, deliveries; team settings; merged feedback.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("due_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("claimed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("message_channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["producer_team.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_delivery_status_next", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "opportunity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("happens_on", sa.Date(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("organiser", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("source_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["producer_team.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_opportunity_status_happens", ["status", "happens_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_opportunity_team_id"), ["team_id"], unique=False)

    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("output_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("ended_reason", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["output_id"],
            ["statistical_output.id"],
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["producer_team.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscription_channel_id"), ["channel_id"], unique=False
        )
        batch_op.create_index("ix_subscription_team_active", ["team_id", "active"], unique=False)

    op.create_table(
        "upcoming_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("output_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("feedback_by", sa.Date(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("source_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["output_id"],
            ["statistical_output.id"],
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["producer_team.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    with op.batch_alter_table("upcoming_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_upcoming_change_output_id"), ["output_id"], unique=False
        )
        batch_op.create_index(
            "ix_upcoming_change_status_effective", ["status", "effective_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_upcoming_change_team_id"), ["team_id"], unique=False)

    op.create_table(
        "change_segment",
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["change_id"], ["upcoming_change.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["segment_id"], ["audience_segment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("change_id", "segment_id"),
    )
    op.create_table(
        "opportunity_signup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("signed_up_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("opportunity_id", "user_id"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("change_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_feedback_change_id"), ["change_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_feedback_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_feedback_merged_into_id", "feedback", ["merged_into_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_feedback_change_id", "upcoming_change", ["change_id"], ["id"]
        )

    with op.batch_alter_table("producer_team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("alert_lead_days", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "digest_channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("digest_cadence", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("producer_team", schema=None) as batch_op:
        batch_op.drop_column("digest_cadence")
        batch_op.drop_column("digest_channel_id")
        batch_op.drop_column("alert_lead_days")
        batch_op.drop_column("timezone")

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint("fk_feedback_change_id", type_="foreignkey")
        batch_op.drop_constraint("fk_feedback_merged_into_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_feedback_merged_into_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_change_id"))
        batch_op.drop_column("change_id")
        batch_op.drop_column("merged_into_id")

    op.drop_table("opportunity_signup")
    op.drop_table("change_segment")
    with op.batch_alter_table("upcoming_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_upcoming_change_team_id"))
        batch_op.drop_index("ix_upcoming_change_status_effective")
        batch_op.drop_index(batch_op.f("ix_upcoming_change_output_id"))

    op.drop_table("upcoming_change")
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_index("ix_subscription_team_active")
        batch_op.drop_index(batch_op.f("ix_subscription_channel_id"))

    op.drop_table("subscription")
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_team_id"))
        batch_op.drop_index("ix_opportunity_status_happens")

    op.drop_table("opportunity")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_status_next")

    op.drop_table("delivery")
