"""The audit log's capture: every create, change and delete made through a `Database`
session is written to `audit_entry` in the same transaction, so both happen or neither.

It is done once, here, from SQLAlchemy's session events, not in each query function:

- `after_flush`: the rows the ORM inserts, updates and deletes (the session still holds
  each object's old values at that point), and the link rows that many-to-many collections
  (an engagement's outputs, segments, ...) add or remove. Link rows removed along with
  their record are not listed one by one: the record's delete says it.
- `do_orm_execute`: bulk `update()`, `delete()` and `insert()` statements run through the
  session. The rows an UPDATE or DELETE touches are read first with the statement's own
  WHERE, and each gets an entry (an UPDATE's new values are read back after it runs). An
  INSERT gets one entry for the statement: its table and how many rows, not their values.
- `before_commit`: what the transaction did is written, one entry per record (`_Pending`),
  just before the commit; a rollback writes nothing.

Who acted and from where travel in `session.info` (`Database.acting_as`). The bot's own
bookkeeping is left out (`UNAUDITED`), or every tick would flood the log. A personal
field (marked `PERSONAL` in `storage/models.py`) is recorded as changed, never its value,
and so is every field a transaction that `withhold_values` changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    RowMapping,
    Table,
    event,
    insert,
    inspect,
    select,
    tuple_,
)
from sqlalchemy.orm import InstanceState, ORMExecuteState, RelationshipProperty, sessionmaker

# Hooks are handed SQLAlchemy's Session (SQLModel's is a subclass of it).
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel

from storage.clock import utc_now
from storage.models import AuditEntry
from storage.types import table_of

CREATE, CHANGE, DELETE = "create", "change", "delete"
PERSONAL_VALUE = "<personal>"
ACTOR_KEY = "audit_actor"
# Set (`withhold_values`) by a transaction whose old and new values must not be kept,
# such as `engagebot erase`: its changes are logged as fields changed, like personal ones.
_WITHHOLD_KEY = "audit_withhold_values"
_PENDING_KEY = "audit_pending"
BULK = "*"  # the record id of a bulk INSERT's entry

# Not a person's record: the scheduler's queue and its lease, the requests waiting for their
# work (the records that work makes are logged), the console's made-up ids, the team each
# person last recorded for, and the log itself.
UNAUDITED = frozenset(
    {
        "delivery",
        "inbox_item",
        "console_identity",
        "console_clock",
        "scheduler_lease",
        "form_count",
        "user_preference",
        "audit_entry",
        "alembic_version",
    }
)
# Every save moves it: the entry's own time says when, so it is not listed as a change.
NOT_A_CHANGE = frozenset({"updated_at"})


@dataclass(frozen=True)
class Actor:
    """Who acts (a Slack user id, "cli:<login>", "scheduler") and from where."""

    who: str
    origin: str


UNKNOWN = Actor("unknown", "unknown")  # a change made with no actor bound


@dataclass(frozen=True)
class _Entry:
    action: str
    table: str
    record_id: str
    change: dict[str, Any]


class _Pending:
    """A transaction's entries, one per record: created then changed is one create with
    the last values; changed twice, one change from the first old value to the last new
    (none if it came back); created then deleted, nothing at all."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._statements: list[_Entry] = []  # bulk INSERTs: not one record's

    def add(self, entry: _Entry) -> None:
        if entry.record_id == BULK:
            self._statements.append(entry)
            return
        key = (entry.table, entry.record_id)
        earlier = self._entries.get(key)
        if earlier is not None and entry.action == CHANGE and earlier.action != DELETE:
            change = _joined(earlier.action, earlier.change, entry.change)
            entry = _Entry(earlier.action, entry.table, entry.record_id, change)
        never_was = earlier is not None and (earlier.action, entry.action) == (CREATE, DELETE)
        if never_was or (entry.action == CHANGE and not entry.change):
            self._entries.pop(key, None)
        else:
            self._entries[key] = entry  # in the place of its first entry

    def taken(self) -> list[_Entry]:
        """The entries so far, forgotten here."""
        entries = [*self._entries.values(), *self._statements]
        self._entries, self._statements = {}, []
        return entries


