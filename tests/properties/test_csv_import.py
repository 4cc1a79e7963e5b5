"""`engagebot import`: a file of good rows with broken cells among them writes nothing and
names each broken row, column and reason; a good file is imported whole and exports back
as it was written."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from bot.base.formulas import inert_cell
from bot.base.vocabulary import EXPERTISE, FEEDBACK_CHANNELS, FEEDBACK_STATUSES, METHODS
from bot.teams.editing import TeamDraft, save_team
from bot.transfer import ImportRejected, export_records, import_records
from storage.database import Database
from storage.models import Engagement, Feedback
from storage.reference import list_segments
from tests.e2e.helpers import run_cli
from tests.properties.conftest import APP_EXAMPLES

TODAY = date(2026, 3, 15)
OUTPUTS = ["Employment", "Earnings, weekly", "Vacancies", "Économie régionale"]
# Organisations and themes with one spelling each: the first one stored is the one exported.
ORGANISATIONS = ["BBC", "Office for Students, Wales", "École normale", 'The "Quoted" Trust']
THEMES = ["timeliness", "regional detail", "Ärzte"]
# In their stored order, which is the order an export lists them in.
SEGMENTS = ["central government", "academia and research", "media", "business and industry"]
MODELS = {"engagements": Engagement, "feedback": Feedback}

# Any text a cell may hold: quotes, commas, newlines, unicode (no NUL: it is dropped).
CELL_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
).filter(lambda text: text.strip() == text)
REQUIRED_TEXT = st.one_of(
    CELL_TEXT.filter(bool),
    st.sampled_from(['He said "no, not yet"', "line one\nline two", "a;b, c", "  x"]).map(
        str.strip
    ),
)
MOMENTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2026, 3, 14)).map(
    lambda moment: moment.replace(microsecond=0, tzinfo=UTC).isoformat()
)


def joined(names: list[str]) -> str:
    return "; ".join(sorted(names, key=str.lower))


def _some(pool: list[str], most: int = 3) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pool), unique=True, max_size=most).map(joined)


def _blank_or(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), values)


DAYS = st.dates(date(2000, 1, 1), TODAY).map(date.isoformat)
# Good rows, written as the export writes them (so exporting them back gives the same cells).
ENGAGEMENT_CELLS = {
    "occurred_on": DAYS,
    "team": st.just("Labour Market"),
    "outputs": _some(OUTPUTS),
    "method": _blank_or(st.sampled_from(sorted(METHODS))),
    "segments": st.lists(st.sampled_from(SEGMENTS), unique=True, max_size=2).map(
        lambda names: "; ".join(sorted(names, key=SEGMENTS.index))
    ),
    "expertise": _blank_or(st.sampled_from(sorted(EXPERTISE))),
    "organisations": _some(ORGANISATIONS),
    "partners": st.sampled_from(["", "Health"]),
    "participants": _blank_or(st.integers(0, 1_000_000).map(str)),
    "summary": REQUIRED_TEXT,
    "what_we_heard": CELL_TEXT,
    "uses": CELL_TEXT,
    "follow_up_actions": CELL_TEXT,
    "logged_by": st.sampled_from(["", "U0001", "U0LEAD"]),
    "created_at": MOMENTS,  # blank would be the moment of import
}
FEEDBACK_CELLS = {
    "received_on": DAYS,
    "team": st.just("Labour Market"),
    "output": _blank_or(st.sampled_from(OUTPUTS)),
    "organisation": _blank_or(st.sampled_from(ORGANISATIONS)),
    "segment": _blank_or(st.sampled_from(SEGMENTS)),
    "channel": _blank_or(st.sampled_from(sorted(FEEDBACK_CHANNELS))),
    "text": REQUIRED_TEXT,
    "themes": _some(THEMES),
    "status": st.sampled_from(sorted(FEEDBACK_STATUSES)),
    "contact_agreed": st.sampled_from(["true", "false"]),
    "source_permalink": _blank_or(st.just("https://example.slack.com/archives/C1/p1")),
    "recorded_by": st.sampled_from(["", "U0001"]),
    "created_at": MOMENTS,  # blank would be the moment of import
}
CELLS = {"engagements": ENGAGEMENT_CELLS, "feedback": FEEDBACK_CELLS}
ROWS = {kind: st.fixed_dictionaries(cells) for kind, cells in CELLS.items()}
FUTURE = (TODAY + timedelta(days=1)).isoformat()
# Cells each column refuses, in a row otherwise good.
_COMMON = {
    "team": ["Nobody", "", "Labour Market; Health"],
    "created_at": ["2026-01-01T10:00:00", "yesterday", "2026-13-01T00:00:00+00:00"],
    "id": ["0", "abc", "1.5", "-4", "99999999999999999999"],
}
BROKEN = {
    "engagements": {
        **_COMMON,
        "occurred_on": ["2026-02-30", "31/01/2026", "", FUTURE, "2026-1-5x"],
        "outputs": ["Nonexistent", "Employment; Nonexistent"],
        "method": ["carrier pigeon"],
        "segments": ["aliens"],
        "expertise": ["guru"],
        "organisations": ["x" * 151],
        "partners": ["Nobody", "Labour Market"],
        "participants": ["12.5", "-3", "1000001", "twelve", "99999999999999999999"],
        "summary": ["", "x" * 1001],
        "logged_by": ["U" * 33],
    },
    "feedback": {
        **_COMMON,
        "received_on": ["2026-02-30", "", FUTURE],
        "output": ["Nonexistent", "Employment; Vacancies"],
        "organisation": ["x" * 151],
        "segment": ["aliens", "media; central government"],
        "channel": ["pigeon"],
        "text": ["", "x" * 3001],
        "themes": ["x" * 61, "; ".join(f"t{n}" for n in range(21))],
        "status": ["finished"],
        "merged_into": ["0", "99999999999999999999", "123456789"],
        "contact_agreed": ["maybe"],
        "contact_email": ["not an email"],
        "source_permalink": ["h" * 501],
        "recorded_by": ["U" * 33],
    },
}


@pytest.fixture
def teams(database: Database) -> Database:
    with database.transaction() as session:
        outputs = "\n".join(f"{name} | high" for name in OUTPUTS)
        save_team(session=session, draft=TeamDraft("Labour Market", None, outputs), user_id="U1")
        save_team(session=session, draft=TeamDraft("Health"), user_id=None)
        assert set(SEGMENTS) <= {segment.name for segment in list_segments(session=session)}
    return database


def written(rows: list[dict[str, str] | None], columns: list[str], *, bom: bool = False) -> str:
    """The CSV a spreadsheet saves; a None row is an empty line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        if row is None:
            out.write("\r\n")
        else:
            writer.writerow(row)
    return ("\ufeff" if bom else "") + out.getvalue()


