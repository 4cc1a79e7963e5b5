"""Alembic, driven from code so no alembic.ini is needed at run time, and what its
migrations share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command, op
from alembic.config import Config
from alembic.operations import BatchOperations
from sqlalchemy import text

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Alembic reads this through ConfigParser, which treats % as interpolation.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply every pending migration."""
    command.upgrade(alembic_config(database_url), revision)


@contextmanager
def numbered_table_batch(table: str) -> Iterator[BatchOperations]:
    """`op.batch_alter_table` for a table whose ids are never reused, in a migration. On
    SQLite a batch may copy the table, and the copy would forget AUTOINCREMENT and start
    counting again from the largest id left (a deleted row's number would come back):
    both are kept. Elsewhere it is the plain batch."""
    connection = op.get_bind()
    counter = "SELECT seq FROM sqlite_sequence WHERE name = :table"
    counted = (
        connection.execute(text(counter), {"table": table}).scalar()
        if connection.dialect.name == "sqlite"
        else None
    )
    with op.batch_alter_table(table, table_kwargs={"sqlite_autoincrement": True}) as batch:
        yield batch
    if counted is not None:
        connection.execute(
            text("UPDATE sqlite_sequence SET seq = MAX(seq, :counted) WHERE name = :table"),
            {"table": table, "counted": counted},
        )
