"""Workspaces: every record belongs to one Slack workspace, and a session reads and
writes only its own workspace's records.

A workspace id is a Slack team id ("T0123"); single-workspace mode (SLACK_BOT_TOKEN)
keeps everything in `SINGLE_WORKSPACE`. Each table is one of:

- a root: it has a `workspace_id` column (`producer_team`, `organisation`, ...);
- team-owned: it has a `team_id` pointing at `producer_team`, and belongs to its team's
  workspace (no column of its own: the review queries read covering indexes on
  `(team_id, ...)`, and the criteria below is a cheap check of the team). The link tables
  that copy their engagement's team for the review (`engagement_segment`, ...) are
  team-owned too, since the review reads them by that team alone; so is
  `engagement_partner`, whose `team_id` is the partner team, of the same workspace;
- exempt: a link table without a team (its primary key is made of foreign keys only:
  reached through the records it links), or a table in `EXEMPT`, each with its reason.

Enforcement is here, once, not in each query (`scope_sessions`):

- `do_orm_execute`: every ORM SELECT gets `with_loader_criteria` for every scoped model
  (so joins, subqueries, `session.get` and relationship loads too); every ORM UPDATE and
  DELETE of a scoped table gets the same criteria in its WHERE (so the audit log, which
  reads the rows a bulk statement touches by that WHERE, sees only those).
- `before_flush`: new root rows get the session's workspace; a root row of another
  workspace, or a team-owned row pointing at another workspace's team, is refused.
- Inserts that bypass the ORM's flush (a bulk `insert()`, the audit log's rows) take
  `workspace_id` from the column's default, which reads the workspace the session put
  on its connection (`after_begin`).

SQL run on a bare connection (`engine.connect()`, `session.connection().execute(...)` of
Core tables) is not scoped: it is for the bookkeeping that spans workspaces
(`workspaces_with_records`, `adopt`) and the summaries worked out from scoped rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    Column,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    delete,
    event,
    inspect,
    select,
    true,
    tuple_,
    union,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import ORMExecuteState, sessionmaker, with_loader_criteria

# Hooks are handed SQLAlchemy's Session (SQLModel's is a subclass of it).
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.util import identity_key
from sqlmodel import Field, Session, SQLModel

SINGLE_WORKSPACE = ""
WORKSPACE_KEY = "workspace_id"  # in session.info and a connection's info
WORKSPACE_ID_LENGTH = 32
TEAMS = "producer_team"

# Tables with neither a workspace nor a team of their own, and why no query can reach
# another workspace's rows through them.
EXEMPT = {
    "console_clock": "the console's clock, one row: the console works in the single"
    " workspace only, and no Slack request reads it",
    "audience_segment": "the audience taxonomy, seeded by the migrations and not editable:"
    " the same for every workspace",
    "feedback_decision": "reached only through its feedback item (team-owned)",
    "opportunity_signup": "reached only through its opportunity (team-owned)",
    "form_count": "the public site's rate limits, by a keyed hash of a client or email"
    " address: the site serves every workspace's teams, and a sender is limited in all",
    "scheduler_lease": "which process ticks the scheduler, one row: no record of anyone's,"
    " and the one ticker ticks every workspace",
}


class WrongWorkspace(Exception):
    """A write would put or change a record in a workspace other than the session's."""


def workspace_column(*, primary_key: bool = False) -> Any:
    """The `workspace_id` column of a root table: filled from the session's workspace
    (`primary_key`: part of the table's key, for a key that is per workspace)."""
    return Field(
        default=None,
        sa_column=Column(
            "workspace_id",
            String(WORKSPACE_ID_LENGTH),
            primary_key=primary_key,
            nullable=False,
            server_default=SINGLE_WORKSPACE,
            default=_connection_workspace,
        ),
    )


def _connection_workspace(context: Any) -> str:
    workspace: str = context.root_connection.info.get(WORKSPACE_KEY, SINGLE_WORKSPACE)
    return workspace


# --- classifying the tables ------------------------------------------------------------------


def is_root(table: Table) -> bool:
    return WORKSPACE_KEY in table.c


def is_link(table: Table) -> bool:
    """A link table: its primary key is two or more foreign keys (whatever else it copies
    from the records it links, such as a team or a day for an index)."""
    keys = list(table.primary_key.columns)
    return len(keys) > 1 and all(column.foreign_keys for column in keys)


def is_team_owned(table: Table) -> bool:
    team = table.c.get("team_id")
    return (
        not is_root(table)
        and team is not None
        # A link's team is a copy of its engagement's (no foreign key of its own).
        and (is_link(table) or any(key.column.table.name == TEAMS for key in team.foreign_keys))
    )


def exemption(table: Table) -> str | None:
    """Why `table` is neither a root nor team-owned, or None if it is one of them."""
    if is_root(table) or is_team_owned(table):
        return None
    if is_link(table):
        return "a link table: reached only through the records it links"
    return EXEMPT.get(table.name)


