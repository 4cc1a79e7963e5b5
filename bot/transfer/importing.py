"""Adding engagements or feedback from a CSV file: every row checked first, then all or nothing."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from sqlalchemy import text
from sqlmodel import Session, col, select

from bot.base.formulas import restored_cell
from bot.base.text import storable
from bot.base.validation import DEFAULT_EARLIEST_DATE, FieldErrors, Invalid
from bot.transfer.kinds import (
    KINDS,
    MERGED_INTO,
    CellProblem,
    Kind,
    RowContext,
    reference_data,
)
from storage.database import Database
from storage.models import AudienceSegment, ProducerTeam

HEADER_ROW = 1
ID_LOOKUP_CHUNK = 500  # ids asked about per query, well under every driver's parameter limit


@dataclass(frozen=True)
class RowProblem:
    """Why one row (numbered as a spreadsheet shows it, the header being row 1) was refused."""

    row: int
    reason: str


class ImportRejected(Exception):
    """The file was refused and nothing was written; `problems` lists every reason found."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("; ".join(f"row {problem.row}: {problem.reason}" for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class _Dates:
    """The dates a row may hold: from `earliest` to `today`."""

    today: date
    earliest: date


@dataclass
class _Row:
    number: int
    draft: Any
    values: dict[str, Any]  # every column's value, blank ones included


def import_records(
    *,
    database: Database,
    kind: str,
    file: TextIO,
    today: date,
    earliest: date = DEFAULT_EARLIEST_DATE,
) -> int:
    """Add every row of the CSV `file` as a new `kind` ("engagements" or "feedback").

    Columns are those `export_records` writes; only the date, team and summary (or text)
    columns are required. Every row is checked before anything is written, dates from
    `earliest` to `today`: any problem raises `ImportRejected` listing them all. Otherwise
    all rows are saved in one transaction through the domain's save functions, keeping the
    file's ids, times and status. Returns the number of rows imported.
    """
    spec = KINDS.get(kind)
    if spec is None or spec.recording is None:
        raise ValueError(f"cannot import {kind!r}")
    with database.transaction() as session:
        dates = _Dates(today, earliest)
        rows = _checked_rows(spec, file, session, dates)
        _save_all(spec, rows, session, dates)
    return len(rows)


def _checked_rows(spec: Kind, file: TextIO, session: Session, dates: _Dates) -> list[_Row]:
    teams, segments = reference_data(session)
    rows: list[_Row] = []
    problems: list[RowProblem] = []
    for number, texts in rows_by_column(spec, file, problems):
        row, reasons = _read_row(spec, number, texts, teams, segments, dates)
        rows.append(row)
        problems.extend(RowProblem(number, reason) for reason in reasons)
    problems.extend(_id_problems(spec, rows, session))
    if MERGED_INTO in spec.column_names:
        problems.extend(_merge_problems(spec, rows, session))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda problem: problem.row))
    return rows


