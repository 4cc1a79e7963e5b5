"""Writing stored records as CSV or JSON, every stored field, in id order; the fields
identifying a member of the public (feedback's contact name and email) only when asked.
A member of staff's Slack user id is written with their name, when known: in CSV as
"Jane Smith (U0123ABC)" (which import reads back), in JSON as the id and a `_name` field."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any, TextIO

from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from bot.base.formulas import inert_cell
from bot.base.text import LIST_SEPARATOR
from bot.people.names import NameOf, no_names, person_label
from bot.transfer.kinds import KINDS, Cell, Column, Kind
from storage.teams import team_named

FORMATS = ("csv", "json")


class UnknownTeam(ValueError):
    """`--team` named no team; the message is the line the command prints."""


def export_records(
    *,
    session: Session,
    kind: str,
    fmt: str,
    team: str | None,
    since: date | None,
    out: TextIO,
    include_personal: bool = False,
    name_of: NameOf = no_names,
) -> int:
    """Write the stored `kind` ("engagements", "feedback", "teams" or "organisations") to
    `out`; return the count.

    `team` keeps one team's records (its name, ignoring case; raises `UnknownTeam`); the
    organisations are every team's.
    `since` keeps engagements and feedback from that day on, and teams created since then (UTC).
    CSV joins several names in a cell with "; "; JSON gives lists, and null for empty values.
    The personal columns are left out unless `include_personal`. `name_of` names the
    people of the person columns (who recorded each record, ...).
    """
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(f"cannot export {kind!r} as {fmt!r}")
    spec = KINDS[kind]
    records = _records(session, spec, team, since)
    columns = spec.exported_columns(include_personal=include_personal)
    if fmt == "csv":
        _write_csv(columns, records, out, name_of)
    else:
        _write_json(columns, records, out, name_of)
    return len(records)


def _records(session: Session, spec: Kind, team: str | None, since: date | None) -> Sequence[Any]:
    model = spec.model
    statement = (
        select(model)
        .options(*(selectinload(getattr(model, relation)) for relation in spec.related))
        .order_by(col(model.id))
    )
    if team is not None:
        if spec.team_key is None:
            raise ValueError(f"{spec.name} are no team's: they cannot be chosen by team")
        found = team_named(session=session, name=team)
        if found is None:
            raise UnknownTeam(f"no team is called '{team}' (`engagebot export teams` lists them)")
        statement = statement.where(getattr(model, spec.team_key) == found.id)
    if since is not None:
        if spec.day is not None:
            statement = statement.where(getattr(model, spec.day) >= since)
        else:
            statement = statement.where(
                model.created_at >= datetime.combine(since, time.min, tzinfo=UTC)
            )
    return session.exec(statement).all()


def _write_csv(
    columns: Sequence[Column], records: Sequence[Any], out: TextIO, name_of: NameOf
) -> None:
    # CSV's own line end: a cell holding a lone carriage return is quoted only when the
    # line end contains one, and unquoted it would split the row for every reader.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    for record in records:
        writer.writerow([_csv_cell(_value(column, record, name_of)) for column in columns])


def _value(column: Column, record: Any, name_of: NameOf) -> Cell:
    """The column's value for a CSV cell: a person as "Jane Smith (U0123ABC)"."""
    value = column.get(record)
    return person_label(value, name_of(value)) if column.person and value else value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, list):
        return inert_cell(f"{LIST_SEPARATOR} ".join(_csv_item(item) for item in value))
    if isinstance(value, str):
        return inert_cell(value)
    return str(value)


def _csv_item(item: Any) -> str:
    if isinstance(item, dict):  # a team's output: "Name (high)"
        return f"{item['name']} ({item['profile']})"
    return str(item)


def _write_json(
    columns: Sequence[Column], records: Sequence[Any], out: TextIO, name_of: NameOf
) -> None:
    # One record a line inside the array: readable, and diffable between exports.
    out.write("[")
    for index, record in enumerate(records):
        row = {}
        for column in columns:
            row[column.name] = value = column.get(record)
            if column.person:
                row[f"{column.name}_name"] = name_of(value) if value else None
        out.write("," if index else "")
        out.write("\n  " + json.dumps(row, ensure_ascii=False, default=_iso))
    out.write("\n]\n" if records else "]\n")


def _iso(value: Any) -> str:
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
