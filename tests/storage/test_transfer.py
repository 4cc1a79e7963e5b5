"""Export and import of records as CSV/JSON (bot.transfer), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, func
from sqlmodel import select

from bot.engagements.recording import EngagementDraft, save_engagement
from bot.feedback.recording import FeedbackDraft, save_feedback
from bot.people.names import NameOf, no_names
from bot.teams.editing import TeamDraft, save_team
from bot.transfer import ImportRejected, RowProblem, UnknownTeam, export_records, import_records
from storage.database import Database
from storage.models import Engagement, Feedback, ProducerTeam
from storage.reference import segments_by_name
from tests.e2e.helpers import run_as_child
from tests.e2e.helpers import run_cli as in_process_cli
from tests.fake_slack import FakeSlack

TODAY = date(2026, 3, 15)
ENGAGEMENT_COLUMNS = (
    "id,occurred_on,team,outputs,method,segments,expertise,organisations,partners,participants,"
    "summary,what_we_heard,uses,follow_up_actions,logged_by,created_at,updated_at"
)
FEEDBACK_COLUMNS = (
    "id,received_on,team,output,organisation,segment,channel,text,themes,status,merged_into,"
    "contact_agreed,source_permalink,recorded_by,created_at,updated_at"
)
# With --include-personal: the contact's name and email too.
FEEDBACK_COLUMNS_PERSONAL = FEEDBACK_COLUMNS.replace(
    "contact_agreed,", "contact_agreed,contact_name,contact_email,"
)
# The staff behind the seeded records, as Slack would name them (U0LEAD is not known).
STAFF = {"U0ALICE": "Alice Jones", "U0BOB": "Bob (HR) Smith"}


@pytest.fixture
def transfer_db(database: Database) -> Database:
    return database


def add_teams(database: Database) -> None:
    with database.transaction() as session:
        save_team(
            session=session,
            draft=TeamDraft(
                name="Labour Market",
                home_channel_id="C0LABOUR",
                outputs_text="Employment | high\nEarnings, weekly | low\nVacancies | medium",
            ),
            user_id="U0LEAD",
        )
        save_team(session=session, draft=TeamDraft(name="Health"), user_id=None)


def seed(database: Database) -> None:
    """Two teams, and records using every field, lists included."""
    add_teams(database)
    with database.transaction() as session:
        labour = session.exec(
            select(ProducerTeam).where(ProducerTeam.name == "Labour Market")
        ).one()
        health = session.exec(select(ProducerTeam).where(ProducerTeam.name == "Health")).one()
        outputs = {output.name: output.id for output in labour.outputs}
        segments = segments_by_name(session=session)
        save_engagement(
            session=session,
            draft=EngagementDraft(
                summary='User group on "earnings", weekly\nSecond line',
                team_id=labour.id,
                occurred_on=date(2026, 1, 10),
                output_ids=[outputs["Vacancies"], outputs["Earnings, weekly"]],
                method="user_group",
                segment_ids=[segments["media"].id, segments["central government"].id],
                expertise="mixed",
                organisations=["Office for Students, Wales", "BBC"],
                participants=12,
                what_we_heard="They want more detail",
                follow_up_actions="Publish a table",
                partner_ids=[health.id],  # type: ignore[list-item]
                uses="Briefing ministers; pay settlements",
            ),
            today=TODAY,
            user_id="U0ALICE",
        )
        save_engagement(
            session=session,
            draft=EngagementDraft(summary="Phone call", team_id=health.id, occurred_on=TODAY),
            today=TODAY,
            user_id=None,
        )
        item = save_feedback(
            session=session,
            draft=FeedbackDraft(
                text="Please publish monthly; and sooner",
                team_id=labour.id,
                received_on=date(2026, 2, 1),
                organisation="Resolution Foundation",
                segment_id=segments["academia and research"].id,
                output_id=outputs["Employment"],
                channel="social_media",
                themes=["timeliness", "Frequency"],
                contact_agreed=True,
                contact_name="Sam Smith",
                contact_email="sam@example.org",
                source_permalink="https://example.slack.com/archives/C1/p1",
            ),
            today=TODAY,
            user_id="U0BOB",
        )
        item.status = "under_consideration"
        save_feedback(
            session=session,
            draft=FeedbackDraft(text="Love it", team_id=health.id, received_on=date(2026, 3, 1)),
            today=TODAY,
            user_id=None,
        )


def export(
    database: Database,
    kind: str,
    fmt: str = "csv",
    *,
    team: str | None = None,
    since: date | None = None,
    include_personal: bool = False,
    name_of: NameOf = no_names,
) -> str:
    out = io.StringIO()
    with database.transaction() as session:
        count = export_records(
            session=session,
            kind=kind,
            fmt=fmt,
            team=team,
            since=since,
            out=out,
            include_personal=include_personal,
            name_of=name_of,
        )
    written = out.getvalue()
    rows = json.loads(written) if fmt == "json" else list(csv.DictReader(io.StringIO(written)))
    assert count == len(rows)
    return written


def csv_rows(written: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(written)))


def load(database: Database, kind: str, content: str) -> int:
    return import_records(database=database, kind=kind, file=io.StringIO(content), today=TODAY)


def count(database: Database, model: type[Engagement] | type[Feedback]) -> int:
    with database.transaction() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def rejected(database: Database, kind: str, content: str) -> list[RowProblem]:
    with pytest.raises(ImportRejected) as caught:
        load(database, kind, content)
    return caught.value.problems


# Export


def test_export_engagements_csv_writes_every_field(transfer_db: Database) -> None:
    seed(transfer_db)
    written = export(transfer_db, "engagements")
    assert written.splitlines()[0] == ENGAGEMENT_COLUMNS
    first, second = csv_rows(written)
    assert first["id"] == "1"
    assert first["occurred_on"] == "2026-01-10"
    assert first["team"] == "Labour Market"
    assert first["outputs"] == "Earnings, weekly; Vacancies"
    assert first["method"] == "user_group"
    assert first["segments"] == "central government; media"  # taxonomy order
    assert first["expertise"] == "mixed"
    assert first["organisations"] == "BBC; Office for Students, Wales"
    assert first["partners"] == "Health"
    assert first["participants"] == "12"
    assert first["uses"] == "Briefing ministers; pay settlements"
    assert first["summary"] == 'User group on "earnings", weekly\nSecond line'
    assert first["logged_by"] == "U0ALICE"
    created = datetime.fromisoformat(first["created_at"])
    assert created.utcoffset() is not None and created.utcoffset().total_seconds() == 0
    assert second["outputs"] == second["participants"] == second["logged_by"] == ""


def test_export_feedback_json_has_lists_and_nulls(transfer_db: Database) -> None:
    seed(transfer_db)
    first, second = json.loads(export(transfer_db, "feedback", "json", include_personal=True))
    columns = FEEDBACK_COLUMNS_PERSONAL.replace("recorded_by,", "recorded_by,recorded_by_name,")
    assert list(first) == columns.split(",")
    assert (first["contact_name"], first["contact_email"]) == ("Sam Smith", "sam@example.org")
    assert first["themes"] == ["Frequency", "timeliness"]
    assert first["channel"] == "social_media"
    assert first["status"] == "under_consideration"
    assert first["contact_agreed"] is True
    assert first["output"] == "Employment"
    assert first["segment"] == "academia and research"
    assert first["received_on"] == "2026-02-01"
    assert first["created_at"].endswith("+00:00")
    assert second["themes"] == []
    assert second["output"] is None and second["contact_name"] is None
    assert second["contact_agreed"] is False and second["status"] == "new"


def test_export_leaves_contact_names_and_emails_out_unless_asked(transfer_db: Database) -> None:
    seed(transfer_db)
    written = export(transfer_db, "feedback")
    assert written.splitlines()[0] == FEEDBACK_COLUMNS
    assert "Sam Smith" not in written and "sam@example.org" not in written
    assert csv_rows(written)[0]["contact_agreed"] == "true"
    assert list(json.loads(export(transfer_db, "feedback", "json"))[0]) == (
        FEEDBACK_COLUMNS.replace("recorded_by,", "recorded_by,recorded_by_name,").split(",")
    )
    personal = export(transfer_db, "feedback", include_personal=True)
    assert personal.splitlines()[0] == FEEDBACK_COLUMNS_PERSONAL
    assert csv_rows(personal)[0]["contact_email"] == "sam@example.org"
    # Engagements and teams hold no personal column: the same either way.
    for kind in ("engagements", "teams"):
        assert export(transfer_db, kind, include_personal=True) == export(transfer_db, kind)


def test_export_feedback_csv_and_engagements_json(transfer_db: Database) -> None:
    seed(transfer_db)
    row = csv_rows(export(transfer_db, "feedback"))[0]
    assert row["themes"] == "Frequency; timeliness"
    assert row["contact_agreed"] == "true"
    engagement = json.loads(export(transfer_db, "engagements", "json"))[0]
    assert engagement["outputs"] == ["Earnings, weekly", "Vacancies"]
    assert engagement["participants"] == 12


def test_export_teams_in_both_formats(transfer_db: Database) -> None:
    seed(transfer_db)
    written = export(transfer_db, "teams")
    assert (
        written.splitlines()[0]
        == "id,name,home_channel_id,outputs,created_by,created_at,updated_at"
    )
    labour = csv_rows(written)[0]
    assert labour["outputs"] == "Earnings, weekly (low); Employment (high); Vacancies (medium)"
    assert labour["home_channel_id"] == "C0LABOUR" and labour["created_by"] == "U0LEAD"
    teams = json.loads(export(transfer_db, "teams", "json"))
    assert teams[0]["outputs"][0] == {"name": "Earnings, weekly", "profile": "low"}
    assert teams[1]["outputs"] == [] and teams[1]["home_channel_id"] is None


def test_export_names_the_staff_beside_their_slack_ids(transfer_db: Database) -> None:
    seed(transfer_db)
    engagements = csv_rows(export(transfer_db, "engagements", name_of=STAFF.get))
    assert [row["logged_by"] for row in engagements] == ["Alice Jones (U0ALICE)", ""]
    feedback = csv_rows(export(transfer_db, "feedback", name_of=STAFF.get))
    assert feedback[0]["recorded_by"] == "Bob (HR) Smith (U0BOB)"
    teams = csv_rows(export(transfer_db, "teams", name_of=STAFF.get))
    assert teams[0]["created_by"] == "U0LEAD"  # no name known: the id alone
    first, second = json.loads(export(transfer_db, "engagements", "json", name_of=STAFF.get))
    assert (first["logged_by"], first["logged_by_name"]) == ("U0ALICE", "Alice Jones")
    assert (second["logged_by"], second["logged_by_name"]) == (None, None)
    team = json.loads(export(transfer_db, "teams", "json", name_of=STAFF.get))[0]
    assert (team["created_by"], team["created_by_name"]) == ("U0LEAD", None)


def test_engagebot_export_asks_slack_for_the_names(
    cli_database: Database,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed(cli_database)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    fake_slack.set_user("U0ALICE", real_name="Alice Jones")
    code, out, err = in_process_cli(capsys, "export", "engagements")
    assert (code, err) == (0, "")
    assert [row["logged_by"] for row in csv_rows(out)] == ["Alice Jones (U0ALICE)", ""]
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    code, out, err = in_process_cli(capsys, "export", "engagements")
    assert code == 0 and [row["logged_by"] for row in csv_rows(out)] == ["U0ALICE", ""]
    assert err == (
        "engagebot: some people are shown by their Slack id alone: "
        "no Slack token to ask Slack for names (SLACK_BOT_TOKEN)\n"
    )


def test_export_filters_by_team_and_since(transfer_db: Database) -> None:
    seed(transfer_db)
    assert [r["team"] for r in csv_rows(export(transfer_db, "engagements", team="health"))] == [
        "Health"
    ]
    assert [r["summary"] for r in csv_rows(export(transfer_db, "engagements", since=TODAY))] == [
        "Phone call"
    ]
    assert json.loads(export(transfer_db, "feedback", "json", since=date(2026, 2, 1)))[0]["id"] == 1
    assert json.loads(export(transfer_db, "feedback", "json", since=date(2026, 2, 2)))[0]["id"] == 2
    assert json.loads(export(transfer_db, "teams", "json", team=" LABOUR market"))[0]["id"] == 1
    assert export(transfer_db, "teams", "json", since=date(2999, 1, 1)) == "[]\n"
    assert export(transfer_db, "feedback", team="Health", since=TODAY).splitlines() == [
        FEEDBACK_COLUMNS
    ]


def test_export_of_an_unknown_team_is_refused(transfer_db: Database) -> None:
    seed(transfer_db)
    with pytest.raises(UnknownTeam, match="no team is called 'Nope'"):
        export(transfer_db, "feedback", team="Nope")


# Import


def test_round_trip_keeps_every_field(fresh_database: Callable[[], Database]) -> None:
    source, target = fresh_database(), fresh_database()
    seed(source)
    add_teams(target)
    for kind in ("engagements", "feedback"):
        first = export(source, kind, include_personal=True, name_of=STAFF.get)
        assert load(target, kind, first) == 2  # the ids read back from beside the names
        assert export(target, kind, include_personal=True, name_of=STAFF.get) == first
        assert export(target, kind, "json", include_personal=True) == export(
            source, kind, "json", include_personal=True
        )
    # New records after an import with ids get fresh ids (PostgreSQL's sequence was moved on).
    assert load(target, "engagements", "occurred_on,team,summary\n2026-03-01,Health,Later\n") == 1
    assert csv_rows(export(target, "engagements"))[-1]["id"] == "3"


def test_an_export_without_personal_data_imports_back_without_it(
    fresh_database: Callable[[], Database],
) -> None:
    source, target = fresh_database(), fresh_database()
    seed(source)
    add_teams(target)
    written = export(source, "feedback")
    assert load(target, "feedback", written) == 2
    assert export(target, "feedback") == written
    (first, _second) = json.loads(export(target, "feedback", "json", include_personal=True))
    assert first["contact_agreed"] is True
    assert first["contact_name"] is None and first["contact_email"] is None


def test_a_lone_carriage_return_in_a_cell_exports_readably(
    fresh_database: Callable[[], Database],
) -> None:
    source, target = fresh_database(), fresh_database()
    add_teams(source)
    add_teams(target)
    content = 'occurred_on,team,summary\n2026-03-01,Health,"Old Mac line\rnext"\n'
    assert load(source, "engagements", content) == 1
    written = export(source, "engagements")
    assert [row["summary"] for row in csv_rows(written)] == ["Old Mac line\rnext"]
    assert load(target, "engagements", written) == 1


def test_text_a_spreadsheet_would_run_is_exported_inert_and_imported_back_whole(
    fresh_database: Callable[[], Database],
) -> None:
    source, target = fresh_database(), fresh_database()
    add_teams(source)
    add_teams(target)
    summaries = ['=HYPERLINK("http://evil.example","Open")', "+1 rang", "-x", "@SUM(A1)", "a=b"]
    quoted = [summary.replace('"', '""') for summary in summaries]
    content = "occurred_on,team,summary,organisations\n" + "".join(
        f'2026-03-01,Health,"{summary}",=Evil Ltd\n' for summary in quoted
    )
    assert load(source, "engagements", content) == len(summaries)
    written = export(source, "engagements")
    rows = csv_rows(written)
    # What a spreadsheet opening the file sees: text, none of it a formula.
    assert [row["summary"] for row in rows] == [
        '\'=HYPERLINK("http://evil.example","Open")',
        "'+1 rang",
        "'-x",
        "'@SUM(A1)",
        "a=b",
    ]
    assert {row["organisations"] for row in rows} == {"'=Evil Ltd"}
    # JSON is not run by spreadsheets: it keeps the text as stored.
    stored = json.loads(export(source, "engagements", "json"))
    assert [record["summary"] for record in stored] == summaries
    # An export imports back unchanged.
    assert load(target, "engagements", written) == len(summaries)
    assert export(target, "engagements", "json") == export(source, "engagements", "json")


def test_nul_characters_in_cells_are_dropped(transfer_db: Database) -> None:
    add_teams(transfer_db)  # PostgreSQL cannot store NUL; a spreadsheet export can hold one
    assert load(transfer_db, "engagements", "occurred_on,team,summary\n2026-03-01,Health,A\x00B\n")
    assert [row["summary"] for row in csv_rows(export(transfer_db, "engagements"))] == ["AB"]


def test_minimal_spreadsheet_is_imported(transfer_db: Database) -> None:
    add_teams(transfer_db)
    content = (
        "Occurred on,Team,Summary\n"
        "2026-03-01,labour market,Met the ONS user group\n"
        ",,\n"
        "2026-03-02,Health,  Webinar  \n"
    )
    assert load(transfer_db, "engagements", content) == 2
    rows = csv_rows(export(transfer_db, "engagements"))
    assert [(r["team"], r["summary"]) for r in rows] == [
        ("Labour Market", "Met the ONS user group"),
        ("Health", "Webinar"),
    ]
    assert rows[0]["logged_by"] == "" and rows[0]["outputs"] == ""


def test_feedback_import_reads_labels_and_defaults_status(transfer_db: Database) -> None:
    add_teams(transfer_db)
    content = (
        "received_on,team,text,channel,status,contact_agreed,output,segment,themes\n"
        "2026-03-01,Labour Market,Great,Social media,,yes,employment,Media,a; B\n"
        "2026-03-02,Labour Market,Fine,,Not planned,,,,\n"
    )
    assert load(transfer_db, "feedback", content) == 2
    first, second = json.loads(export(transfer_db, "feedback", "json"))
    assert first["channel"] == "social_media" and first["status"] == "new"
    assert first["contact_agreed"] is True and first["output"] == "Employment"
    assert first["segment"] == "media" and first["themes"] == ["a", "B"]
    assert second["status"] == "not_planned" and second["contact_agreed"] is False


def test_one_bad_row_rejects_the_file_and_writes_nothing(transfer_db: Database) -> None:
    add_teams(transfer_db)
    content = (
        "occurred_on,team,summary\n"
        "2026-03-01,Health,Good\n"
        "2026-03-01,Nobody,Bad team\n"
        "2026-03-02,Health,Good too\n"
    )
    assert rejected(transfer_db, "engagements", content) == [
        RowProblem(3, "team: no team is called 'Nobody'")
    ]
    assert count(transfer_db, Engagement) == 0


def test_every_bad_row_and_cell_is_listed(transfer_db: Database) -> None:
    add_teams(transfer_db)
    content = (
        "occurred_on,team,outputs,segments,method,expertise,participants,summary,created_at\n"
        "2026-03-01,Health,,,,,,Good,\n"
        "31/01/2026,Labour Market,Employment; Pies,Aliens,Seance,Guru,3.5,Bad,yesterday\n"
        "2026-03-16,Health,,,,,,,\n"
        "2026-03-01,,,,,,-1," + "x" * 1001 + ",2026-03-01T10:00:00\n"
    )
    problems = rejected(transfer_db, "engagements", content)
    reasons = {(p.row, p.reason.split(":")[0]) for p in problems}
    assert reasons == {
        (3, "occurred_on"),
        (3, "outputs"),
        (3, "method"),
        (3, "segments"),
        (3, "expertise"),
        (3, "participants"),
        (3, "created_at"),
        (4, "occurred_on"),
        (4, "summary"),
        (5, "team"),
        (5, "participants"),
        (5, "summary"),
        (5, "created_at"),
    }
    by_cell = {(p.row, p.reason.split(":")[0]): p.reason for p in problems}
    assert by_cell[3, "outputs"] == "outputs: Labour Market has no output called 'Pies'"
    assert "'31/01/2026' is not a date" in by_cell[3, "occurred_on"]
    assert "in the future" in by_cell[4, "occurred_on"]
    assert "'3.5' is not a whole number" in by_cell[3, "participants"]
    assert [p.row for p in problems] == sorted(p.row for p in problems)
    assert count(transfer_db, Engagement) == 0


def test_partner_teams_are_imported_by_name_and_checked(transfer_db: Database) -> None:
    add_teams(transfer_db)
    good = "occurred_on,team,partners,summary\n2026-03-01,Health,labour market,Joint panel\n"
    assert load(transfer_db, "engagements", good) == 1
    assert json.loads(export(transfer_db, "engagements", "json"))[0]["partners"] == [
        "Labour Market"
    ]
    bad = (
        "occurred_on,team,partners,summary\n"
        "2026-03-01,Health,Labour Market; Nobody; Nor this,Unknown partners\n"
        "2026-03-01,Health,Health,Its own partner\n"
    )
    assert rejected(transfer_db, "engagements", bad) == [
        RowProblem(2, "partners: no team is called 'Nobody', 'Nor this'"),
        RowProblem(
            3,
            "partners: The engagement's own team can't be its partner: choose the other teams "
            "that took part.",
        ),
    ]
    assert count(transfer_db, Engagement) == 1


def test_dates_before_the_earliest_are_refused(transfer_db: Database) -> None:
    add_teams(transfer_db)
    content = "occurred_on,team,summary\n1900-01-01,Health,Long ago\n2000-01-01,Health,Fine\n"
    assert rejected(transfer_db, "engagements", content) == [
        RowProblem(2, "occurred_on: The date can't be before 2000-01-01: check the year.")
    ]
    feedback = "received_on,team,text\n2009-12-31,Health,Before\n2010-01-01,Health,Fine\n"
    with pytest.raises(ImportRejected) as caught:
        import_records(
            database=transfer_db,
            kind="feedback",
            file=io.StringIO(feedback),
            today=TODAY,
            earliest=date(2010, 1, 1),
        )
    assert caught.value.problems == [
        RowProblem(2, "received_on: The date can't be before 2010-01-01: check the year.")
    ]
    assert count(transfer_db, Engagement) == count(transfer_db, Feedback) == 0


def test_times_outside_the_dates_a_record_may_hold_are_refused(transfer_db: Database) -> None:
    add_teams(transfer_db)
    content = (
        "occurred_on,team,summary,created_at,updated_at\n"
        "2026-03-01,Health,Long ago,1900-01-01T09:00:00+00:00,\n"
        "2026-03-01,Health,Ahead,,2036-03-16T09:00:00+00:00\n"
        "2026-03-01,Health,Fine,2026-03-01T09:00:00+00:00,2026-03-02T09:00:00+00:00\n"
    )
    assert rejected(transfer_db, "engagements", content) == [
        RowProblem(
            2,
            "created_at: '1900-01-01T09:00:00+00:00' is not between 2000-01-01 and "
            "2036-03-15: check the year",
        ),
        RowProblem(
            3,
            "updated_at: '2036-03-16T09:00:00+00:00' is not between 2000-01-01 and "
            "2036-03-15: check the year",
        ),
    ]
    assert count(transfer_db, Engagement) == 0


def test_who_recorded_it_is_a_slack_user_id(transfer_db: Database) -> None:
    add_teams(transfer_db)
    content = (
        "occurred_on,team,summary,logged_by\n"
        "2026-03-01,Health,Anyone,not a user\n"
        "2026-03-01,Health,Everyone,<!channel>\n"
        "2026-03-01,Health,Jane,Jane Smith (U0123ABCD)\n"
    )
    assert [
        (p.row, p.reason.split("'")[1]) for p in rejected(transfer_db, "engagements", content)
    ] == [
        (2, "not a user"),
        (3, "<!channel>"),
    ]
    assert count(transfer_db, Engagement) == 0


def test_feedback_cells_are_checked(transfer_db: Database) -> None:
    add_teams(transfer_db)
    content = (
        "received_on,team,text,contact_agreed,contact_email,status,channel,output,recorded_by\n"
        "2026-03-01,Health,Hi,maybe,not-an-email,Binned,Pigeon,Employment," + "U" * 40 + "\n"
    )
    reasons = [p.reason for p in rejected(transfer_db, "feedback", content)]
    assert [reason.split(":")[0] for reason in reasons] == [
        "output",
        "channel",
        "status",
        "contact_agreed",
        "contact_email",
        "recorded_by",
    ]
    assert reasons[0] == "output: Health has no output called 'Employment'"
    assert count(transfer_db, Feedback) == 0


def test_ids_too_large_for_the_database_are_refused_by_row(transfer_db: Database) -> None:
    add_teams(transfer_db)
    content = (
        "id,received_on,team,text,merged_into\n"
        "2147483648,2026-03-01,Health,A,\n"
        ",2026-03-01,Health,B,99999999999999999999\n"
    )
    assert rejected(transfer_db, "feedback", content) == [
        RowProblem(2, "id: '2147483648' is not a record number (1 to 2,147,483,647)"),
        RowProblem(
            3, "merged_into: '99999999999999999999' is not a record number (1 to 2,147,483,647)"
        ),
    ]
    assert count(transfer_db, Feedback) == 0


def test_unknown_and_missing_columns_are_refused_on_row_1(transfer_db: Database) -> None:
    add_teams(transfer_db)
    problems = rejected(transfer_db, "engagements", "occurred_on,team,Notes,colour\n")
    assert [p.row for p in problems] == [1, 1]
    assert problems[0].reason.startswith("unknown columns 'Notes', 'colour'")
    assert problems[1].reason == "missing required column 'summary'"
    assert rejected(transfer_db, "feedback", "")[0] == RowProblem(
        1, "the file is empty: row 1 names the columns"
    )


def test_duplicate_and_existing_ids_are_refused(transfer_db: Database) -> None:
    add_teams(transfer_db)
    load(transfer_db, "feedback", "id,received_on,team,text\n7,2026-03-01,Health,First\n")
    content = (
        "id,received_on,team,text\n"
        "8,2026-03-01,Health,A\n"
        "7,2026-03-01,Health,B\n"
        "8,2026-03-01,Health,C\n"
        "x,2026-03-01,Health,D\n"
    )
    assert rejected(transfer_db, "feedback", content) == [
        RowProblem(3, "id: feedback #7 already exists"),
        RowProblem(4, "id: 8 is also on row 2"),
        RowProblem(5, "id: 'x' is not a whole number"),
    ]
    assert count(transfer_db, Feedback) == 1


def test_an_engagement_already_stored_is_named_as_one(transfer_db: Database) -> None:
    add_teams(transfer_db)
    load(transfer_db, "engagements", "id,occurred_on,team,summary\n1,2026-03-01,Health,A\n")
    content = "id,occurred_on,team,summary\n1,2026-03-01,Health,B\n"
    assert rejected(transfer_db, "engagements", content) == [
        RowProblem(2, "id: engagement #1 already exists")
    ]


def test_cells_outside_the_named_columns_must_be_empty(transfer_db: Database) -> None:
    add_teams(transfer_db)
    content = "received_on,team,text,\n2026-03-01,Health,Hi,extra\n2026-03-01,Health,Fine,\n"
    assert rejected(transfer_db, "feedback", content) == [
        RowProblem(2, "row: it has a value in a column with no name in row 1"),
    ]
    assert load(transfer_db, "feedback", content.replace("extra", "")) == 2


def test_a_row_with_more_or_fewer_cells_than_the_header_refuses_the_file(
    transfer_db: Database,
) -> None:
    add_teams(transfer_db)
    content = (
        "occurred_on,team,summary,method\n"
        "2026-03-01,Health,Good,meeting\n"
        "2026-03-01,Health,Met DWP, then HMT,webinar\n"  # a comma that should have been quoted
        "2026-03-02,Health,Short row\n"
        "2026-03-03,Health,Spare cells,survey,,\n"
        ",,,\n"  # an empty row, whatever its cells, is a spreadsheet's leftover
    )
    assert rejected(transfer_db, "engagements", content) == [
        RowProblem(3, "row: it has 5 cells but the header names 4 columns"),
        RowProblem(4, "row: it has 3 cells but the header names 4 columns"),
        RowProblem(5, "row: it has 6 cells but the header names 4 columns"),
    ]
    assert count(transfer_db, Engagement) == 0


def test_a_quote_left_open_refuses_the_file_and_names_its_row(transfer_db: Database) -> None:
    add_teams(transfer_db)
    content = (
        "occurred_on,team,summary\n"
        "2026-03-01,Health,Good\n"
        '2026-03-02,Health,"Met DWP\n'  # the quote is never closed
        "2026-03-03,Health,Met HMT\n"
        "2026-03-04,Health,Met the RSS\n"
    )
    assert rejected(transfer_db, "engagements", content) == [
        RowProblem(
            3,
            "a quote opened in this row (from line 3 of the file) is never closed, so every "
            "line after it would be read into one cell: close the quote, and write a quote "
            'inside a cell twice ("")',
        )
    ]
    assert count(transfer_db, Engagement) == 0


def test_a_quote_closed_inside_a_cell_refuses_the_file_and_names_its_row(
    transfer_db: Database,
) -> None:
    add_teams(transfer_db)
    content = (
        "occurred_on,team,summary\n"
        '2026-03-02,Health,"Met DWP\n'  # left open: the next row's quote closes it
        '2026-03-03,Health,"Met HMT"\n'
    )
    assert rejected(transfer_db, "engagements", content) == [
        RowProblem(
            2,
            "a quote in this row (lines 2 to 3 of the file) ends in the middle of a cell: a "
            "quoted cell ends at its closing quote, and a quote inside a cell is written twice "
            '("")',
        )
    ]
    assert count(transfer_db, Engagement) == 0


def test_a_quoted_cell_over_several_lines_is_still_one_cell(transfer_db: Database) -> None:
    add_teams(transfer_db)
    content = (
        "occurred_on,team,summary\n"
        '2026-03-02,Health,"Met DWP\nthen ""HMT"", briefly"\n'
        "2026-03-03,Health,Met the RSS\n"
    )
    assert load(transfer_db, "engagements", content) == 2
    summaries = [row["summary"] for row in csv_rows(export(transfer_db, "engagements"))]
    assert summaries == ['Met DWP\nthen "HMT", briefly', "Met the RSS"]


def test_export_queries_do_not_grow_with_the_records(transfer_db: Database) -> None:
    seed(transfer_db)
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    def queries_for(kind: str) -> int:
        statements.clear()
        event.listen(transfer_db.engine, "before_cursor_execute", record)
        try:
            export(transfer_db, kind, "json")
        finally:
            event.remove(transfer_db.engine, "before_cursor_execute", record)
        return len(statements)

    before = {kind: queries_for(kind) for kind in ("engagements", "feedback", "teams")}
    rows = [(day, f"Org {day}", f"Entry {day}") for day in range(1, 8)]
    load(
        transfer_db,
        "engagements",
        "occurred_on,team,outputs,organisations,summary\n"
        + "".join(f"2026-03-0{d},Labour Market,Employment,{o},{t}\n" for d, o, t in rows),
    )
    load(
        transfer_db,
        "feedback",
        "received_on,team,output,organisation,text,themes\n"
        + "".join(f"2026-03-0{d},Labour Market,Employment,{o},{t},{t}\n" for d, o, t in rows),
    )
    assert {kind: queries_for(kind) for kind in before} == before


# The command line


@pytest.fixture
def run_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`engagebot ARGS` in `tmp_path`, with only `database_url` and `settings` set."""
    unset = ("SLACK_", "DATABASE_", "ENGAGEBOT_")
    kept = {name: value for name, value in os.environ.items() if not name.startswith(unset)}

    def run(*args: str, database_url: str, **settings: str) -> subprocess.CompletedProcess[str]:
        env = {**kept, "DATABASE_URL": database_url, **settings}
        return run_as_child(capsys, monkeypatch, args, env, tmp_path)

    return run


