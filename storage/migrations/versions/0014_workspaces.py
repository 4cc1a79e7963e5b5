"""Workspaces: every root table gets `workspace_id` (storage/workspaces.py), '' for the
records of single-workspace mode, which is every record there is so far. Names and keys
that were unique are now unique within a workspace; the people and console identities,
keyed by Slack ids, are keyed by workspace and id.

Revision ID: 0014
Revises: 0012
Create Date: 2026-11-26
"""

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL's names for the unique constraints the first migrations left unnamed; SQLite
# reflects them unnamed, and batch mode names them the same way so they can be dropped.
NAMING = {"uq": "%(table_name)s_%(column_0_N_name)s_key"}

# table: (unique constraints dropped, unique constraints made {name: columns}, new key)
CHANGES: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, ...]], tuple[str, ...]]] = {
    "producer_team": (
        ("producer_team_name_key", "producer_team_home_channel_id_key"),
        {
            "uq_producer_team_workspace_name": ("workspace_id", "name"),
            "uq_producer_team_workspace_home_channel": ("workspace_id", "home_channel_id"),
        },
        (),
    ),
    "organisation": (
        ("organisation_name_key",),
        {"uq_organisation_workspace_name": ("workspace_id", "name")},
        (),
    ),
    "theme": (("theme_name_key",), {"uq_theme_workspace_name": ("workspace_id", "name")}, ()),
    "user_preference": ((), {}, ("workspace_id", "slack_user_id")),
    "console_identity": (
        ("console_identity_kind_name_key",),
        {"uq_console_identity_workspace_kind_name": ("workspace_id", "kind", "name")},
        ("workspace_id", "slack_id"),
    ),
    "delivery": (("delivery_key_key",), {"uq_delivery_workspace_key": ("workspace_id", "key")}, ()),
    "audit_entry": ((), {}, ()),
}
# Copying a table on SQLite loses this unless asked again (storage/models.py: NEVER_REUSE_IDS).
NEVER_REUSE_IDS = {"producer_team": {"sqlite_autoincrement": True}}
OLD_KEYS = {"user_preference": ("slack_user_id",), "console_identity": ("slack_id",)}


def upgrade() -> None:
    with _quiet_key_change():
        _upgrade()


def _upgrade() -> None:
    for table, (dropped, made, key) in CHANGES.items():
        with op.batch_alter_table(
            table,
            naming_convention=NAMING,
            table_kwargs=NEVER_REUSE_IDS.get(table, {}),
        ) as batch_op:
            batch_op.add_column(
                sa.Column("workspace_id", sa.String(length=32), server_default="", nullable=False)
            )
            for name in dropped:
                batch_op.drop_constraint(name, type_="unique")
            for name, columns in made.items():
                batch_op.create_unique_constraint(name, list(columns))
            if key:
                _replace_key(batch_op, table, key)
    # PostgreSQL has no statistics for a new column until enough rows change, and would
    # take `workspace_id = ''` for a rare value: a review would then start from every team's
    # rows instead of its own (storage/workspaces.py limits every query by it). SQLite keeps
    # statistics only when asked, and is left as it was.
    if op.get_bind().dialect.name == "postgresql":
        for table in CHANGES:
            op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    with _quiet_key_change():
        _downgrade()


def _downgrade() -> None:
    for table, (dropped, made, key) in CHANGES.items():
        with op.batch_alter_table(
            table, naming_convention=NAMING, table_kwargs=NEVER_REUSE_IDS.get(table, {})
        ) as batch_op:
            if key:
                _replace_key(batch_op, table, OLD_KEYS[table])
            for name in made:
                batch_op.drop_constraint(name, type_="unique")
            for name in dropped:
                column = name.removeprefix(f"{table}_").removesuffix("_key")
                columns = ["kind", "name"] if table == "console_identity" else [column]
                batch_op.create_unique_constraint(name, columns)
            batch_op.drop_column("workspace_id")


@contextmanager
def _quiet_key_change() -> Iterator[None]:
    # SQLite's copy of the table warns that its key columns differ from the old ones,
    # which is the point.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Table '_alembic_tmp_", sa.exc.SAWarning)
        yield


def _replace_key(batch_op: Any, table: str, key: tuple[str, ...]) -> None:
    # SQLite's copy of the table takes the new key in place of the old, which is unnamed.
    if op.get_bind().dialect.name == "postgresql":
        batch_op.drop_constraint(f"{table}_pkey", type_="primary")
    batch_op.create_primary_key(f"{table}_pkey", list(key))
