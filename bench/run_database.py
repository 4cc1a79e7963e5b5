"""A fresh, migrated database for a benchmark run: PostgreSQL (a new database on the
server given) or SQLite (a file in the run's folder), dropped afterwards unless kept."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from storage.migrate import upgrade

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"


@contextmanager
def fresh_database(
    *, sqlite: bool, postgres_server: str, workdir: Path, keep: bool, prefix: str
) -> Iterator[str]:
    """Yield the URL of an empty database at the migrations' head."""
    if sqlite:
        url = f"sqlite:///{workdir / 'engagebot.sqlite'}"
        upgrade(url)
        yield url
        return
    server = postgres_server.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"engagebot_{prefix}_{uuid.uuid4().hex[:8]}"
    _postgres_admin(server, f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        if not keep:
            _postgres_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_admin(server: str, statement: str) -> None:
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(statement))
    admin.dispose()
