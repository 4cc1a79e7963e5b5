"""Personal data of members of the public: contact details cleared by retention on each
scheduler tick (`engagebot tick --at`, and `serve`'s ticker), `engagebot erase`, and
exports that leave contact names and emails out unless asked."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.engagements.insights import InsightDraft, save_insight
from bot.engagements.recording import EngagementDraft, save_engagement
from bot.feedback.decisions import merge
from bot.runtime.app import build_scheduler
from bot.runtime.cli import main
from bot.runtime.ticker import Ticker
from storage.clock import Clock
from storage.database import Database
from storage.models import (
    AuditEntry,
    Engagement,
    Feedback,
    FeedbackDecision,
    Insight,
    Opportunity,
    Organisation,
    Theme,
    UpcomingChange,
)
from storage.teams import team_named
from tests.conftest import test_settings
from tests.domain.test_statements import record
from tests.e2e.helpers import make_team, run_cli
from tests.fake_slack import FakeSlack

TICK = datetime(2029, 3, 1, 12, 0, tzinfo=UTC)
CUTOFF = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # 24 months before TICK
LONG_AGO = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
RECENTLY = datetime(2028, 6, 1, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)

Tick = Callable[[datetime], None]


@pytest.fixture
def tick(
    fake_slack: FakeSlack, database: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Tick:
    """`engagebot tick --at MOMENT`, as cron would run it."""
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": database_url,
        "ENGAGEBOT_TIMEZONE": "Europe/London",
    }.items():
        monkeypatch.setenv(name, value)
    make_team(database)

    def run(moment: datetime) -> None:
        assert main(["tick", "--at", moment.isoformat()]) == 0

    return run


def with_contact(database: Database, text: str, *decisions: str, **fields: object) -> int:
    """Feedback from a person who agreed to be contacted, taken through `decisions`."""
    notes = {"done": "Published it", "not_planned": "Not this year"}
    return record(
        database,
        text,
        date(2026, 1, 2),
        decisions=tuple((status, notes.get(status)) for status in decisions),
        contact_agreed=True,
        contact_name=f"{text} Person",
        contact_email=f"{text.lower()}@example.org",
        **fields,
    )


def decided_at(database: Database, feedback_id: int, *moments: datetime) -> None:
    """Move the item's decisions, oldest first, to `moments` (the last one to the rest)."""
    with database.transaction() as session:
        decisions = session.exec(
            select(FeedbackDecision)
            .where(FeedbackDecision.feedback_id == feedback_id)
            .order_by(col(FeedbackDecision.id))
        ).all()
        for index, decision in enumerate(decisions):
            decision.decided_at = moments[min(index, len(moments) - 1)]
            session.add(decision)


def merged_into(database: Database, keep: int, gone: int) -> None:
    with database.transaction() as session:
        merge(session=session, keep_id=keep, merge_id=gone, user_id="ULEAD")


def contacts(database: Database) -> dict[int, tuple[str | None, str | None, bool]]:
    with database.transaction() as session:
        items = session.exec(select(Feedback).order_by(col(Feedback.id))).all()
        return {
            item.id: (item.contact_name, item.contact_email, item.contact_agreed)  # type: ignore[misc]
            for item in items
        }


def cleared(database: Database) -> dict[int, datetime]:
    """When each cleared item was cleared."""
    with database.transaction() as session:
        items = session.exec(select(Feedback).order_by(col(Feedback.id))).all()
        return {
            item.id: item.personal_data_cleared_at  # type: ignore[misc]
            for item in items
            if item.personal_data_cleared_at is not None
        }


# Retention


