"""Column types shared by the tables, and the typed table and relationships of a model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol, TypeVarTuple, cast

from sqlalchemy import DateTime, Result, Select, Table, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, QueryableAttribute
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, col


class UTCDateTime(TypeDecorator[datetime]):
    """A moment stored in UTC and always read back as an aware UTC datetime.

    PostgreSQL keeps it as `timestamptz`; SQLite has no time zones, so the value is
    normalised to UTC on the way in and marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


def related(attribute: object) -> QueryableAttribute[Any]:
    """`attribute`, a relationship, as SQLAlchemy's loader options take it: SQLModel types
    `UpcomingChange.team` as the team it holds (as `col()` does for a column)."""
    if not isinstance(attribute, QueryableAttribute):
        raise TypeError(f"not a mapped attribute: {attribute!r}")
    return attribute


def table_of(model: type[SQLModel]) -> Table:
    """The table of a table model (SQLModel sets `__table__` on it, but untyped)."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"not a table model: {model.__name__}")
    return table


class Numbered(Protocol):
    id: int | None


def flushed_id(row: Numbered) -> int:
    """The id of a row the database has numbered: SQLModel types an id as possibly None,
    as it is until the first flush."""
    if row.id is None:
        raise ValueError(f"not flushed yet: {row!r}")
    return row.id


Columns = TypeVarTuple("Columns")


def fetch(session: Session, statement: Select[*Columns]) -> Result[*Columns]:
    """`session.execute(statement)`, its rows typed by the statement's columns (SQLModel's
    `execute` types every row as `Any`s; this is the same call, as SQLAlchemy types it)."""
    return OrmSession.execute(session, statement)


def primary_key(column: int | None) -> Mapped[int]:
    """`col(Model.id)` as a query reads it, never None: SQLModel types an id `int | None`,
    as it is on a row not flushed yet."""
    return cast(Mapped[int], col(column))
