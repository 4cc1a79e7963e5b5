"""Each team's first day with each organisation (`team_organisation_contact`) stays what
the engagements say, whichever path writes them: a save, an edit, Undo, an import; and
the review's organisation counts stay what the team's whole history says. On SQLite and
PostgreSQL."""

from __future__ import annotations

import io
import logging
import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from bot.engagements.recording import EngagementDraft, save_engagement
from bot.transfer import import_records
from handlers.engagement import FLOWS
from storage.clock import utc_now
from storage.database import Database
from storage.models import Engagement, EngagementOrganisation, ProducerTeam
from storage.organisation_contacts import rebuild_contacts
from storage.reference import organisations_named
from storage.review import ReviewScope, organisation_counts

TODAY = date(2026, 6, 30)
LOGGER = logging.getLogger(__name__)
ORGANISATIONS = ["ONS", "DWP", "HM Treasury", "Bank of England", "Resolution Foundation"]
PERIODS = [
    (date(2026, 1, 1), date(2026, 3, 31)),
    (date(2026, 4, 1), date(2026, 6, 30)),
    (date(2025, 1, 1), date(2026, 6, 30)),
]

# The summary worked out from scratch, and the review's counts from the team's history, as
# the review worked them out before the summary existed: the oracles the tests check against.
FIRST_DAYS = text(
    "SELECT e.team_id, eo.organisation_id, MIN(e.occurred_on) FROM engagement_organisation eo "
    "JOIN engagement e ON e.id = eo.engagement_id GROUP BY e.team_id, eo.organisation_id"
)
HISTORY_COUNTS = text(
    "SELECT COUNT(CASE WHEN last_on >= :first THEN 1 END), "
    "COUNT(CASE WHEN first_on >= :first THEN 1 END) FROM ("
    "SELECT MIN(e.occurred_on) AS first_on, MAX(e.occurred_on) AS last_on "
    "FROM engagement_organisation eo JOIN engagement e ON e.id = eo.engagement_id "
    "WHERE e.team_id = :team AND e.occurred_on <= :last GROUP BY eo.organisation_id) AS days"
)


def assert_in_step(database: Database) -> None:
    with database.transaction() as session:
        summary = session.execute(
            text("SELECT team_id, organisation_id, first_on FROM team_organisation_contact")
        ).all()
        assert sorted(map(_plain, summary)) == sorted(
            map(_plain, session.execute(FIRST_DAYS).all())
        )
        for team_id in session.execute(text("SELECT id FROM producer_team")).scalars():
            for first, last in PERIODS:
                scope = ReviewScope(team_id, first, last, utc_now(), utc_now())
                history = session.execute(
                    HISTORY_COUNTS, {"team": team_id, "first": first, "last": last}
                ).one()
                assert organisation_counts(session=session, scope=scope) == tuple(history)


def _plain(row: Any) -> tuple[int, int, str]:
    return row[0], row[1], str(row[2])  # SQLite gives dates back as text to raw SQL


def make_teams(database: Database, *names: str) -> list[int]:
    with database.transaction() as session:
        teams = [ProducerTeam(name=name) for name in names]
        session.add_all(teams)
        session.flush()
        return [team.id for team in teams]  # type: ignore[misc]


def save(
    session: Session,
    team_id: int,
    day: date,
    organisations: list[str],
    engagement_id: int | None = None,
) -> int:
    draft = EngagementDraft(
        summary="Met users", team_id=team_id, occurred_on=day, organisations=organisations
    )
    saved = save_engagement(
        session=session, draft=draft, today=TODAY, user_id="U0ALICE", engagement_id=engagement_id
    )
    return saved.id  # type: ignore[return-value]


def undo(database: Database, engagement_id: int) -> None:
    """Undo as the button does: the handler's own code, answering into a list."""
    answers: list[dict[str, Any]] = []
    FLOWS.undo(engagement_id, "U0ALICE", database, lambda **answer: answers.append(answer), LOGGER)
    assert "was deleted" in answers[-1]["text"]


