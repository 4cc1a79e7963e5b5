"""OAuth distribution: slack_sdk's installation and OAuth state tables (slack_bots,
slack_installations, slack_oauth_states), built by the stores' own classmethods so their
names and columns are exactly what the stores read and write (storage/installations.py).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

from storage.installations import INSTALLATION_METADATA

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    INSTALLATION_METADATA.create_all(op.get_bind(), checkfirst=False)


def downgrade() -> None:
    INSTALLATION_METADATA.drop_all(op.get_bind(), checkfirst=False)
