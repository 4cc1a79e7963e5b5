"""The database connection: one engine per process, a session per unit of work."""

from __future__ import annotations

import copy
import functools
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, create_engine

from storage.auditing import ACTOR_KEY, UNKNOWN, Actor, audit_sessions
from storage.engagement_links import keep_link_copies_current
from storage.first_responses import keep_first_responses_current
from storage.inbox import CLAIM_KEY, WRITER_KEY, Holding, guard_sessions
from storage.organisation_contacts import keep_contacts_current
from storage.public_versions import keep_public_versions_current
from storage.workspaces import SINGLE_WORKSPACE, WORKSPACE_KEY, scope_sessions

# Every session keeps the review's summaries in step with the records, whichever path
# writes them: each team's first day with each organisation, the engagement's team and
# day on its links, each feedback item's first response (ARCHITECTURE.md, "Summaries").
keep_contacts_current(Session)
keep_link_copies_current(Session)
keep_first_responses_current(Session)
# And each team's public version, which tells the public site whether a page changed.
keep_public_versions_current(Session)


class Database:
    """Owns the engine; `transaction()` commits on success and rolls back on any error.

    What a transaction creates, changes or deletes goes to the audit log as done by
    `actor` (see `acting_as`). A transaction reads and writes only the records of
    `workspace_id` (see `in_workspace` and storage/workspaces.py). A transaction that
    writes as the work of an inbox item deletes the item with its writes, or is refused
    (see `working_on` and storage/inbox.py).

    `statements` runs single statements, each its own transaction (autocommit: no BEGIN
    and COMMIT round trips), past the sessions' hooks: for what must be written in the
    time Slack allows for an acknowledgement (the inbox).

    On SQLite, which lets one connection write at a time, the inbox's statements and the
    writes of its work take turns on `sqlite_writer`, a lock in this process, rather than
    in SQLite's busy handler, which sleeps up to 100 ms between tries: a request's
    acknowledgement would otherwise wait for the work of those before it.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        # See `statements`: the same pool (its connections are counted: processes.md).
        self.statements = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        # See `sqlite_writer`.
        self.sqlite_writer = threading.RLock() if url.startswith("sqlite") else None
        self.actor = UNKNOWN
        self.workspace_id = SINGLE_WORKSPACE
        self.holding: Holding | None = None
        self._sessions = sessionmaker(self.engine, class_=Session, expire_on_commit=False)
        # First: the audit log reads a bulk statement's rows by the WHERE scoping adds.
        scope_sessions(self._sessions, self.engine)
        audit_sessions(self._sessions)
        guard_sessions(self._sessions)

    def acting_as(self, actor: Actor) -> Database:
        """This database (the same engine) with its changes recorded as `actor`'s."""
        view = copy.copy(self)
        view.actor = actor
        return view

    def in_workspace(self, workspace_id: str) -> Database:
        """This database (the same engine) reading and writing only `workspace_id`'s records."""
        view = copy.copy(self)
        view.workspace_id = workspace_id
        return view

    def working_on(self, holding: Holding) -> Database:
        """This database (the same engine) doing the work of the inbox item `holding`
        holds: the first transaction that writes commits only with the item deleted, while
        its claim holds (else it raises `storage.inbox.ClaimLost` and rolls back)."""
        view = copy.copy(self)
        view.holding = holding
        return view

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        info: dict[str, object] = {ACTOR_KEY: self.actor, WORKSPACE_KEY: self.workspace_id}
        if self.holding is not None:
            info[CLAIM_KEY] = self.holding
            if self.sqlite_writer is not None:
                info[WRITER_KEY] = self.sqlite_writer
        with self._sessions(info=info) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def check(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def missing_sqlite_file(url: str) -> Path | None:
    """The file a SQLite `url` names, when it does not exist (connecting would create it,
    empty); None for PostgreSQL, an in-memory database, or a file that exists."""
    parsed = make_url(url)
    name = parsed.database or ""
    if (
        parsed.get_backend_name() != "sqlite"
        or name in ("", ":memory:")
        or name.startswith("file:")
    ):
        return None
    path = Path(name)
    return None if path.exists() else path.absolute()


# One engine a database in a process, however many `Database`s are made for it (a command
# run in the same process, a test's): SQLAlchemy caches compiled statements per engine, and
# compiling one with the workspaces' criteria costs more than running it. `dispose()` only
# closes the pooled connections: the engine stays usable.
@functools.lru_cache(maxsize=16)
def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            # Listeners run on Bolt's worker threads, not the thread that opened the file.
            connect_args={"check_same_thread": False, "timeout": 15},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    _ENGINES.add(engine)
    return engine


_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _leave_the_parents_connections() -> None:
    """In a forked child (a gunicorn worker): the engines it inherits start new pools, and
    leave the connections of the parent's pools alone, open, for the parent (SQLAlchemy's
    advice for pools across processes)."""
    for engine in list(_ENGINES):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_leave_the_parents_connections)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own lower() changes only A-Z: names are matched ignoring case (teams,
    # organisations, themes) as Python and PostgreSQL lower them, 'École' as 'école'.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked, per connection.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value
