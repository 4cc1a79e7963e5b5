"""One engine a database URL in a process (storage/database.py), and a forked child (a
gunicorn worker) that does not use its parent's pooled connections."""

from __future__ import annotations

import os

from sqlalchemy import text

from storage.database import Database


def test_databases_of_one_url_share_an_engine(database_url: str) -> None:
    assert Database(database_url).engine is Database(database_url).engine


def test_a_forked_child_opens_connections_of_its_own(postgres_url: str) -> None:
    database = Database(postgres_url)
    backend = "SELECT pg_backend_pid()"
    with database.engine.connect() as connection:  # pooled once it is closed
        parents = connection.execute(text(backend)).scalar_one()
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # the child: whatever happens, it exits here
        try:
            with Database(postgres_url).engine.connect() as connection:
                os.write(writing, str(connection.execute(text(backend)).scalar_one()).encode())
        finally:
            os._exit(0)
    os.close(writing)
    childs = int(os.read(reading, 32) or b"0")
    os.waitpid(child, 0)
    assert childs not in (0, parents)
    with database.engine.connect() as connection:  # the parent's, still open and its own
        assert connection.execute(text(backend)).scalar_one() == parents
    database.dispose()