def test_a_tick_clears_exactly_the_items_closed_longer_ago_than_24_months(
    database: Database, tick: Tick
) -> None:
    expired = with_contact(database, "Expired", "done")
    decided_at(database, expired, CUTOFF - SECOND)
    boundary = with_contact(database, "Boundary", "not_planned")
    decided_at(database, boundary, CUTOFF)  # closed exactly 24 months before the tick
    recent = with_contact(database, "Recent", "done")
    decided_at(database, recent, RECENTLY)
    never_closed = with_contact(database, "Open", "under_consideration")
    decided_at(database, never_closed, LONG_AGO)
    brand_new = with_contact(database, "New")
    reopened = with_contact(database, "Reopened", "not_planned", "planned")
    decided_at(database, reopened, LONG_AGO, RECENTLY)
    closed_again = with_contact(database, "Again", "done", "planned", "done")
    decided_at(database, closed_again, LONG_AGO, LONG_AGO, RECENTLY)

    tick(TICK)

    held = contacts(database)
    assert held[expired] == (None, None, False)
    assert cleared(database) == {expired: TICK}
    for kept in (boundary, recent, never_closed, brand_new, reopened, closed_again):
        name, email, agreed = held[kept]
        assert name and email and agreed, kept

    # A second later the boundary item has been closed longer than 24 months; the one
    # cleared before keeps the moment it was cleared.
    tick(TICK + SECOND)
    assert cleared(database) == {expired: TICK, boundary: TICK + SECOND}
    assert contacts(database)[boundary] == (None, None, False)


def test_a_merged_item_keeps_its_contact_until_the_item_it_was_merged_into_expires(
    database: Database, tick: Tick
) -> None:
    kept_closed = with_contact(database, "Kept", "done")
    into_closed = with_contact(database, "Folded")
    merged_into(database, kept_closed, into_closed)
    for item in (kept_closed, into_closed):
        decided_at(database, item, LONG_AGO)
    kept_open = with_contact(database, "Waiting")
    into_open = with_contact(database, "Joined")
    merged_into(database, kept_open, into_open)
    for item in (kept_open, into_open):  # merged long ago, but its outcome is still owed
        decided_at(database, item, LONG_AGO)

    tick(TICK)

    assert set(cleared(database)) == {kept_closed, into_closed}
    assert contacts(database)[into_open] == ("Joined Person", "joined@example.org", True)


def test_an_item_imported_closed_counts_from_its_last_change(
    database: Database, tick: Tick
) -> None:
    imported = with_contact(database, "Imported")
    with database.transaction() as session:
        item = session.get(Feedback, imported)
        assert item is not None
        item.status, item.updated_at = "done", LONG_AGO  # no decision: it came closed
        session.add(item)
    tick(TICK)
    assert cleared(database) == {imported: TICK}


def test_the_period_is_a_setting(
    database: Database, tick: Tick, monkeypatch: pytest.MonkeyPatch
) -> None:
    recent = with_contact(database, "Recent", "done")
    decided_at(database, recent, RECENTLY)  # nine months (and three hours) before the tick
    monkeypatch.setenv("ENGAGEBOT_PERSONAL_DATA_MONTHS", "10")
    tick(TICK)
    assert cleared(database) == {}
    monkeypatch.setenv("ENGAGEBOT_PERSONAL_DATA_MONTHS", "9")
    tick(TICK)
    assert cleared(database) == {recent: TICK}


def test_serve_clears_expired_contacts_on_its_own_ticks(
    database: Database, fake_slack: FakeSlack, database_url: str, clock: Clock
) -> None:
    make_team(database)
    expired = with_contact(database, "Expired", "done")
    decided_at(database, expired, LONG_AGO)
    settings = test_settings(fake_slack, database_url)
    clock.move_to(TICK)  # "now" is more than 24 months later
    ticker = Ticker(build_scheduler(settings, database), every_seconds=1)
    ticker.start()
    try:
        # Ticks start at once; waiting for one to land is not a timing assertion.
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while expired not in cleared(database) and datetime.now(UTC) < deadline:
            time.sleep(0.05)
    finally:
        ticker.stop()
    assert contacts(database)[expired] == (None, None, False)


# Erasure