@dataclass(frozen=True)
class _Scoped:
    model: type[Any]
    table: Table
    root: bool


@cache
def _scoped_models() -> tuple[_Scoped, ...]:
    found = []
    for mapper in SQLModel._sa_registry.mappers:
        table = mapper.local_table
        if isinstance(table, Table) and (is_root(table) or is_team_owned(table)):
            found.append(_Scoped(mapper.class_, table, is_root(table)))
    return tuple(sorted(found, key=lambda scoped: scoped.table.name))


def _criteria(scoped: _Scoped, workspace_id: str) -> Any:
    """The rows of `scoped`'s table that belong to `workspace_id`, as a lambda of the
    entity, so that an alias of it (a second join to the teams) is limited too."""
    if scoped.root:
        return lambda entity: entity.workspace_id == workspace_id
    teams = SQLModel.metadata.tables[TEAMS]
    # The Core table, not the model: the criteria's own subquery is not scoped again.
    # `IS true` keeps the check a filter: PostgreSQL reads the workspace's teams once and
    # checks each row against them, the query's plan unchanged. As a bare IN it would be
    # joined in, and could start the query from every team's rows (as a prepared
    # statement's generic plan did, 20 times slower than the review's own plan).
    return lambda entity: entity.team_id.in_(
        select(teams.c.id).where(teams.c.workspace_id == workspace_id)
    ).is_(true())


# --- enforcement -----------------------------------------------------------------------------


def scope_sessions(sessions: sessionmaker[Session], engine: Engine) -> None:
    """Keep every session `sessions` makes to the workspace in its info (`WORKSPACE_KEY`)."""
    event.listen(sessions, "do_orm_execute", _scope_statement)
    event.listen(sessions, "before_flush", _check_flush)
    event.listen(sessions, "after_begin", _mark_connection)
    # A pooled connection forgets the last session's workspace when it goes back; once an
    # engine, which every `Database` of its URL shares (storage/database.py).
    if not event.contains(engine, "checkin", _forget_workspace):
        event.listen(engine, "checkin", _forget_workspace)


def _forget_workspace(_dbapi: Any, record: Any) -> None:
    record.info.pop(WORKSPACE_KEY, None)


def session_workspace(session: OrmSession) -> str:
    workspace: str = session.info.get(WORKSPACE_KEY, SINGLE_WORKSPACE)
    return workspace


def enter_workspace(session: Session, workspace_id: str) -> None:
    """Keep `session` to `workspace_id` from now on: for a request that learns its
    workspace from what it reads first on the bare connection (a public page, from its
    team's address). Refused once the session holds records, read or written, of the
    workspace it had."""
    if session.identity_map or session.new:
        raise WrongWorkspace("a session that holds records cannot change its workspace")
    session.info[WORKSPACE_KEY] = workspace_id
    session.connection().info[WORKSPACE_KEY] = workspace_id


def _mark_connection(session: Session, _transaction: Any, connection: Connection) -> None:
    connection.info[WORKSPACE_KEY] = session_workspace(session)


def _scope_statement(execution: ORMExecuteState) -> None:
    workspace = session_workspace(execution.session)
    if execution.is_select:
        execution.statement = execution.statement.options(*_select_options(workspace))
    elif execution.is_update or execution.is_delete:
        # The statement's table is the ORM's annotated copy of the model's: match by name.
        table = getattr(getattr(execution.statement, "table", None), "name", None)
        for scoped in _scoped_models():
            if scoped.table.name == table:
                # mypy: an ORM UPDATE or DELETE statement, which has where().
                execution.statement = execution.statement.where(  # type: ignore[attr-defined]
                    _criteria(scoped, workspace)(scoped.model)
                )


@lru_cache(maxsize=1024)
def _select_options(workspace: str) -> tuple[Any, ...]:
    # Made once per workspace: building them for every statement would cost more than the
    # statement itself.
    return tuple(
        with_loader_criteria(scoped.model, _criteria(scoped, workspace), include_aliases=True)
        for scoped in _scoped_models()
    )


def _check_flush(session: Session, _context: Any, _instances: Any) -> None:
    workspace = session_workspace(session)
    team_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(obj), "__table__", None)
        if not isinstance(table, Table):
            continue
        if is_root(table):
            if obj.workspace_id is None and obj in session.new:
                obj.workspace_id = workspace
            elif obj.workspace_id != workspace:
                raise WrongWorkspace(
                    f"{table.name} of workspace {obj.workspace_id!r} written in {workspace!r}"
                )
        elif is_team_owned(table) and obj.team_id is not None and _team_set(session, obj):
            team_ids.add(obj.team_id)
    if team_ids:
        _check_teams(session, workspace, team_ids)


