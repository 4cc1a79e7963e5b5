"""The register of organisations: each organisation gets its own audience segment, by which
published statements attribute it. An organisation already named takes the one segment
its records name, when every engagement naming it and every feedback item from it name
that same segment and no other (as a new organisation takes its record's only segment);
any other is left not recorded, to be set in Slack or by `engagebot import organisations`.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrate import numbered_table_batch

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (organisation, segment) for each segment a record naming the organisation names.
NAMED_IN = (
    "SELECT eo.organisation_id, es.segment_id FROM engagement_organisation AS eo"
    " JOIN engagement_segment AS es ON es.engagement_id = eo.engagement_id"
    " UNION SELECT organisation_id, segment_id FROM feedback"
    " WHERE organisation_id IS NOT NULL AND segment_id IS NOT NULL"
)


def upgrade() -> None:
    with numbered_table_batch("organisation") as batch_op:
        batch_op.add_column(sa.Column("segment_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "organisation_segment_id_fkey", "audience_segment", ["segment_id"], ["id"]
        )
    of_this = f"FROM ({NAMED_IN}) AS named WHERE named.organisation_id = organisation.id"
    op.execute(
        f"UPDATE organisation SET segment_id = (SELECT MIN(named.segment_id) {of_this})"
        f" WHERE (SELECT COUNT(DISTINCT named.segment_id) {of_this}) = 1"
    )


def downgrade() -> None:
    with numbered_table_batch("organisation") as batch_op:
        batch_op.drop_constraint("organisation_segment_id_fkey", type_="foreignkey")
        batch_op.drop_column("segment_id")