def rows_by_column(
    spec: Kind, file: TextIO, problems: list[RowProblem]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row of the file with its number and its cells by column, once the header is
    checked (raising `ImportRejected`); empty rows are passed over, and a row of the wrong
    shape goes into `problems` instead."""
    lines = _numbered(file)
    _, header = next(lines, (HEADER_ROW, None))
    columns = _checked_header(spec, header)
    for number, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue  # spreadsheets often end with empty rows
        texts, shape = _row_texts(columns, cells)
        if shape is None:
            yield number, texts
        else:
            problems.append(RowProblem(number, f"row: {shape}"))


def _numbered(file: TextIO) -> Iterator[tuple[int, list[str]]]:
    """The file's rows with their spreadsheet numbers, read strictly: a quote left open
    would otherwise swallow the rows after it into one cell. A file that isn't CSV is
    refused, naming the row and its lines in the file."""
    reader = csv.reader(file, strict=True)
    number, last_line = HEADER_ROW - 1, 0
    try:
        for cells in reader:
            number, last_line = number + 1, reader.line_num
            yield number, cells
    except csv.Error as error:
        problem = _not_csv(str(error), first_line=last_line + 1, last_line=reader.line_num)
        raise ImportRejected([RowProblem(number + 1, problem)]) from None
    except UnicodeDecodeError:
        raise ImportRejected(
            [RowProblem(number + 1, "the file is not UTF-8 text: save it as 'CSV UTF-8'")]
        ) from None


def _not_csv(error: str, *, first_line: int, last_line: int) -> str:
    """Why a row (from `first_line` to `last_line` of the file) is not CSV, in plain words."""
    if "unexpected end of data" in error:
        return (
            f"a quote opened in this row (from line {first_line} of the file) is never closed, "
            "so every line after it would be read into one cell: close the quote, and write "
            'a quote inside a cell twice ("")'
        )
    lines = (
        f"line {first_line}" if first_line == last_line else f"lines {first_line} to {last_line}"
    )
    if "expected after" in error:
        return (
            f"a quote in this row ({lines} of the file) ends in the middle of a cell: a quoted "
            'cell ends at its closing quote, and a quote inside a cell is written twice ("")'
        )
    return f"this is not valid CSV ({lines} of the file): {error}"


def _checked_header(spec: Kind, header: list[str] | None) -> list[str]:
    if not header or not any(name.strip() for name in header):
        raise ImportRejected([RowProblem(HEADER_ROW, "the file is empty: row 1 names the columns")])
    # "What we heard" names what_we_heard: a header typed in a spreadsheet is accepted.
    columns = ["_".join(name.lower().split()) for name in header]
    reasons = []
    # Columns with no name are spreadsheet leftovers; their cells must be empty (see _read_row).
    unknown = [
        name
        for name, column in zip(header, columns, strict=True)
        if column and column not in spec.column_names
    ]
    if unknown:
        reasons.append(
            f"unknown {_columns(unknown)}; the columns are {', '.join(spec.column_names)}"
        )
    repeated = sorted({column for column in columns if column and columns.count(column) > 1})
    if repeated:
        verb = "appears" if len(repeated) == 1 else "appear"
        reasons.append(f"{_columns(repeated)} {verb} more than once")
    missing = [c.name for c in spec.columns if c.required and c.name not in columns]
    if missing:
        reasons.append(f"missing required {_columns(missing)}")
    if reasons:
        raise ImportRejected([RowProblem(HEADER_ROW, reason) for reason in reasons])
    return columns


def _read_row(
    spec: Kind,
    number: int,
    texts: dict[str, str],
    teams: dict[str, ProducerTeam],
    segments: dict[str, AudienceSegment],
    dates: _Dates,
) -> tuple[_Row, list[str]]:
    """The row's draft and values from its cells by column (`_row_texts`), and every
    problem with it as "column: message"."""
    assert spec.recording is not None
    reasons: FieldErrors = {}
    context = RowContext(teams=teams, segments=segments, today=dates.today, earliest=dates.earliest)
    values: dict[str, Any] = {}
    for column in spec.columns:
        assert column.read is not None
        try:
            values[column.name] = column.read(texts.get(column.name, ""), context)
        except CellProblem as problem:
            reasons[column.name] = str(problem)
            values[column.name] = column.read("", context)
    draft = spec.recording.draft(
        **{column.field: values[column.name] for column in spec.columns if column.field}
    )
    problems = spec.recording.problems(draft, today=dates.today, earliest=dates.earliest)
    for field, message in problems.items():
        reasons.setdefault(field, message)  # a cell that could not be read says more
    order = {name: index for index, name in enumerate(spec.column_names)}
    listed = sorted(reasons.items(), key=lambda item: order.get(item[0], len(order)))
    return _Row(number, draft, values), [f"{field}: {message}" for field, message in listed]


def _row_texts(columns: list[str], cells: list[str]) -> tuple[dict[str, str], str | None]:
    """A row's cells by column, as typed (stripped, a spreadsheet's formula guard undone);
    or, when the row's shape is wrong, nothing and why. A cell lost or split puts every
    value after it under the wrong column, so then only that is said of the row."""
    if len(cells) != len(columns):
        return {}, f"it has {len(cells)} cells but the header names {len(columns)} columns"
    if any(cell.strip() for column, cell in zip(columns, cells, strict=True) if not column):
        return {}, "it has a value in a column with no name in row 1"
    typed = (restored_cell(storable(cell).strip()) for cell in cells)
    return dict(zip(columns, typed, strict=True)), None


def _id_problems(spec: Kind, rows: list[_Row], session: Session) -> list[RowProblem]:
    problems = []
    first_row: dict[int, int] = {}
    for row in rows:
        entry_id = row.values["id"]
        if entry_id is None:
            continue
        if entry_id in first_row:
            problems.append(
                RowProblem(row.number, f"id: {entry_id} is also on row {first_row[entry_id]}")
            )
        else:
            first_row[entry_id] = row.number
    for entry_id in sorted(_existing_ids(spec, session, list(first_row))):
        problems.append(
            RowProblem(first_row[entry_id], f"id: {spec.label} #{entry_id} already exists")
        )
    return problems


def _existing_ids(spec: Kind, session: Session, ids: list[int]) -> Iterable[int]:
    model_id = col(spec.model.id)
    for chunk in _chunks(ids):
        yield from session.exec(select(model_id).where(model_id.in_(chunk)))


def _merge_problems(spec: Kind, rows: list[_Row], session: Session) -> list[RowProblem]:
    """A merged row must name an item of its own team, on a row of the file or stored, that
    is not merged itself: as merging in Slack leaves them."""
    # (team, merged into) of every item a row may name, the file's rows overriding nothing
    # stored: a file id that is stored already is refused by _id_problems.
    targets = {
        row.values["id"]: (row.draft.team_id, row.values[MERGED_INTO])
        for row in rows
        if row.values["id"] is not None
    }
    named = sorted({row.values[MERGED_INTO] for row in rows} - {None} - targets.keys())
    model = spec.model
    for chunk in _chunks(named):
        for entry_id, team_id, merged_into in session.exec(
            select(model.id, model.team_id, model.merged_into_id).where(col(model.id).in_(chunk))
        ):
            targets[entry_id] = (team_id, merged_into)
    problems = []
    for row in rows:
        target_id = row.values[MERGED_INTO]
        if target_id is None:
            continue
        team_id, target_merged_into = targets.get(target_id, (None, None))
        if target_id == row.values["id"]:
            reason = "a row can't be merged into itself"
        elif target_id not in targets:
            reason = f"there is no {spec.label} #{target_id}, in the file or stored"
        elif target_merged_into is not None:
            reason = f"{spec.label} #{target_id} is itself merged into #{target_merged_into}"
        elif row.draft.team_id is not None and team_id != row.draft.team_id:
            reason = f"{spec.label} #{target_id} is another team's"
        else:
            continue
        problems.append(RowProblem(row.number, f"{MERGED_INTO}: {reason}"))
    return problems


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    """`ids` in chunks small enough for one query each."""
    for start in range(0, len(ids), ID_LOOKUP_CHUNK):
        yield ids[start : start + ID_LOOKUP_CHUNK]


def _save_all(spec: Kind, rows: list[_Row], session: Session, dates: _Dates) -> None:
    # Rows keeping their ids go first so that, once PostgreSQL's id sequence is moved past
    # them, the rows numbered by the database cannot take an id the file asked for.
    numbered = [row for row in rows if row.values["id"] is not None]
    saved = [(row, _save(spec, row, session, dates)) for row in numbered]
    if numbered and session.get_bind().dialect.name == "postgresql":
        table = spec.model.__tablename__
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
        )
    saved += [(row, _save(spec, row, session, dates)) for row in rows if row.values["id"] is None]
    # An item merged into one further down the file is linked once every row exists.
    for row, entry in saved:
        if row.values.get(MERGED_INTO) is not None:
            entry.merged_into_id = row.values[MERGED_INTO]


def _save(spec: Kind, row: _Row, session: Session, dates: _Dates) -> Any:
    recording = spec.recording
    assert recording is not None
    user = row.values[recording.user]
    entry_id = row.values["id"]
    if entry_id is not None:
        # The domain only numbers new records itself, so a record keeping the file's id is
        # created bare under that id and then filled in by the domain, as an edit.
        assert spec.day is not None
        session.add(
            spec.model(
                id=entry_id,
                team_id=row.draft.team_id,
                **{
                    spec.day: getattr(row.draft, spec.day),
                    recording.text: "",
                    recording.user: user,
                },
            )
        )
        session.flush()
    try:
        entry = recording.save(
            session=session,
            draft=row.draft,
            today=dates.today,
            earliest=dates.earliest,
            user_id=user,
            entry_id=entry_id,
            status=row.values.get("status"),
        )
    except Invalid as invalid:  # the database changed since the rows were checked
        reasons = [f"{field}: {message}" for field, message in invalid.errors.items()]
        raise ImportRejected([RowProblem(row.number, reason) for reason in reasons]) from invalid
    for moment in ("created_at", "updated_at"):
        if row.values[moment] is not None:
            setattr(entry, moment, row.values[moment])
    session.add(entry)
    return entry


def _columns(names: Sequence[str]) -> str:
    """ "column 'a'", "columns 'a', 'b'"."""
    return ("column " if len(names) == 1 else "columns ") + ", ".join(f"'{n}'" for n in names)
