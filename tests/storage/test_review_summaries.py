"""The review's summaries kept on the records stay what the records say, whichever path
writes them: the engagement's team and day on its output, segment and organisation links
(a save, an edit, Undo, links written on their own, an import), and each feedback item's
first response (a decision, a merge, Undo, an import, an erasure). On SQLite and
PostgreSQL."""

from __future__ import annotations

import io
import logging
import random
import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from bot.engagements.recording import EngagementDraft, save_engagement
from bot.feedback.decisions import decide, merge
from bot.feedback.recording import FeedbackDraft, save_feedback
from bot.people.erasure import erase_person, person_to_erase
from bot.transfer import import_records
from handlers.feedback import FLOWS
from storage.clock import utc_now
from storage.database import Database
from storage.models import Engagement, EngagementOutput, EngagementSegment, Feedback
from storage.reference import segments_by_name
from tests.e2e.helpers import make_team
from tests.storage.test_organisation_contacts import (
    ORGANISATIONS,
    TODAY,
    import_engagements,
    undo,
)

LOGGER = logging.getLogger(__name__)
LINKS = ("engagement_output", "engagement_segment", "engagement_organisation")
STATUSES = ("under_consideration", "planned", "done", "new")

# The summaries worked out from scratch: the oracles the tests check against.
FIRST_RESPONSES = text(
    "SELECT f.id, f.first_response_at, (SELECT MIN(d.decided_at) FROM feedback_decision d "
    "WHERE d.feedback_id = f.id AND d.to_status <> d.from_status AND d.to_status <> 'merged') "
    "FROM feedback f"
)


def assert_links_in_step(database: Database) -> None:
    with database.transaction() as session:
        for link in LINKS:
            rows = session.execute(
                text(
                    f"SELECT l.team_id, l.occurred_on, e.team_id, e.occurred_on FROM {link} l "
                    "JOIN engagement e ON e.id = l.engagement_id"
                )
            ).all()
            for copied_team, copied_day, team, day in rows:
                assert (copied_team, str(copied_day)) == (team, str(day)), link


def assert_first_responses_in_step(database: Database) -> None:
    with database.transaction() as session:
        for item_id, kept, worked_out in session.execute(FIRST_RESPONSES).all():
            assert kept == worked_out, f"feedback #{item_id}"


def save(session: Session, team_id: int, day: date, engagement_id: int | None = None) -> int:
    """An engagement with some of the team's outputs, segments and organisations."""
    rng = random.Random(f"{team_id} {day} {engagement_id}")
    outputs = session.execute(
        text("SELECT id FROM statistical_output WHERE team_id = :team"), {"team": team_id}
    ).scalars()
    segments = session.execute(text("SELECT id FROM audience_segment")).scalars().all()
    draft = EngagementDraft(
        summary="Met users",
        team_id=team_id,
        occurred_on=day,
        output_ids=list(outputs)[: rng.randint(0, 2)],
        segment_ids=rng.sample(segments, rng.randint(0, 3)),
        organisations=rng.sample(ORGANISATIONS, rng.randint(0, 2)),
    )
    saved = save_engagement(
        session=session, draft=draft, today=TODAY, user_id="U0ALICE", engagement_id=engagement_id
    )
    return saved.id  # type: ignore[return-value]


def test_saves_edits_and_undos_keep_the_links_copies(database: Database) -> None:
    teams = [make_team(database, name, None) for name in ("Prices", "Health", "Trade")]
    rng = random.Random(7)
    engagements: list[int] = []
    for _ in range(30):
        action = rng.choice(["save", "save", "edit", "undo"]) if engagements else "save"
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(540))
        if action == "undo":
            undo(database, engagements.pop(rng.randrange(len(engagements))))
        else:
            edited = rng.choice(engagements) if action == "edit" else None
            with database.transaction() as session:
                saved = save(session, rng.choice(teams), day, engagement_id=edited)
            if edited is None:
                engagements.append(saved)
        assert_links_in_step(database)


def test_links_written_on_their_own_get_the_copies(database: Database) -> None:
    team_id = make_team(database)
    with database.transaction() as session:
        engagement_id = save(session, team_id, date(2026, 2, 1))
        output_id = session.execute(text("SELECT MAX(id) FROM statistical_output")).scalar_one()
        segment = segments_by_name(session=session)["media"]
        session.execute(text("DELETE FROM engagement_output"))
        session.execute(text("DELETE FROM engagement_segment"))
        session.add(EngagementOutput(engagement_id=engagement_id, output_id=output_id))
        session.add(EngagementSegment(engagement_id=engagement_id, segment_id=segment.id))
    assert_links_in_step(database)
    with database.transaction() as session:
        copied = session.execute(text("SELECT team_id, occurred_on FROM engagement_segment")).one()
    assert (copied[0], str(copied[1])) == (team_id, "2026-02-01")