def _joined(action: str, earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    """A create's values, or a change, followed by a later change."""
    joined = dict(earlier)
    for field, value in later.items():
        before = earlier.get(field)
        if value == PERSONAL_VALUE or before == PERSONAL_VALUE:
            joined[field] = PERSONAL_VALUE
        elif action == CREATE:
            joined[field] = value["new"]
        elif before is None:
            joined[field] = value
        elif before["old"] == value["new"]:
            del joined[field]  # changed back
        else:
            joined[field] = {"old": before["old"], "new": value["new"]}
    return joined


def withhold_values(session: Session) -> None:
    """Log what this transaction changes without the values (it is removing personal data)."""
    session.info[_WITHHOLD_KEY] = True


def audit_sessions(sessions: sessionmaker[Session]) -> None:
    """Record in the audit log what every session `sessions` makes changes."""
    event.listen(sessions, "after_flush", _after_flush)
    event.listen(sessions, "do_orm_execute", _on_statement)
    event.listen(sessions, "before_commit", _before_commit)
    event.listen(sessions, "after_rollback", lambda session: _pending(session).taken())


def audited(table: Table) -> bool:
    return table.name not in UNAUDITED


def audited_tables() -> list[str]:
    """The tables whose records the audit log follows, by name."""
    return sorted(name for name in SQLModel.metadata.tables if name not in UNAUDITED)


def _pending(session: OrmSession) -> _Pending:
    pending: _Pending = session.info.setdefault(_PENDING_KEY, _Pending())
    return pending


def _before_commit(session: Session) -> None:
    session.flush()  # what is still to flush is part of the transaction too
    _write(session, _pending(session).taken())


# --- the ORM's flushes ---------------------------------------------------------------------


def _after_flush(session: Session, _flush_context: Any) -> None:
    entries: list[_Entry] = []
    for obj in session.new:
        state = inspect(obj)
        entries += _record(CREATE, state, _values(state)) + _links(state)
    for obj in session.dirty:
        state = inspect(obj)
        entries += _record(CHANGE, state, _changes(state)) + _links(state)
    for obj in session.deleted:
        state = inspect(obj)
        entries += _record(DELETE, state, _values(state))
    _add(session, entries)


def _record(action: str, state: InstanceState[Any], change: dict[str, Any]) -> list[_Entry]:
    table = state.mapper.local_table
    if not isinstance(table, Table) or not audited(table) or not change:
        return []
    keys = {column.name: _attribute(state, column) for column in table.primary_key.columns}
    return [_Entry(action, table.name, _record_id(keys), change)]


def _values(state: InstanceState[Any]) -> dict[str, Any]:
    return {
        prop.key: _shown(prop.columns[0], state.dict.get(prop.key))
        for prop in state.mapper.column_attrs
    }


def _changes(state: InstanceState[Any]) -> dict[str, Any]:
    """Each changed field's old and new value (only that it changed, if it is personal)."""
    changes: dict[str, Any] = {}
    for prop in state.mapper.column_attrs:
        history = state.attrs[prop.key].history
        if prop.key in NOT_A_CHANGE or not history.has_changes():
            continue
        column = prop.columns[0]
        if _personal(column) or _withheld(state.session):
            changes[prop.key] = PERSONAL_VALUE
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        changes[prop.key] = {"old": _plain(old), "new": _plain(new)}
    return changes


def _links(state: InstanceState[Any]) -> list[_Entry]:
    """The link rows `state`'s many-to-many collections gained (create) or lost (delete)."""
    entries = []
    for relationship in state.mapper.relationships:
        link = relationship.secondary
        if not isinstance(link, Table) or not audited(link):
            continue
        history = state.attrs[relationship.key].history
        for action, children in ((CREATE, history.added), (DELETE, history.deleted)):
            for child in children:
                keys = _link_keys(relationship, state, inspect(child))
                entries.append(_Entry(action, link.name, _record_id(keys), keys))
    return entries


def _link_keys(
    relationship: RelationshipProperty[Any], parent: InstanceState[Any], child: InstanceState[Any]
) -> dict[str, Any]:
    pairs = [(parent, pair) for pair in relationship.synchronize_pairs]
    pairs += [(child, pair) for pair in relationship.secondary_synchronize_pairs or ()]
    return {link_column.name: _attribute(state, column) for state, (column, link_column) in pairs}


def _attribute(state: InstanceState[Any], column: ColumnElement[Any]) -> Any:
    return state.dict.get(state.mapper.get_property_by_column(column).key)


# --- bulk statements -----------------------------------------------------------------------


def _on_statement(execution: ORMExecuteState) -> Any:
    """Audit a bulk UPDATE, DELETE or INSERT on an audited table; returning None lets any
    other statement run as usual."""
    statement = execution.statement
    table = getattr(statement, "table", None)
    dml = execution.is_update or execution.is_delete or execution.is_insert
    if not dml or not isinstance(table, Table) or not audited(table):
        return None
    session = execution.session
    if execution.is_insert:
        result = execution.invoke_statement()
        # An ORM bulk INSERT is given its rows as a list; a Core one reports its count.
        given = execution.parameters
        rows = len(given) if isinstance(given, list) else getattr(result, "rowcount", None)
        _add(session, [_Entry(CREATE, table.name, BULK, {"rows": rows})])
        return result
    # mypy: an ORM UPDATE or DELETE statement, which has whereclause.
    before = _rows(session, table, statement.whereclause)  # type: ignore[attr-defined]
    if execution.is_delete:
        _add(session, [_row_entry(DELETE, table, row, _row_values(table, row)) for row in before])
        return None
    result = execution.invoke_statement()
    keys = [tuple(row[column.name] for column in table.primary_key.columns) for row in before]
    after = _rows(session, table, tuple_(*table.primary_key.columns).in_(keys)) if keys else []
    old = {_row_key(table, row): row for row in before}
    entries = [
        _row_entry(CHANGE, table, row, _row_changes(table, old[_row_key(table, row)], row))
        for row in after
    ]
    _add(session, entries)
    return result


def _rows(session: OrmSession, table: Table, where: ColumnElement[bool] | None) -> list[RowMapping]:
    query = select(table) if where is None else select(table).where(where)
    return list(session.connection().execute(query).mappings())


def _row_key(table: Table, row: RowMapping) -> str:
    return _record_id({column.name: row[column.name] for column in table.primary_key.columns})


def _row_entry(action: str, table: Table, row: RowMapping, change: dict[str, Any]) -> _Entry:
    return _Entry(action, table.name, _row_key(table, row), change)


def _row_values(table: Table, row: RowMapping) -> dict[str, Any]:
    return {column.name: _shown(column, row[column.name]) for column in table.columns}


def _row_changes(table: Table, old: RowMapping, new: RowMapping) -> dict[str, Any]:
    return {
        column.name: PERSONAL_VALUE
        if _personal(column)
        else {"old": _plain(old[column.name]), "new": _plain(new[column.name])}
        for column in table.columns
        if column.name not in NOT_A_CHANGE and old[column.name] != new[column.name]
    }


# --- values and writing --------------------------------------------------------------------


def _record_id(keys: Mapping[str, Any]) -> str:
    """A record's id; a link row's (two keys) as "engagement_id=1,output_id=3"."""
    if len(keys) == 1:
        return str(next(iter(keys.values())))
    return ",".join(f"{name}={value}" for name, value in keys.items())


def _withheld(session: Any) -> bool:
    return session is not None and bool(session.info.get(_WITHHOLD_KEY))


def _personal(column: ColumnElement[Any]) -> bool:
    return isinstance(column, Column) and bool(column.info.get("personal"))


def _shown(column: ColumnElement[Any], value: Any) -> Any:
    if value is not None and _personal(column):
        return PERSONAL_VALUE
    return _plain(value)


def _plain(value: Any) -> Any:
    """`value` as JSON can hold it: dates and moments as ISO text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _add(session: OrmSession, entries: Iterable[_Entry]) -> None:
    pending = _pending(session)
    for entry in entries:
        pending.add(entry)


def _write(session: Session, entries: Iterable[_Entry]) -> None:
    actor: Actor = session.info.get(ACTOR_KEY, UNKNOWN)
    at = utc_now()
    rows = [
        {
            "at": at,
            "actor": actor.who[:64],
            "origin": actor.origin[:200],
            "action": entry.action,
            "table_name": entry.table,
            "record_id": entry.record_id[:100],
            "change": entry.change,
        }
        for entry in entries
    ]
    if rows:
        # Core, on the session's connection: part of the transaction, and no flush to audit.
        table = table_of(AuditEntry)
        session.connection().execute(insert(table), rows)
