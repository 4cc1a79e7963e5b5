"""`engagebot publish users-and-uses`: the statement of a team's users and their uses, on
standard output, against hand-counted data (on SQLite and PostgreSQL), and its refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.statements.users_and_uses import twelve_months_to
from bot.users.organisations import set_segment
from storage.clock import utc_now
from storage.database import Database
from storage.models import Feedback, UpcomingChange
from storage.teams import team_named
from tests.domain.test_statements import record
from tests.domain.test_users_map import engage, output_id
from tests.e2e.helpers import make_team, run_cli

CPI, HPI = "Consumer price inflation", "House price index"
PERIOD = ("--from", "2026-04-01", "--to", "2027-03-31")


def announce(
    database: Database, title: str, output: str, at: datetime, effective_on: date, status: str
) -> None:
    with database.transaction() as session:
        team = team_named(session=session, name="Prices")
        assert team is not None
        session.add(
            UpcomingChange(
                team_id=team.id,  # type: ignore[arg-type]
                output_id=output_id(database, "Prices", output),
                title=title,
                description="Why it changes",
                effective_on=effective_on,
                status=status,
                created_by="UANNOUNCER",
                created_at=at,
            )
        )


def set_segments(database: Database, segments: dict[str, str]) -> None:
    """Record each organisation's segment in the register, as `/engage organisation` does."""
    with database.transaction() as session:
        for name, segment in segments.items():
            set_segment(session=session, name=name, segment=segment)


def seed(database: Database) -> None:
    """Prices's year from April 2026 to March 2027, with what falls just outside it. The
    register holds each organisation's own segment, whatever the engagements naming it say:
    HM Treasury, BBC News, The Guardian and Jo Bloggs took their first record's one
    segment; Department for Work and Pensions and Bank of England, first named on
    engagements of two segments, and the Office for Budget Responsibility, on one tagged
    academia, are set to central government; Acme Analytics' is not recorded."""
    make_team(database)
    make_team(database, "Health", "CHEALTH", "Life expectancy | high")
    cg, ac, media, public = (
        "central government", "academia and research", "media", "members of the public"
    )  # fmt: skip
    uprating = "Uprating benefits & pensions"
    engage(database, date(2026, 4, 1), [cg], [CPI], ["HM Treasury"], method="meeting",
           uses=uprating)  # fmt: skip
    engage(database, date(2026, 9, 15), [cg, public], [CPI], ["Department for Work and Pensions"],
           method="workshop", uses=f"  {uprating.upper()} ")  # fmt: skip
    # The engagement: central government and academia, both organisations central
    # government's. Its use is theirs, not academia's.
    engage(database, date(2026, 12, 1), [cg, ac], [CPI], ["Bank of England", "HM Treasury"],
           method="meeting", uses="Monetary policy and fiscal forecasts")  # fmt: skip
    engage(database, date(2026, 11, 20), [ac], [], ["Office for Budget Responsibility"],
           method="workshop", uses="Checking our forecasts")  # fmt: skip
    engage(database, date(2027, 1, 10), [media, "business and industry"], [], [],
           method="conference", uses="Reporting on inflation")  # fmt: skip
    engage(database, date(2027, 2, 2), [], [], ["Jo Bloggs", "Acme Analytics"], method="survey",
           uses="Pricing our products")  # fmt: skip
    engage(database, date(2027, 3, 31), [media], [HPI], ["BBC News"], method="webinar",
           uses="Stories about *house prices*")  # fmt: skip
    engage(database, date(2026, 6, 1), uses="Checking <script>alert(1)</script> forecasts")
    engage(database, date(2026, 10, 1), [cg], [HPI], ["HM Treasury"], method="meeting", uses=" ")
    engage(database, date(2026, 3, 31), [media], [], ["Too Early Org"], method="meeting",
           uses="Too early use")  # fmt: skip
    engage(database, date(2026, 5, 1), [cg], [], ["NHS England"], team="Health",
           uses="Health's use")  # fmt: skip
    cpi = output_id(database, "Prices", CPI)
    planned, done = ("planned", None), ("done", "We now publish <b>regional</b> CPI.")
    record(database, "Earlier figures", date(2026, 5, 10), segment=media, output_id=cpi,
           organisation="The Guardian", decisions=(("planned", "In the autumn release."),),
    )  # fmt: skip
    kept = record(database, "Regional CPI", date(2026, 7, 1), segment=cg, output_id=cpi,
                  organisation="HM Treasury", contact_agreed=True, contact_name="Jane Doe",
                  contact_email="jane@example.org", decisions=(planned, done))  # fmt: skip
    record(database, "Weekly prices", date(2026, 8, 1), segment=public, organisation="Jo Bloggs",
           decisions=(("not_planned", "Not possible."),))  # fmt: skip
    # Recorded as academia's, from an organisation of central government: both heard.
    record(database, "Longer series", date(2026, 10, 20), segment=ac,
           organisation="Bank of England")  # fmt: skip
    record(database, "Old request", date(2026, 2, 1), segment=cg,
           decisions=(("done", "Done long ago."),))  # fmt: skip
    merged = record(database, "Regional CPI again", date(2026, 9, 1), segment=media,
                    organisation="Merged Org", decisions=(("planned", "Merged."),))  # fmt: skip
    record(database, "No idea who said this", date(2026, 11, 11))
    with database.transaction() as session:
        item = session.get(Feedback, merged)
        assert item is not None
        item.merged_into_id = kept
        session.add(item)
    set_segments(database, {
        "Department for Work and Pensions": cg,
        "Bank of England": cg,
        "Office for Budget Responsibility": cg,
    })  # fmt: skip
    # 23:30 UTC on 31 March is 00:30 on 1 April in London (summer time): inside, then outside.
    announce(database, "HPI methods", HPI, datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
             date(2026, 5, 1), "announced")  # fmt: skip
    announce(database, "New <weights>", CPI, datetime(2026, 6, 15, 10, tzinfo=UTC),
             date(2027, 2, 1), "announced")  # fmt: skip
    announce(database, "Cancelled one", CPI, datetime(2026, 7, 1, 10, tzinfo=UTC),
             date(2027, 1, 1), "cancelled")  # fmt: skip
    announce(database, "Too late", CPI, datetime(2027, 3, 31, 23, 30, tzinfo=UTC),
             date(2027, 6, 1), "announced")  # fmt: skip


