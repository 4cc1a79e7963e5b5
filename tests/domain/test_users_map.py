"""The users map (on SQLite and PostgreSQL): its cells, segment totals and organisations
against hand-counted data, what `/engage users <text>` means, and its CSV and JSON."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import date

import pytest

from bot.engagements.recording import EngagementDraft, save_engagement
from bot.users.map import (
    Scope,
    UsersMap,
    UsersMapRefused,
    find_scope,
    scope_named,
    users_map,
    write_users_map,
)
from storage.database import Database
from storage.models import Feedback
from storage.reference import segments_by_name
from storage.teams import team_named
from storage.users_map import OrganisationTally, Tally
from tests.domain.test_statements import record
from tests.e2e.helpers import make_team

CPI, HPI, REGIONAL = "Consumer price inflation", "House price index", "Regional estimates"
SEGMENTS = (
    "central government",
    "devolved and local government",
    "academia and research",
    "media",
    "business and industry",
    "charities and voluntary sector",
    "international bodies",
    "members of the public",
    "internal users",
)


def engage(
    database: Database,
    day: date,
    segments: Sequence[str] = (),
    outputs: Sequence[str] = (),
    organisations: Sequence[str] = (),
    *,
    team: str = "Prices",
    method: str | None = None,
    uses: str | None = None,
    summary: str = "Met users",
) -> int:
    """Log an engagement of `team` on `day`; `uses` is set on the row as the form will."""
    with database.transaction() as session:
        found = team_named(session=session, name=team)
        assert found is not None
        by_name = {output.name: output.id for output in found.outputs}
        named = segments_by_name(session=session)
        engagement = save_engagement(
            session=session,
            draft=EngagementDraft(
                summary,
                team_id=found.id,
                occurred_on=day,
                output_ids=[by_name[name] for name in outputs],  # type: ignore[misc]
                segment_ids=[named[name].id for name in segments],  # type: ignore[misc]
                organisations=list(organisations),
                method=method,
            ),
            today=day,
            user_id="ULOGGER",
        )
        engagement.uses = uses
        session.add(engagement)
        return engagement.id  # type: ignore[return-value]


def seed(database: Database) -> None:
    """Prices's engagements and feedback, and others' that must not count."""
    make_team(database, outputs=f"{CPI} | high\n{HPI} | medium\n{REGIONAL} | low")
    make_team(database, "Health", "CHEALTH", f"Life expectancy | high\n{REGIONAL} | medium")
    engage(database, date(2027, 1, 10), ["central government", "media"], [CPI], ["HM Treasury"])
    engage(
        database, date(2027, 3, 12), ["central government"], [CPI, HPI],
        ["HM Treasury", "Bank of England"],
    )  # fmt: skip
    engage(database, date(2026, 11, 2), ["media"], [], ["BBC News"])
    engage(database, date(2027, 2, 1), [], [HPI])
    engage(database, date(2028, 2, 29), ["academia and research"], [HPI], ["University of Leeds"])
    engage(
        database, date(2027, 3, 20), ["central government"], [REGIONAL], ["HM Treasury"],
        team="Health",
    )  # fmt: skip
    record(
        database, "Earlier CPI", date(2027, 3, 15), organisation="Bank of England",
        output_id=output_id(database, "Prices", CPI),
    )  # fmt: skip
    record(database, "A <b>bold</b> ask", date(2026, 12, 1), organisation="Resolution <Foundation>")
    ghost = record(database, "Said twice", date(2027, 4, 1), organisation="Ghost Org")
    with database.transaction() as session:
        item = session.get(Feedback, ghost)
        assert item is not None
        item.merged_into_id = 1
        session.add(item)
    record(database, "Health's", date(2027, 4, 2), organisation="NHS England", team="Health")


def output_id(database: Database, team: str, output: str) -> int:
    with database.transaction() as session:
        found = team_named(session=session, name=team)
        assert found is not None
        return next(o.id for o in found.outputs if o.name == output)  # type: ignore[return-value]


def map_of(database: Database, team: str = "Prices", output: str | None = None) -> UsersMap:
    with database.transaction() as session:
        scope = scope_named(session=session, team_name=team, output_name=output)
        return users_map(session=session, scope=scope)


def test_the_map_counts_each_segment_and_output_pair(database: Database) -> None:
    seed(database)
    found = map_of(database)
    assert (found.team_name, found.output_name) == ("Prices", None)
    assert found.segments == SEGMENTS
    assert [(column.name, column.profile) for column in found.outputs] == [
        (CPI, "high"),
        (HPI, "medium"),
        (REGIONAL, "low"),
    ]
    assert found.cells == {
        ("central government", CPI): Tally(2, date(2027, 3, 12)),
        ("central government", HPI): Tally(1, date(2027, 3, 12)),
        ("media", CPI): Tally(1, date(2027, 1, 10)),
        ("academia and research", HPI): Tally(1, date(2028, 2, 29)),
    }
    assert found.cell("media", HPI) is None  # a gap
    # Each engagement once per segment, with its outputs or none (the one on 2 Nov 2026).
    assert found.segment_totals == {
        "central government": Tally(2, date(2027, 3, 12)),
        "media": Tally(2, date(2027, 1, 10)),
        "academia and research": Tally(1, date(2028, 2, 29)),
    }
    assert (found.engagements, found.without_segment) == (5, 1)
    assert found.organisations == (
        OrganisationTally("University of Leeds", 1, 0, date(2028, 2, 29)),
        OrganisationTally("Bank of England", 1, 1, date(2027, 3, 15)),
        OrganisationTally("HM Treasury", 2, 0, date(2027, 3, 12)),
        OrganisationTally("Resolution <Foundation>", 0, 1, date(2026, 12, 1)),
        OrganisationTally("BBC News", 1, 0, date(2026, 11, 2)),
    )


def test_a_map_of_one_output_counts_only_what_names_it(database: Database) -> None:
    seed(database)
    found = map_of(database, output="consumer PRICE inflation")
    assert (found.output_name, [column.name for column in found.outputs]) == (CPI, [CPI])
    assert found.cells == {
        ("central government", CPI): Tally(2, date(2027, 3, 12)),
        ("media", CPI): Tally(1, date(2027, 1, 10)),
    }
    assert found.segment_totals == {
        "central government": Tally(2, date(2027, 3, 12)),
        "media": Tally(1, date(2027, 1, 10)),
    }
    assert (found.engagements, found.without_segment) == (2, 0)
    # The feedback about no output (Resolution's) is not about this one.
    assert found.organisations == (
        OrganisationTally("Bank of England", 1, 1, date(2027, 3, 15)),
        OrganisationTally("HM Treasury", 2, 0, date(2027, 3, 12)),
    )


def test_a_team_with_nothing_recorded_has_gaps_everywhere(database: Database) -> None:
    make_team(database, "Empty", "CEMPTY", "Only output | low")
    found = map_of(database, "Empty")
    assert (found.cells, found.segment_totals, found.organisations) == ({}, {}, ())
    assert (found.engagements, found.without_segment) == (0, 0)
    assert [column.name for column in found.outputs] == ["Only output"]


def test_the_csv_has_a_row_per_cell_with_gaps_blank(database: Database) -> None:
    seed(database)
    out = io.StringIO()
    write_users_map(map_of(database, output=CPI), "csv", out)
    assert out.getvalue() == (
        "segment,output,engagements,last_engagement\n"
        "central government,Consumer price inflation,2,2027-03-12\n"
        "devolved and local government,Consumer price inflation,0,\n"
        "academia and research,Consumer price inflation,0,\n"
        "media,Consumer price inflation,1,2027-01-10\n"
        "business and industry,Consumer price inflation,0,\n"
        "charities and voluntary sector,Consumer price inflation,0,\n"
        "international bodies,Consumer price inflation,0,\n"
        "members of the public,Consumer price inflation,0,\n"
        "internal users,Consumer price inflation,0,\n"
    )
    out = io.StringIO()
    write_users_map(map_of(database), "csv", out)
    assert len(out.getvalue().splitlines()) == 1 + len(SEGMENTS) * 3


def test_an_output_name_a_spreadsheet_would_run_is_written_inert(database: Database) -> None:
    make_team(database, "Sums", "CSUMS", "=1+1 | low")
    out = io.StringIO()
    write_users_map(map_of(database, "Sums"), "csv", out)
    assert out.getvalue().splitlines()[1] == "central government,'=1+1,0,"


def test_the_json_has_the_cells_the_segments_and_the_organisations(database: Database) -> None:
    seed(database)
    out = io.StringIO()
    write_users_map(map_of(database), "json", out)
    document = json.loads(out.getvalue())
    assert (document["team"], document["output"]) == ("Prices", None)
    assert document["cells"][:3] == [
        {"segment": "central government", "output": CPI, "engagements": 2,
         "last_engagement": "2027-03-12"},
        {"segment": "central government", "output": HPI, "engagements": 1,
         "last_engagement": "2027-03-12"},
        {"segment": "central government", "output": REGIONAL, "engagements": 0,
         "last_engagement": None},
    ]  # fmt: skip
    assert len(document["cells"]) == len(SEGMENTS) * 3
    assert document["segments"][3] == {
        "segment": "media", "engagements": 2, "last_engagement": "2027-01-10"
    }  # fmt: skip
    assert document["organisations"][3] == {
        "organisation": "Resolution <Foundation>", "engagements": 0, "feedback": 1,
        "last_contact": "2026-12-01",
    }  # fmt: skip


def scope_for(database: Database, text: str, person_team: str | None = None) -> Scope:
    with database.transaction() as session:
        team = team_named(session=session, name=person_team) if person_team else None
        return find_scope(session=session, text=text, person_team=team)


def named(scope: Scope) -> tuple[str, str | None]:
    return scope.team.name, scope.output.name if scope.output else None


@pytest.mark.parametrize(
    ("text", "person_team", "expected"),
    [
        ("", "Health", ("Health", None)),
        ("  prices ", None, ("Prices", None)),
        ("house PRICE   index", None, ("Prices", HPI)),
        ("Regional estimates", "Health", ("Health", REGIONAL)),  # the person's team's first
        ("health:  regional estimates", "Prices", ("Health", REGIONAL)),
    ],
)
def test_what_the_text_names(
    database: Database, text: str, person_team: str | None, expected: tuple[str, str | None]
) -> None:
    seed(database)
    assert named(scope_for(database, text, person_team)) == expected


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        (
            "",
            "Which team? This channel is no team's home and you haven't recorded for a team "
            "yet: name one, e.g. `/engage users Prices`. Teams: Health, Prices.",
        ),
        (
            "Regional estimates",
            "Several teams publish an output called 'Regional estimates': Prices: Regional "
            "estimates, Health: Regional estimates. Say which, e.g. `/engage users Prices: "
            "Regional estimates`.",
        ),
        ("Nope", "No team or output is called 'Nope'. Teams: Health, Prices."),
        (
            "price",
            "No team or output is called 'price'. Outputs with 'price' in their name: "
            "Prices: Consumer price inflation, Prices: House price index.",
        ),
        (
            "Prices: Nope",
            "Prices has no output called 'Nope'. Its outputs: Consumer price inflation, "
            "House price index, Regional estimates.",
        ),
        ("Nobody: Nope", "No team is called 'Nobody'. Teams: Health, Prices."),
    ],
)
def test_what_cannot_be_mapped_says_why(database: Database, text: str, refusal: str) -> None:
    seed(database)
    with pytest.raises(UsersMapRefused) as refused:
        scope_for(database, text)
    assert str(refused.value) == refusal