@pytest.fixture
def quoted(cli_database: Database) -> dict[str, int]:
    """Jane Doe's contact on two teams' feedback, and mentions of her in free text, beside
    people who only look like her."""
    database = cli_database
    make_team(database)
    make_team(database, "Health", "CHEALTH", "")
    ids = {
        "contact": record(
            database,
            "Jane Doe asked for regional CPI: write to JANE@Example.org",
            date(2027, 3, 1),
            decisions=(("done", "Told jane@example.org and Jane  Doe it is out"),),
            contact_agreed=True,
            contact_name="Jane Doe",
            contact_email="jane@example.org",
        ),
        "by_name": record(
            database,
            "More detail please",
            date(2027, 3, 2),
            team="Health",
            contact_agreed=True,
            contact_name="  jane doe ",
            contact_email="jd@other.org",
        ),
        "lookalike": record(
            database,
            "Jane Doeson wrote from jane@example.org.uk",
            date(2027, 3, 3),
            contact_agreed=True,
            contact_name="Jane Doeson",
            contact_email="jane@example.org.uk",
        ),
    }
    with database.transaction() as session:
        health = team_named(session=session, name="Health")
        prices = team_named(session=session, name="Prices")
        assert health is not None and prices is not None
        engagement = save_engagement(
            session=session,
            draft=EngagementDraft(
                "Call with the ONS user group",
                team_id=health.id,
                occurred_on=date(2027, 3, 4),
                what_we_heard="Jane Doe (jane@example.org) wants weekly data",
            ),
            today=date(2027, 3, 4),
            user_id="ULOGGER",
        )
        sharing = save_insight(
            session=session,
            draft=InsightDraft("Jane Doe's colleagues read the bulletin first"),
            team_id=prices.id,  # type: ignore[arg-type]
            user_id="ULOGGER",
            channels=[],
            now=TICK,
        )
        ids["engagement"] = engagement.id  # type: ignore[assignment]
        ids["insight"] = sharing.insight.id  # type: ignore[assignment]
    return ids


def snapshot(database: Database) -> list[object]:
    """Every field that erasing could touch."""
    with database.transaction() as session:
        return [
            *(
                (row.id, row.text, row.contact_name, row.contact_email, row.contact_agreed)
                for row in session.exec(select(Feedback).order_by(col(Feedback.id)))
            ),
            *(row.note for row in session.exec(select(FeedbackDecision))),
            *(row.what_we_heard for row in session.exec(select(Engagement))),
            *(row.text for row in session.exec(select(Insight))),
        ]


def test_erase_by_email_removes_the_contact_and_every_mention(
    cli_database: Database, quoted: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "erase", "--email", " Jane@Example.ORG ")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Erased the personal data of Jane@Example.ORG in 3 records:",
        "  Health: engagement #1: what_we_heard",
        "  Prices: feedback #1: contact_name, contact_email, contact_agreed, text",
        "  Prices: decision #1 on feedback #1: note",
        # The audit log's record of how those texts were first written.
        "  and in the audit log: 3 entries quoting them",
    ]
    with cli_database.transaction() as session:
        logged = [json.dumps(entry.change) for entry in session.exec(select(AuditEntry))]
        assert not [text for text in logged if re.search(r"jane@example\.org(?!\.uk)", text)]
        # The erasure is logged, without the values it removed.
        (erasure,) = [
            entry
            for entry in session.exec(select(AuditEntry).where(AuditEntry.origin == "cli:erase"))
            if entry.table_name == "engagement"
        ]
        assert erasure.change == {"what_we_heard": "<personal>"}
    with cli_database.transaction() as session:
        item = session.get(Feedback, quoted["contact"])
        assert item is not None
        assert (item.contact_name, item.contact_email, item.contact_agreed) == (None, None, False)
        assert item.text == "Jane Doe asked for regional CPI: write to [erased]"
        assert item.personal_data_cleared_at is not None
        (decision,) = session.exec(select(FeedbackDecision)).all()
        assert decision.note == "Told [erased] and Jane  Doe it is out"
        engagement = session.get(Engagement, quoted["engagement"])
        assert engagement is not None
        assert engagement.what_we_heard == "Jane Doe ([erased]) wants weekly data"
        lookalike = session.get(Feedback, quoted["lookalike"])
        assert lookalike is not None
        assert lookalike.contact_email == "jane@example.org.uk"
        assert lookalike.text == "Jane Doeson wrote from jane@example.org.uk"
    # Nothing is left to find: a second run says so.
    code, out, err = run_cli(capsys, "erase", "--email", "jane@example.org")
    assert (code, out) == (1, "")
    assert err == ("engagebot: nothing holds jane@example.org: no personal data was changed.\n")