def test_a_link_written_while_another_transaction_moves_the_day(database: Database) -> None:
    """On PostgreSQL the link's copy waits for the move to commit, then copies the new day
    (without the lock, it would copy the day it read before, and the move's own copy
    would not see the link)."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    team_id = make_team(database)
    with database.transaction() as session:
        draft = EngagementDraft(summary="Met users", team_id=team_id, occurred_on=date(2026, 2, 1))
        saved = save_engagement(session=session, draft=draft, today=TODAY, user_id="U")
        media = segments_by_name(session=session)["media"]
    moved = threading.Event()

    def add_a_segment() -> None:
        moved.wait()
        with database.transaction() as session:
            engagement = session.get(Engagement, saved.id)
            assert engagement is not None
            engagement.segments = [media]
            session.flush()  # waits for the move to commit

    adding = threading.Thread(target=add_a_segment)
    adding.start()
    with database.transaction() as session:
        engagement = session.get(Engagement, saved.id)
        assert engagement is not None
        engagement.occurred_on = date(2026, 3, 1)
        session.flush()
        moved.set()
        _wait_while_unblocked(database, adding)
    adding.join()
    assert_links_in_step(database)


def _wait_while_unblocked(database: Database, thread: threading.Thread) -> None:
    """Until `thread` waits for a lock, or is done."""
    waiting = text(
        "SELECT COUNT(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    # Each query in a transaction of its own: within one, PostgreSQL shows the same
    # snapshot of pg_stat_activity every time.
    autocommit = database.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    with autocommit as connection:
        while thread.is_alive() and not connection.execute(waiting).scalar_one():
            time.sleep(0.01)


def test_an_import_of_engagements_keeps_the_links_copies(database: Database) -> None:
    make_team(database, "Prices", None)
    make_team(database, "Health", None)
    with database.transaction() as session:
        save(session, 1, date(2026, 3, 1))
    import_engagements(database)
    assert_links_in_step(database)


def add_feedback(database: Database, team_id: int, day: date) -> int:
    with database.transaction() as session:
        draft = FeedbackDraft(
            text="Regional CPI please",
            team_id=team_id,
            received_on=day,
            contact_name="Ann Lee",
            contact_agreed=True,
        )
        item = save_feedback(session=session, draft=draft, today=TODAY, user_id="U0ALICE")
        return item.id  # type: ignore[return-value]


def decided(database: Database, item_id: int, status: str, note: str = "Ann Lee asked") -> None:
    with database.transaction() as session:
        decide(session=session, feedback_id=item_id, to_status=status, note=note, user_id="U0LEAD")


def test_decisions_merges_and_undos_keep_each_first_response(database: Database) -> None:
    team_id = make_team(database)
    rng = random.Random(11)
    items = [add_feedback(database, team_id, date(2026, 1, 1 + n)) for n in range(8)]
    for _ in range(25):
        action = rng.choice(["decide", "decide", "decide", "merge", "undo", "add"])
        if action == "add" or len(items) < 2:
            items.append(add_feedback(database, team_id, date(2026, 2, 1)))
        elif action == "decide":
            item_id = rng.choice(items)
            with database.transaction() as session:
                current = session.get(Feedback, item_id)
                assert current is not None
                status = rng.choice([s for s in STATUSES if s != current.status])
            decided(database, item_id, status)
        elif action == "merge":
            keep_id, merge_id = rng.sample(items, 2)
            with database.transaction() as session:
                merge(session=session, keep_id=keep_id, merge_id=merge_id, user_id="U0LEAD")
            items = [i for i in items if i != merge_id]  # merged ones take no decision
        else:
            item_id = items.pop(rng.randrange(len(items)))
            FLOWS.undo(item_id, "U0ALICE", database, lambda **_answer: None, LOGGER)
        assert_first_responses_in_step(database)


def test_the_first_response_is_the_first_change_of_status(database: Database) -> None:
    team_id = make_team(database)
    item_id = add_feedback(database, team_id, date(2026, 1, 1))
    with database.transaction() as session:
        before = utc_now()
        decide(session=session, feedback_id=item_id, to_status="planned", note=None, user_id="U")
        item = session.get(Feedback, item_id)
        assert item is not None and item.first_response_at is not None  # in the same session
        assert item.first_response_at >= before
        first = item.first_response_at
    decided(database, item_id, "done")  # a later change leaves the first as it was
    with database.transaction() as session:
        item = session.get(Feedback, item_id)
        assert item is not None and item.first_response_at == first


def test_imports_and_erasure_keep_each_first_response(database: Database) -> None:
    team_id = make_team(database)
    first = add_feedback(database, team_id, date(2026, 1, 1))
    decided(database, first, "planned")
    content = (
        "id,received_on,team,text,status,merged_into\n"
        ",2026-01-02,Prices,Imported decided: no history,not_planned,\n"
        f",2026-01-03,Prices,Imported merged,new,{first}\n"
    )
    assert import_records(
        database=database, kind="feedback", file=io.StringIO(content), today=TODAY
    ) == 2  # fmt: skip
    assert_first_responses_in_step(database)
    with database.transaction() as session:
        erase_person(session=session, person=person_to_erase(None, "Ann Lee"), now=utc_now())
    assert_first_responses_in_step(database)