def imported(database: Database, kind: str, content: str) -> int:
    """Import `content` as the command line reads a file (UTF-8, a BOM allowed)."""
    file = io.TextIOWrapper(io.BytesIO(content.encode()), encoding="utf-8-sig", newline="")
    return import_records(database=database, kind=kind, file=file, today=TODAY)


def count(database: Database, kind: str) -> int:
    with database.transaction() as session:
        return session.exec(select(func.count()).select_from(MODELS[kind])).one()


def exported(database: Database, kind: str) -> list[dict[str, str]]:
    out = io.StringIO()
    with database.transaction() as session:
        export_records(session=session, kind=kind, fmt="csv", team=None, since=None, out=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


@st.composite
def good_file(draw: Callable[..., Any], kind: str) -> tuple[list[dict[str, str]], str]:
    rows = draw(st.lists(ROWS[kind], min_size=1, max_size=6))
    columns = list(rows[0])
    content = written(rows, draw(st.permutations(columns)), bom=draw(st.booleans()))
    if draw(st.booleans()):  # spreadsheets leave empty lines at the end
        content += "\r\n,,,\r\n\r\n"
    return rows, content


@pytest.mark.parametrize("kind", ["engagements", "feedback"])
@settings(max_examples=APP_EXAMPLES)
@given(data=st.data())
def test_a_good_file_is_imported_whole_and_exports_back_the_same(
    teams: Database, kind: str, data: st.DataObject
) -> None:
    rows, content = data.draw(good_file(kind))
    before = count(teams, kind)
    assert imported(teams, kind, content) == len(rows)
    assert count(teams, kind) == before + len(rows)
    back = exported(teams, kind)[before:]
    for row, out in zip(rows, back, strict=True):
        # Text a spreadsheet would run as a formula comes back with an apostrophe before it.
        assert {column: out[column] for column in row} == {
            column: inert_cell(cell) for column, cell in row.items()
        }


@st.composite
def broken_file(draw: Callable[..., Any], kind: str) -> tuple[str, dict[int, set[str]]]:
    """A file with broken cells in some rows, and the columns broken on each row number."""
    rows = draw(st.lists(ROWS[kind], min_size=1, max_size=6))
    broken_rows = draw(st.sets(st.integers(0, len(rows) - 1), min_size=1))
    expected: dict[int, set[str]] = {}
    for index in broken_rows:
        columns = draw(st.lists(st.sampled_from(sorted(BROKEN[kind])), min_size=1, max_size=2))
        for column in columns:
            rows[index][column] = draw(st.sampled_from(BROKEN[kind][column]))
        expected[index] = set(columns)
    names = [*CELLS[kind], *sorted(set(BROKEN[kind]) - set(CELLS[kind]))]
    lines: list[dict[str, str] | None] = [{**dict.fromkeys(names, ""), **row} for row in rows]
    for position in draw(st.lists(st.integers(0, len(rows)), max_size=3)):
        lines.insert(position, None)  # empty lines are skipped but keep their row number
    numbers = [number for number, line in enumerate(lines, start=2) if line is not None]
    by_number = {numbers[index]: columns for index, columns in expected.items()}
    return written(lines, names), by_number


@pytest.mark.parametrize("kind", ["engagements", "feedback"])
@settings(max_examples=APP_EXAMPLES)
@given(data=st.data())
def test_a_file_with_broken_cells_writes_nothing_and_names_them(
    teams: Database, kind: str, data: st.DataObject
) -> None:
    content, expected = data.draw(broken_file(kind))
    before = count(teams, kind)
    with pytest.raises(ImportRejected) as rejected:
        imported(teams, kind, content)
    assert count(teams, kind) == before
    named: dict[int, set[str]] = {}
    for problem in rejected.value.problems:
        column, _, reason = problem.reason.partition(": ")
        assert reason.strip(), problem
        named.setdefault(problem.row, set()).add(column)
    # Every broken row is named; and a row named is a broken one (a broken cell can make
    # another of its cells unreadable, as outputs can't be checked without their team).
    assert set(named) == set(expected), (named, expected)


@pytest.mark.parametrize("kind", ["engagements", "feedback"])
@settings(max_examples=APP_EXAMPLES)
@given(content=st.text(max_size=300), header=st.booleans())
def test_any_text_at_all_is_imported_or_refused_with_reasons(
    teams: Database, kind: str, content: str, header: bool
) -> None:
    if header:
        content = {
            "engagements": "occurred_on,team,summary\n",
            "feedback": "received_on,team,text\n",
        }[kind] + content
    before = count(teams, kind)
    try:
        added = imported(teams, kind, content)
    except ImportRejected as rejected:
        assert rejected.problems and all(p.reason.strip() and p.row >= 1 for p in rejected.problems)
        assert count(teams, kind) == before
    else:
        assert count(teams, kind) == before + added


def test_the_command_line_refuses_a_broken_file_and_imports_the_mended_one(
    teams: Database, cli_database: Database, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {"occurred_on": "2026-01-05", "team": "Labour Market", "summary": 'Said "hi", left'}
    broken = {**good, "participants": "99999999999999999999", "outputs": "Nonexistent"}
    path = tmp_path / "engagements.csv"
    path.write_text(written([good, broken, good], [*good, "participants", "outputs"], bom=True))
    code, out, err = run_cli(capsys, "import", "engagements", str(path))
    assert code == 1 and out == ""
    assert "Nothing was imported: 2 problems in 1 row." in err
    assert "row 3: outputs: Labour Market has no output called 'Nonexistent'" in err
    assert "row 3: participants: " in err
    assert count(teams, "engagements") == 0
    path.write_text(written([good, good], list(good), bom=True) + "\r\n\r\n")
    assert run_cli(capsys, "import", "engagements", str(path))[:2] == (
        0,
        "Imported 2 engagements.\n",
    )
    assert [row["summary"] for row in exported(teams, "engagements")] == [good["summary"]] * 2


@pytest.mark.parametrize("kind", ["engagements", "feedback"])
@settings(max_examples=APP_EXAMPLES)
@given(data=st.data())
def test_a_file_missing_a_required_column_is_refused_on_row_1(
    teams: Database, kind: str, data: st.DataObject
) -> None:
    rows = data.draw(st.lists(ROWS[kind], min_size=1, max_size=3))
    kept = data.draw(st.lists(st.sampled_from(list(CELLS[kind])), unique=True, min_size=1))
    required = {"engagements": ["occurred_on", "team", "summary"]}.get(
        kind, ["received_on", "team", "text"]
    )
    missing = [column for column in required if column not in kept]
    before = count(teams, kind)
    content = written([{column: row[column] for column in kept} for row in rows], kept)
    if not missing:
        assert imported(teams, kind, content) == len(rows)
        return
    with pytest.raises(ImportRejected) as rejected:
        imported(teams, kind, content)
    listed = ", ".join(f"'{column}'" for column in missing)
    columns = "column" if len(missing) == 1 else "columns"
    assert [(p.row, p.reason) for p in rejected.value.problems] == [
        (1, f"missing required {columns} {listed}")
    ]
    assert count(teams, kind) == before