def test_erase_by_name_ignores_case_and_spacing_but_not_longer_names(
    cli_database: Database, quoted: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run_cli(capsys, "erase", "--name", "JANE   doe")
    assert code == 0
    assert out.splitlines() == [
        "Erased the personal data of JANE doe in 5 records:",
        "  Health: feedback #2: contact_name, contact_email, contact_agreed",
        "  Health: engagement #1: what_we_heard",
        "  Prices: feedback #1: contact_name, contact_email, contact_agreed, text",
        "  Prices: decision #1 on feedback #1: note",
        "  Prices: insight #1: text",
        "  and in the audit log: 4 entries quoting them",
    ]
    with cli_database.transaction() as session:
        by_name = session.get(Feedback, quoted["by_name"])
        assert by_name is not None and by_name.contact_email is None
        item = session.get(Feedback, quoted["contact"])
        assert item is not None
        assert item.text == "[erased] asked for regional CPI: write to JANE@Example.org"
        insight = session.get(Insight, quoted["insight"])
        assert insight is not None
        assert insight.text == "[erased]'s colleagues read the bulletin first"
        lookalike = session.get(Feedback, quoted["lookalike"])
        assert lookalike is not None and lookalike.contact_name == "Jane Doeson"


def test_a_name_beyond_ascii_is_matched_ignoring_case(
    cli_database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    make_team(cli_database)
    item = record(
        cli_database,
        "ZOË ÄRGER wants the tables sooner",
        date(2027, 3, 1),
        contact_agreed=True,
        contact_name="Zoë Ärger",
    )
    code, out, _err = run_cli(capsys, "erase", "--name", "zoë ärger")
    assert code == 0
    assert out.splitlines()[1:] == [
        "  Prices: feedback #1: contact_name, contact_agreed, text",
        "  and in the audit log: 1 entry quoting them",
    ]
    with cli_database.transaction() as session:
        erased = session.get(Feedback, item)
        assert erased is not None
        assert (erased.contact_name, erased.text) == (None, "[erased] wants the tables sooner")


def test_erase_by_email_and_name_at_once(
    cli_database: Database, quoted: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run_cli(capsys, "erase", "--email", "jane@example.org", "--name", "Jane Doe")
    assert code == 0
    assert out.splitlines()[0] == (
        "Erased the personal data of jane@example.org / Jane Doe in 5 records:"
    )
    with cli_database.transaction() as session:
        (decision,) = session.exec(select(FeedbackDecision)).all()
        assert decision.note == "Told [erased] and [erased] it is out"


def test_a_dry_run_reports_and_changes_nothing(
    cli_database: Database, quoted: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(cli_database)
    code, out, _err = run_cli(capsys, "erase", "--email", "jane@example.org", "--dry-run")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Would erase the personal data of jane@example.org in 3 records:"
    assert "  Prices: feedback #1: contact_name, contact_email, contact_agreed, text" in lines
    assert lines[-1] == "Dry run: nothing was changed. Run it again without --dry-run to erase."
    assert snapshot(cli_database) == before


@pytest.fixture
def announced(cli_database: Database) -> None:
    """Issue 13's change and an opportunity quoting Jane Doe, an organisation and a tag
    named after her, and an organisation already called what erasing leaves."""
    make_team(cli_database)
    with cli_database.transaction() as session:
        team = team_named(session=session, name="Prices")
        assert team is not None and team.id is not None
        session.add(
            UpcomingChange(
                team_id=team.id,
                output_id=team.outputs[0].id,  # type: ignore[arg-type]
                title="Regional CPI for Jane Doe",
                description="Jane Doe (jane.doe@example.org) asked for it",
                effective_on=date(2027, 6, 1),
            )
        )
        session.add(
            Opportunity(
                team_id=team.id,
                title="A workshop Jane Doe asked for",
                happens_on=date(2027, 1, 15),
                place="jane.doe@example.org will send the link",
                description="",
                places=5,
                organiser="UORGANISER",
            )
        )
        session.add_all([Organisation(name="[erased]"), Organisation(name="Jane Doe")])
        session.add(Theme(name="jane doe's request"))


def test_erase_reaches_changes_opportunities_and_names_in_the_register(
    cli_database: Database, announced: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 13: the change titled "Regional CPI for Jane Doe" kept both its title and
    its description, `publish users-and-uses` still printed it, and the dry run did not
    list it."""
    person = ("--email", "jane.doe@example.org", "--name", "Jane Doe")
    listed = [
        "  (every team): organisation #2: name",
        "  (every team): tag #1: name",
        "  Prices: change #1: title, description",
        "  Prices: opportunity #1: title, place",
    ]
    code, out, _err = run_cli(capsys, "erase", *person, "--dry-run")
    assert code == 0
    assert out.splitlines()[1:5] == listed
    code, out, err = run_cli(capsys, "erase", *person)
    assert (code, err) == (0, "")
    assert out.splitlines()[:5] == [
        "Erased the personal data of jane.doe@example.org / Jane Doe in 4 records:",
        *listed,
    ]
    with cli_database.transaction() as session:
        (change,) = session.exec(select(UpcomingChange)).all()
        assert (change.title, change.description) == (
            "Regional CPI for [erased]",
            "[erased] ([erased]) asked for it",
        )
        (opportunity,) = session.exec(select(Opportunity)).all()
        assert (opportunity.title, opportunity.place) == (
            "A workshop [erased] asked for",
            "[erased] will send the link",
        )
        names = session.exec(select(Organisation.name).order_by(col(Organisation.id))).all()
        assert names == ["[erased]", "[erased] (#2)"]  # names are unique
        assert session.exec(select(Theme.name)).all() == ["[erased]'s request"]
    code, out, _err = run_cli(
        capsys, "publish", "users-and-uses", "--team", "Prices", "--from", "2026-01-01",
        "--to", "2026-12-31",
    )  # fmt: skip
    assert code == 0
    assert "**Regional CPI for \\[erased\\]**" in out  # markdown, escaped
    assert "Jane" not in out and "jane.doe" not in out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), "say whose data to erase: --email ADDRESS and/or --name 'Full Name'"),
        (("--email", "jane at example"), "--email 'jane at example' is not an email address"),
        (("--email", ""), "--email '' is not an email address"),
        (("--name", "   "), "--name is empty: give the person's full name"),
        (("--name", "Jane"), "--name 'Jane' is one word: give the full name as recorded"),
    ],
)
def test_erase_refuses_what_cannot_be_matched_safely(
    cli_database: Database,
    quoted: dict[str, int],
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    said: str,
) -> None:
    before = snapshot(cli_database)
    code, out, err = run_cli(capsys, "erase", *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"engagebot: {said}")
    assert snapshot(cli_database) == before


# Exports from the command line


def test_the_command_line_exports_contact_details_only_when_asked(
    cli_database: Database, quoted: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run_cli(capsys, "export", "feedback", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert all("contact_name" not in row and "contact_email" not in row for row in rows)
    assert "jd@other.org" not in out
    code, out, _err = run_cli(
        capsys, "export", "feedback", "--format", "json", "--include-personal"
    )
    assert code == 0
    assert [row["contact_email"] for row in json.loads(out)] == [
        "jane@example.org",
        "jd@other.org",
        "jane@example.org.uk",
    ]