# Counted by hand from `seed`. The segments each engagement reached (those it names, and
# its organisations'): 1 Apr cg; 1 Jun none; 15 Sep cg, public; 1 Oct cg; 20 Nov academia
# (named), cg (OBR); 1 Dec cg, academia; 10 Jan media, business; 2 Feb public (Jo Bloggs),
# not recorded (Acme); 31 Mar media. Feedback: media, cg, public, academia and cg (Bank of
# England), and one from no one known.
MARKDOWN = """\
# Users and uses: Prices

From 1 April 2026 to 31 March 2027.

We engaged with users 9 times and received 5 feedback items, from 5 types of user.

## Who uses our statistics

- **Central government**: 5 engagements, 2 feedback items. Organisations: Bank of England, \
Department for Work and Pensions, HM Treasury, Office for Budget Responsibility.
- **Academia and research**: 2 engagements, 1 feedback item.
- **Media**: 2 engagements, 1 feedback item. Organisations: BBC News, The Guardian.
- **Business and industry**: 1 engagement.
- **Members of the public**: 2 engagements, 1 feedback item.
- **Segment not recorded**: 2 engagements, 1 feedback item. Organisations: Acme Analytics.

## What they use them for

### Central government

- Uprating benefits \\& pensions _(HM Treasury, Department for Work and Pensions)_
- Checking our forecasts _(Office for Budget Responsibility)_
- Monetary policy and fiscal forecasts _(Bank of England, HM Treasury)_

### Media

- Stories about \\*house prices\\* _(BBC News)_

### Members of the public

- Pricing our products

### Users of several types

- Reporting on inflation _(media, business and industry)_

### Segment not recorded

- Checking \\<script\\>alert(1)\\</script\\> forecasts
- Pricing our products _(Acme Analytics)_

## How we engaged with them

- **Central government**: meeting (3), workshop (2)
- **Academia and research**: meeting (1), workshop (1)
- **Media**: conference (1), webinar (1)
- **Business and industry**: conference (1)
- **Members of the public**: survey (1), workshop (1)
- **Segment not recorded**: method not recorded (1), survey (1)

## What changed as a result

### Done (1)

- **You said:** Regional CPI _(Central government, received 1 July 2026)_
  - **Done:** We now publish \\<b\\>regional\\</b\\> CPI.

### Planned (1)

- **You said:** Earlier figures _(Media, received 10 May 2026)_
  - **Planned:** In the autumn release.

### Changes we announced (2)

- **HPI methods**: House price index: takes effect 1 May 2026 (announced 1 April 2026)
- **New \\<weights\\>**: Consumer price inflation: takes effect 1 February 2027 \
(announced 15 June 2026)
"""


