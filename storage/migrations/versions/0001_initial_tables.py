"""Initial tables, and the audience segment taxonomy seeded.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SEGMENTS = (
    "central government",
    "devolved and local government",
    "academia and research",
    "media",
    "business and industry",
    "charities and voluntary sector",
    "international bodies",
    "members of the public",
    "internal users",
)


def upgrade() -> None:
    segment_table = op.create_table(
        "audience_segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "producer_team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("home_channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("home_channel_id"),
        sa.UniqueConstraint("name"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "engagement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.Column("expertise", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("what_we_heard", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("follow_up_actions", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("logged_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("source_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["producer_team.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_engagement_logged_by_created", ["logged_by", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_engagement_team_occurred", ["team_id", "occurred_on"], unique=False
        )

    op.create_table(
        "statistical_output",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("profile", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["producer_team.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "name"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("statistical_output", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statistical_output_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_statistical_output_team_id"), ["team_id"], unique=False
        )

    op.create_table(
        "user_preference",
        sa.Column("slack_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("last_team_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["last_team_id"], ["producer_team.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("slack_user_id"),
    )
    op.create_table(
        "engagement_organisation",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("engagement_id", "organisation_id"),
    )
    op.create_table(
        "engagement_output",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("output_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["output_id"], ["statistical_output.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("engagement_id", "output_id"),
    )
    op.create_table(
        "engagement_segment",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["segment_id"], ["audience_segment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("engagement_id", "segment_id"),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("output_id", sa.Integer(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("contact_agreed", sa.Boolean(), nullable=False),
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("contact_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("source_permalink", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("source_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["output_id"],
            ["statistical_output.id"],
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["audience_segment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["producer_team.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feedback_output_id"), ["output_id"], unique=False)
        batch_op.create_index(
            "ix_feedback_recorded_by_created", ["recorded_by", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feedback_status"), ["status"], unique=False)
        batch_op.create_index("ix_feedback_team_received", ["team_id", "received_on"], unique=False)

    op.create_table(
        "feedback_theme",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["feedback_id"], ["feedback.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("feedback_id", "theme_id"),
    )
    op.bulk_insert(
        segment_table,
        [{"name": name, "position": index} for index, name in enumerate(SEGMENTS)],
    )


def downgrade() -> None:
    op.drop_table("feedback_theme")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_team_received")
        batch_op.drop_index(batch_op.f("ix_feedback_status"))
        batch_op.drop_index("ix_feedback_recorded_by_created")
        batch_op.drop_index(batch_op.f("ix_feedback_output_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_organisation_id"))

    op.drop_table("feedback")
    op.drop_table("engagement_segment")
    op.drop_table("engagement_output")
    op.drop_table("engagement_organisation")
    op.drop_table("user_preference")
    with op.batch_alter_table("statistical_output", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statistical_output_team_id"))
        batch_op.drop_index(batch_op.f("ix_statistical_output_name"))

    op.drop_table("statistical_output")
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_team_occurred")
        batch_op.drop_index("ix_engagement_logged_by_created")

    op.drop_table("engagement")
    op.drop_table("theme")
    op.drop_table("producer_team")
    op.drop_table("organisation")
    op.drop_table("audience_segment")