def test_saving_and_editing_keep_each_first_day(database: Database) -> None:
    prices, health = make_teams(database, "Prices", "Health")
    with database.transaction() as session:
        first = save(session, prices, date(2026, 2, 1), ["ONS", "DWP"])
        second = save(session, prices, date(2026, 5, 1), ["ONS", "HM Treasury"])
        save(session, health, date(2025, 6, 1), ["ONS"])
    assert_in_step(database)
    with database.transaction() as session:  # later: the second is now ONS's first day
        save(session, prices, date(2026, 6, 1), ["ONS", "DWP"], engagement_id=first)
    assert_in_step(database)
    with database.transaction() as session:  # another team, and DWP dropped
        save(session, health, date(2026, 6, 1), ["ONS"], engagement_id=first)
    assert_in_step(database)
    with database.transaction() as session:  # no organisations left: no contacts
        save(session, prices, date(2026, 5, 1), [], engagement_id=second)
    assert_in_step(database)
    with database.transaction() as session:
        assert (
            session.execute(
                text("SELECT COUNT(*) FROM team_organisation_contact WHERE team_id = :team"),
                {"team": prices},
            ).scalar_one()
            == 0
        )


def test_undo_leaves_the_next_engagement_as_the_first(database: Database) -> None:
    (prices,) = make_teams(database, "Prices")
    with database.transaction() as session:
        earliest = save(session, prices, date(2026, 1, 10), ["ONS", "DWP"])
        save(session, prices, date(2026, 4, 10), ["ONS"])
    undo(database, earliest)
    assert_in_step(database)
    with database.transaction() as session:
        assert session.get(Engagement, earliest) is None
        rows = session.execute(
            text("SELECT organisation_id, first_on FROM team_organisation_contact")
        ).all()
    assert [str(day) for _, day in rows] == ["2026-04-10"]


def test_an_import_keeps_the_summary_in_step(database: Database) -> None:
    make_teams(database, "Prices", "Health")
    with database.transaction() as session:
        save(session, 1, date(2026, 3, 1), ["ONS"])
    import_engagements(database)
    assert_in_step(database)


def import_engagements(database: Database) -> None:
    """Three engagements imported for Prices and Health: one keeping its id, two numbered."""
    content = (
        "id,occurred_on,team,summary,organisations,segments\n"
        '40,2026-02-01,Prices,Kept its id,"ONS, DWP",media\n'
        ",2025-12-01,Health,Numbered by the database,ONS,\n"
        ",2026-01-15,Prices,Another,DWP,\n"
    )
    assert import_records(
        database=database, kind="engagements", file=io.StringIO(content), today=TODAY
    ) == 3  # fmt: skip


def test_any_sequence_of_saves_edits_and_undos(database: Database) -> None:
    teams = make_teams(database, "Prices", "Health", "Trade")
    rng = random.Random(5)
    engagements: list[int] = []
    for _ in range(40):
        action = rng.choice(["save", "save", "edit", "undo"]) if engagements else "save"
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(540))
        organisations = rng.sample(ORGANISATIONS, rng.randint(0, 3))
        if action == "undo":
            undo(database, engagements.pop(rng.randrange(len(engagements))))
        else:
            with database.transaction() as session:
                edited = rng.choice(engagements) if action == "edit" else None
                saved = save(session, rng.choice(teams), day, organisations, engagement_id=edited)
            if edited is None:
                engagements.append(saved)
        assert_in_step(database)


def test_link_rows_written_on_their_own(database: Database) -> None:
    (prices,) = make_teams(database, "Prices")
    with database.transaction() as session:
        engagement_id = save(session, prices, date(2026, 2, 1), ["ONS"])
        save(session, prices, date(2026, 5, 1), ["DWP"])
        dwp = organisations_named(session=session, names=["DWP"])[0]
        session.add(EngagementOrganisation(engagement_id=engagement_id, organisation_id=dwp.id))
    assert_in_step(database)  # DWP first engaged in February now
    with database.transaction() as session:
        link = session.get(EngagementOrganisation, (engagement_id, dwp.id))
        session.delete(link)
    assert_in_step(database)


def test_rebuilding_after_a_bulk_load_gives_the_same_rows(database: Database) -> None:
    make_teams(database, "Prices", "Health")
    with database.transaction() as session:
        save(session, 1, date(2026, 3, 1), ["ONS", "DWP"])
        save(session, 2, date(2026, 1, 1), ["ONS"])
    with database.engine.begin() as connection:
        kept = sorted(connection.execute(text("SELECT * FROM team_organisation_contact")))
        rebuild_contacts(connection=connection)
        assert sorted(connection.execute(text("SELECT * FROM team_organisation_contact"))) == kept
