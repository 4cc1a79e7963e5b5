"""A fresh, migrated database for a benchmark run: PostgreSQL (a new database on the
server given) or SQLite (a file in the run's folder), dropped afterwards unless kept."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from storage.migrate import upgrade

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """--sqlite, --postgres SERVER and --keep, which `fresh_database` reads."""
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument(
        "--postgres",
        default=POSTGRES_SERVER,
        help="the PostgreSQL server in which to make the fresh database",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (and logs)")


@contextmanager
def fresh_database(args: argparse.Namespace, workdir: Path, prefix: str) -> Iterator[str]:
    """Yield the URL of an empty database at the migrations' head."""
    keep, postgres_server = args.keep, args.postgres
    if args.sqlite:
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
