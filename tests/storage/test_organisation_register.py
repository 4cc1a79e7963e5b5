"""The register of organisations as files: `engagebot import organisations` (all or
nothing, every problem named by row) and `engagebot export organisations`, on SQLite and
PostgreSQL."""

from __future__ import annotations

import io
import json

import pytest

from bot.engagements.recording import EngagementDraft, save_engagement
from bot.teams.editing import TeamDraft, save_team
from bot.transfer import ImportRejected, RowProblem, export_records
from bot.transfer.organisations import RegisterImported, import_organisations
from storage.database import Database
from storage.reference import all_organisations, segments_by_name
from storage.teams import team_named
from tests.storage.test_transfer import TODAY

HEADER = "name,segment\n"


def register(database: Database) -> dict[str, str | None]:
    """Each organisation's segment, by name."""
    with database.transaction() as session:
        return {
            organisation.name: organisation.segment.name if organisation.segment else None
            for organisation in all_organisations(session=session)
        }


def named(database: Database, segments: list[str], organisations: list[str]) -> None:
    """An engagement of Prices naming the organisations, which take its segment if it
    names one only."""
    with database.transaction() as session:
        team = team_named(session=session, name="Prices") or save_team(
            session=session, draft=TeamDraft("Prices"), user_id=None
        )
        known = segments_by_name(session=session)
        save_engagement(
            session=session,
            draft=EngagementDraft(
                "Met them",
                team_id=team.id,
                occurred_on=TODAY,
                segment_ids=[known[name].id for name in segments],  # type: ignore[misc]
                organisations=organisations,
            ),
            today=TODAY,
            user_id=None,
        )


def load(database: Database, content: str) -> RegisterImported:
    return import_organisations(database=database, file=io.StringIO(content))


def rejected(database: Database, content: str) -> list[RowProblem]:
    with pytest.raises(ImportRejected) as caught:
        load(database, content)
    return caught.value.problems


def exported(database: Database, fmt: str) -> str:
    out = io.StringIO()
    with database.transaction() as session:
        export_records(
            session=session, kind="organisations", fmt=fmt, team=None, since=None, out=out
        )
    return out.getvalue()


def test_the_file_sets_each_organisations_segment_and_adds_new_ones(database: Database) -> None:
    named(database, ["media"], ["BBC News"])
    named(database, ["central government", "media"], ["Bank of England", "HM Treasury"])
    named(database, ["central government"], ["Cabinet Office"])
    done = load(
        database,
        HEADER
        + "bank of england,Central Government\n"  # found ignoring case; the name stays
        + "BBC News,media\n"  # as it was
        + "Cabinet Office,\n"  # blank: not known after all
        + "  Resolution Foundation , academia and research\n"
        + ",\n",  # a spreadsheet's empty row
    )
    assert done == RegisterImported(added=1, changed=2, unchanged=1)
    assert register(database) == {
        "BBC News": "media",
        "Bank of England": "central government",
        "Cabinet Office": None,
        "HM Treasury": None,  # not in the file: left as it was
        "Resolution Foundation": "academia and research",
    }


def test_every_bad_row_is_named_and_nothing_is_changed(database: Database) -> None:
    named(database, ["central government", "media"], ["Bank of England"])
    problems = rejected(
        database,
        HEADER
        + "Bank of England,central government\n"
        + ",media\n"
        + "Acme,banks\n"
        + "Acme; Sons,media\n"
        + "x" * 151
        + ",media\n"
        + "BANK OF ENGLAND,media\n"
        + "Leeds Council,devolved and local government,extra\n",
    )
    assert [(problem.row, problem.reason) for problem in problems] == [
        (3, "name: give the organisation's name"),
        (
            4,
            "segment: unknown audience segment 'banks'; use one of: central government, "
            "devolved and local government, academia and research, media, business and "
            "industry, charities and voluntary sector, international bodies, members of the "
            "public, internal users",
        ),
        (5, "name: Organisation 'Acme; Sons' may not contain ';'."),
        (6, f"name: Organisation '{'x' * 40}…' is over 150 characters."),
        (7, "name: 'BANK OF ENGLAND' is also on row 2"),
        (8, "row: it has 3 cells but the header names 2 columns"),
    ]
    assert register(database) == {"Bank of England": None}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "the file is empty: row 1 names the columns"),
        ("name\nAcme\n", "missing required column 'segment'"),
        (
            "name,segment,team\nAcme,media,Prices\n",
            "unknown column 'team'; the columns are name, segment",
        ),
    ],
)
def test_a_file_without_the_two_columns_is_refused_on_row_1(
    database: Database, content: str, reason: str
) -> None:
    assert rejected(database, content) == [RowProblem(1, reason)]
    assert register(database) == {}


def test_the_register_exports_as_csv_and_json_and_imports_back_unchanged(
    database: Database,
) -> None:
    named(database, ["media"], ["=BBC News"])  # a spreadsheet would run it: written inert
    named(database, ["central government", "media"], ["Acme"])
    csv = exported(database, "csv")
    assert csv == "name,segment\r\n'=BBC News,media\r\nAcme,\r\n"
    assert json.loads(exported(database, "json")) == [
        {"name": "=BBC News", "segment": "media"},
        {"name": "Acme", "segment": None},
    ]
    assert load(database, csv) == RegisterImported(added=0, changed=0, unchanged=2)
    assert register(database) == {"=BBC News": "media", "Acme": None}


def test_the_register_is_no_teams_to_export_by_team(database: Database) -> None:
    with (
        pytest.raises(ValueError, match="organisations are no team's"),
        database.transaction() as session,
    ):
        export_records(
            session=session,
            kind="organisations",
            fmt="csv",
            team="Prices",
            since=None,
            out=io.StringIO(),
        )