@pytest.fixture
def cli(cli_database: Database) -> Database:
    return cli_database


def publish(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "publish", "users-and-uses", *args)


def test_the_statement_is_written_as_markdown(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(cli)
    code, out, err = publish(capsys, "--team", "prices", *PERIOD)
    assert (code, err) == (0, "")
    assert out == MARKDOWN


def test_one_outputs_statement_counts_only_what_is_about_it(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(cli)
    code, out, err = publish(capsys, "--team", "Prices", "--output", "consumer price inflation",
                             *PERIOD)  # fmt: skip
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "# Users and uses: Prices, Consumer price inflation"
    assert lines[4] == (
        "We engaged with users 3 times and received 2 feedback items, from 4 types of user."
    )
    assert lines[8:12] == [
        "- **Central government**: 3 engagements, 1 feedback item. Organisations: Bank of "
        "England, Department for Work and Pensions, HM Treasury.",
        "- **Academia and research**: 1 engagement.",
        "- **Media**: 1 feedback item. Organisations: The Guardian.",
        "- **Members of the public**: 1 engagement.",
    ]
    for elsewhere in ("Stories about", "Users of several types", "Segment not recorded"):
        assert elsewhere not in out
    assert out.endswith(
        "### Changes we announced (1)\n\n- **New \\<weights\\>**: Consumer price inflation: "
        "takes effect 1 February 2027 (announced 15 June 2026)\n"
    )
    assert "**You said:** Regional CPI" in out and "**You said:** Earlier figures" in out


def test_the_statement_is_a_whole_escaped_page_in_html_with_no_personal_data(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(cli)
    code, out, err = publish(capsys, "--team", "Prices", *PERIOD, "--format", "html")
    assert (code, err) == (0, "")
    assert out.startswith('<!DOCTYPE html>\n<html lang="en">') and out.endswith("</html>\n")
    assert "<title>Users and uses: Prices</title>" in out
    assert "<li><p>Checking &lt;script&gt;alert(1)&lt;/script&gt; forecasts</p></li>" in out
    assert "<script>" not in out
    assert (
        "<li><strong>Media</strong>: 2 engagements, 1 feedback item. "
        "Organisations: BBC News, The Guardian.</li>"
    ) in out
    assert "We now publish &lt;b&gt;regional&lt;/b&gt; CPI." in out
    assert "<strong>New &lt;weights&gt;</strong>: Consumer price inflation" in out
    assert (
        "<li><p>Uprating benefits &amp; pensions <em>(HM Treasury, Department for Work and "
        "Pensions)</em></p></li>"
    ) in out
    for personal in ("Jane Doe", "jane@example.org", "Jo Bloggs", "ULOGGER", "URECORDER",
                     "ULEAD", "UADMIN", "UANNOUNCER"):  # fmt: skip
        assert personal not in out
    # What falls outside the period, or another team's, or was merged away.
    for outside in ("Too early", "Too Early Org", "Old request", "Too late", "Cancelled one",
                    "Health", "NHS England", "Merged"):  # fmt: skip
        assert outside not in out


def test_organisations_and_their_uses_go_under_their_own_segment_not_the_engagements(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """An engagement with central government and academia, both of whose organisations
    are central government's: neither they nor their use is academia's."""
    make_team(cli)
    cg = "central government"
    engage(cli, date(2026, 6, 1), [cg, "academia and research"], [CPI],
           ["HM Treasury", "Bank of England"], method="meeting",
           uses="Monetary policy")  # fmt: skip
    who_and_how = (
        "## How we engaged with them\n\n"
        "- **Central government**: meeting (1)\n"
        "- **Academia and research**: meeting (1)\n"
    )
    # Their segments not recorded yet: said so, not guessed from the engagement.
    code, out, err = publish(capsys, "--team", "Prices", *PERIOD)
    assert (code, err) == (0, "")
    assert (
        "## Who uses our statistics\n\n"
        "- **Central government**: 1 engagement.\n"
        "- **Academia and research**: 1 engagement.\n"
        "- **Segment not recorded**: 1 engagement. Organisations: Bank of England, HM Treasury.\n"
        "\n## What they use them for\n\n### Segment not recorded\n\n"
        "- Monetary policy _(Bank of England, HM Treasury)_\n\n"
        + who_and_how
        + "- **Segment not recorded**: meeting (1)\n"
    ) in out
    set_segments(
        cli, {"HM Treasury": "central government", "Bank of England": "central government"}
    )
    code, out, err = publish(capsys, "--team", "Prices", *PERIOD)
    assert (code, err) == (0, "")
    assert out == (
        "# Users and uses: Prices\n\nFrom 1 April 2026 to 31 March 2027.\n\n"
        "We engaged with users once and received no feedback, from 2 types of user.\n\n"
        "## Who uses our statistics\n\n"
        "- **Central government**: 1 engagement. Organisations: Bank of England, HM Treasury.\n"
        "- **Academia and research**: 1 engagement.\n\n"
        "## What they use them for\n\n### Central government\n\n"
        "- Monetary policy _(Bank of England, HM Treasury)_\n\n"
        + who_and_how
        + "\n## What changed as a result\n\n"
        "Nothing from this period is done or planned yet, and no change was announced.\n"
    )


def test_an_empty_year_says_so_in_each_part(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    make_team(cli)
    code, out, err = publish(capsys, "--team", "Prices", *PERIOD)
    assert (code, err) == (0, "")
    assert out == (
        "# Users and uses: Prices\n\nFrom 1 April 2026 to 31 March 2027.\n\n"
        "No engagement or feedback was recorded in this period.\n\n"
        "## Who uses our statistics\n\nNo type of user was recorded in this period.\n\n"
        "## What they use them for\n\nNo uses were recorded in this period.\n\n"
        "## How we engaged with them\n\nNo engagement was recorded in this period.\n\n"
        "## What changed as a result\n\n"
        "Nothing from this period is done or planned yet, and no change was announced.\n"
    )


def test_the_period_is_the_twelve_months_to_today_in_the_teams_time_zone(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    make_team(cli)
    with cli.transaction() as session:
        team = team_named(session=session, name="Prices")
        assert team is not None
        team.timezone = "Pacific/Kiritimati"  # UTC+14: often a day ahead of London
        session.add(team)
    today = utc_now().astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    start, end = twelve_months_to(today)
    engage(cli, today, uses="Today's use")
    engage(cli, start, uses="First day's use")
    engage(cli, start - timedelta(days=1), uses="A year ago's use")
    code, out, err = publish(capsys, "--team", "Prices")
    assert (code, err) == (0, "")
    assert f"From {start.day} {start:%B %Y} to {end.day} {end:%B %Y}." in out
    assert "Today's use" in out and "First day's use" in out
    assert "A year ago's use" not in out


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (date(2027, 1, 15), (date(2026, 1, 16), date(2027, 1, 15))),
        (date(2028, 2, 29), (date(2027, 3, 1), date(2028, 2, 29))),  # a leap day
        (date(2029, 3, 1), (date(2028, 3, 2), date(2029, 3, 1))),
        (date(2027, 1, 1), (date(2026, 1, 2), date(2027, 1, 1))),  # across a year
    ],
)
def test_twelve_months_end_on_the_day(day: date, period: tuple[date, date]) -> None:
    assert twelve_months_to(day) == period


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--team", "Nobody"], "No team is called 'Nobody'. Teams: Health, Prices."),
        (
            ["--team", "Prices", "--output", "Nope"],
            "Prices has no output called 'Nope'. Its outputs: Consumer price inflation, "
            "House price index.",
        ),
        (
            ["--team", "Prices", "--from", "2026-01-01"],
            "give both --from and --to, or neither for the last twelve months",
        ),
        (
            ["--team", "Prices", "--from", "2026-02-01", "--to", "2026-01-31"],
            "the period ends (2026-01-31) before it starts (2026-02-01)",
        ),
    ],
)
def test_what_cannot_be_published_says_why(
    cli: Database, capsys: pytest.CaptureFixture[str], args: list[str], error: str
) -> None:
    make_team(cli)
    make_team(cli, "Health", "CHEALTH", "")
    assert publish(capsys, *args) == (2, "", f"engagebot: {error}\n")