def test_the_command_line_imports_and_exports(
    tmp_path: Path, run_cli: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert run_cli("db", "upgrade", database_url=url).returncode == 0
    database = Database(url)
    add_teams(database)
    database.dispose()

    bad = tmp_path / "bad.csv"
    bad.write_text("occurred_on,team,summary\n2026-03-01,Health,Good\n2026-03-01,Nobody,Bad\n")
    result = run_cli("import", "engagements", str(bad), database_url=url)
    assert result.returncode == 1
    assert "Nothing was imported: 1 problem in 1 row." in result.stderr
    assert "row 3: team: no team is called 'Nobody'" in result.stderr

    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text('occurred_on,team,summary\n2026-03-01,Health,"Good\n2026-03-02,Health,X\n')
    result = run_cli("import", "engagements", str(unclosed), database_url=url)
    assert result.returncode == 1, result.stdout
    assert "Nothing was imported: 1 problem in 1 row." in result.stderr
    assert "row 2: a quote opened in this row (from line 2 of the file)" in result.stderr

    early = tmp_path / "early.csv"
    early.write_text("occurred_on,team,summary\n2014-12-31,Health,Early\n")
    result = run_cli(
        "import",
        "engagements",
        str(early),
        database_url=url,
        ENGAGEBOT_EARLIEST_DATE="2015-01-01",
    )
    assert result.returncode == 1
    assert "row 2: occurred_on: The date can't be before 2015-01-01" in result.stderr

    good = tmp_path / "good.csv"
    good.write_text("\ufeffoccurred_on,team,summary\n2026-03-01,Health,Good\n", encoding="utf-8")
    result = run_cli("import", "engagements", str(good), database_url=url)
    assert result.returncode == 0, result.stderr
    assert "Imported 1 engagement." in result.stdout
    items = tmp_path / "items.csv"
    items.write_text("received_on,team,text\n2026-03-01,Health,A\n2026-03-02,Health,B\n")
    result = run_cli("import", "feedback", str(items), database_url=url)
    assert result.stdout == "Imported 2 feedback items.\n", result.stderr

    result = run_cli("export", "engagements", "--format", "json", database_url=url)
    assert result.returncode == 0, result.stderr
    assert [row["summary"] for row in json.loads(result.stdout)] == ["Good"]

    result = run_cli("export", "feedback", "--team", "Nobody", database_url=url)
    assert result.returncode == 1
    assert result.stderr.startswith("engagebot: no team is called 'Nobody'")


def test_the_command_line_reports_a_failing_database(
    tmp_path: Path, run_cli: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("occurred_on,team,summary\n2026-03-01,Health,Good\n")
    (tmp_path / "empty.sqlite").touch()  # a database, with no tables yet
    never_migrated = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    result = run_cli("import", "engagements", str(good), database_url=never_migrated)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "engagebot: nothing was imported: the database failed "
        "(OperationalError: no such table: producer_team); "
        "run `engagebot db upgrade` to create the tables"
    )
