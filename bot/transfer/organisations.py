"""`engagebot import organisations`: the register of organisations from a CSV file of names
and audience segments (`engagebot export organisations` writes one). Every row is checked
first, as the other imports check theirs (`bot/transfer/importing.py`), and a single
problem refuses the whole file; otherwise it is applied in one transaction.

A name already in the register (ignoring case) gets the row's segment and keeps the name
as stored; a new name joins the register. A blank segment records that it is not known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from sqlmodel import Session

from bot.transfer.importing import ImportRejected, RowProblem, rows_by_column
from bot.transfer.kinds import ORGANISATIONS, CellProblem, RowContext
from storage.database import Database
from storage.models import Organisation
from storage.reference import all_organisations, segments_by_name


@dataclass(frozen=True)
class RegisterImported:
    """What an import did to the register."""

    added: int
    changed: int  # already there, with another segment before
    unchanged: int

    @property
    def rows(self) -> int:
        return self.added + self.changed + self.unchanged


@dataclass(frozen=True)
class _Entry:
    row: int
    name: str
    segment_id: int | None


def import_organisations(*, database: Database, file: TextIO) -> RegisterImported:
    """Apply the CSV `file` (columns `name` and `segment`) to the register; raise
    `ImportRejected` listing every problem, having changed nothing."""
    with database.transaction() as session:
        return _apply(session, _checked_entries(session, file))


def _checked_entries(session: Session, file: TextIO) -> list[_Entry]:
    context = RowContext(teams={}, segments=segments_by_name(session=session))
    entries: list[_Entry] = []
    problems: list[RowProblem] = []
    first_row: dict[str, int] = {}  # lower-cased name -> the row naming it first
    for number, texts in rows_by_column(ORGANISATIONS, file, problems):
        reasons = []
        values = {}
        for column in ORGANISATIONS.columns:
            assert column.read is not None
            try:
                values[column.name] = column.read(texts.get(column.name, ""), context)
            except CellProblem as problem:
                reasons.append(f"{column.name}: {problem}")
        name = values.get("name")
        if name is not None and name.lower() in first_row:
            reasons.append(f"name: '{name}' is also on row {first_row[name.lower()]}")
        elif name is not None:
            first_row[name.lower()] = number
        problems.extend(RowProblem(number, reason) for reason in reasons)
        if not reasons:
            entries.append(_Entry(number, values["name"], values["segment"]))
    if problems:
        raise ImportRejected(problems)
    return entries


def _apply(session: Session, entries: list[_Entry]) -> RegisterImported:
    known = {
        organisation.name.lower(): organisation
        for organisation in all_organisations(session=session)
    }
    added = changed = 0
    for entry in entries:
        organisation = known.get(entry.name.lower())
        if organisation is None:
            session.add(Organisation(name=entry.name, segment_id=entry.segment_id))
            added += 1
        elif organisation.segment_id != entry.segment_id:
            organisation.segment_id = entry.segment_id
            session.add(organisation)
            changed += 1
    session.flush()
    return RegisterImported(added, changed, len(entries) - added - changed)