def _team_set(session: Session, obj: Any) -> bool:
    """Whether the flush gives `obj` its team (a row read in this workspace that keeps its
    team stays in it)."""
    return obj in session.new or (
        obj not in session.deleted and inspect(obj).attrs.team_id.history.has_changes()
    )


def _check_teams(session: Session, workspace: str, team_ids: set[int]) -> None:
    # A team this session has loaded was read in its workspace (or refused above if the
    # flush moves it): only the others are looked up.
    unseen = {team_id for team_id in team_ids if not _loaded_in(session, team_id, workspace)}
    if not unseen:
        return
    teams = SQLModel.metadata.tables[TEAMS]
    own: set[int] = set(
        session.connection()
        .execute(
            select(teams.c.id).where(
                teams.c.id.in_(sorted(unseen)), teams.c.workspace_id == workspace
            )
        )
        .scalars()
    )
    others = unseen - own
    if others:
        raise WrongWorkspace(f"teams {sorted(others)} are not in workspace {workspace!r}")


def _loaded_in(session: Session, team_id: int, workspace: str) -> bool:
    team = session.identity_map.get(identity_key(_teams_model(), team_id))
    return team is not None and team.workspace_id == workspace


@cache
def _teams_model() -> type[Any]:
    return next(scoped.model for scoped in _scoped_models() if scoped.table.name == TEAMS)


# --- across workspaces (the command line) ----------------------------------------------------


def root_tables() -> list[Table]:
    return [table for table in SQLModel.metadata.sorted_tables if is_root(table)]


def workspaces_with_records(*, connection: Connection) -> list[str]:
    """Every workspace that holds a record, in order ("" is single-workspace mode's)."""
    query = union(*(select(table.c.workspace_id).distinct() for table in root_tables()))
    return sorted(connection.execute(query).scalars())


# A person's conveniences rather than records (their last team, the console's made-up
# names): where the workspace adopting has its own already, it keeps its own.
_TARGET_KEEPS = ("user_preference", "console_identity")
ADOPT_SHOWN = 5  # clashing records named, of each key


class AdoptClash(Exception):
    """The workspace adopting already has records with the same names or keys."""

    def __init__(self, clashes: Sequence[tuple[str, Sequence[str], Sequence[Any]]]) -> None:
        super().__init__("; ".join(_clash_text(*clash) for clash in clashes))


def _clash_text(table: str, columns: Sequence[str], values: Sequence[Any]) -> str:
    shown = ", ".join("/".join(str(part) for part in value) for value in values[:ADOPT_SHOWN])
    hidden = len(values) - ADOPT_SHOWN
    more = f" and {hidden} more" if hidden > 0 else ""
    return f"{table} ({', '.join(columns)}): {shown}{more}"


def adopt(*, connection: Connection, source: str, target: str) -> dict[str, int]:
    """Move every record of workspace `source` into `target` (team-owned records follow
    their team); how many rows of each root table moved. Raises AdoptClash, naming every
    record whose name or key `target` already uses (run it in a transaction)."""
    clashes = []
    for table in root_tables():
        for columns in _keys_within_workspace(table):
            clashing = _clashing(connection, table, columns, source, target)
            if clashing and table.name in _TARGET_KEEPS:
                for start in range(0, len(clashing), 500):
                    key = tuple_(*(table.c[name] for name in columns))
                    connection.execute(
                        delete(table).where(
                            table.c.workspace_id == source,
                            key.in_(clashing[start : start + 500]),
                        )
                    )
            elif clashing:
                clashes.append((table.name, columns, clashing))
    if clashes:
        raise AdoptClash(clashes)
    moved = {}
    for table in root_tables():
        result = connection.execute(
            update(table).where(table.c.workspace_id == source).values(workspace_id=target)
        )
        moved[table.name] = result.rowcount
    return moved


def _keys_within_workspace(table: Table) -> list[tuple[str, ...]]:
    """The columns (besides the workspace) of each of `table`'s keys that are per
    workspace: its primary key if it holds the workspace, its unique constraints."""
    keys = [
        tuple(column.name for column in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, PrimaryKeyConstraint | UniqueConstraint)
    ]
    return sorted(
        tuple(name for name in key if name != WORKSPACE_KEY) for key in keys if WORKSPACE_KEY in key
    )


def _clashing(
    connection: Connection, table: Table, columns: Sequence[str], source: str, target: str
) -> list[tuple[Any, ...]]:
    theirs = table.alias("theirs")
    query = (
        select(*(table.c[name] for name in columns))
        .where(table.c.workspace_id == source)
        .where(
            select(theirs.c.workspace_id)
            .where(theirs.c.workspace_id == target)
            .where(*(theirs.c[name] == table.c[name] for name in columns))
            .exists()
        )
        .order_by(*(table.c[name] for name in columns))
    )
    return [tuple(row) for row in connection.execute(query)]
