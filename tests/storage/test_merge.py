"""Merging feedback on a real database: the rules, what is written, lists, and CSV transfer."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest
from sqlmodel import select

from bot.base.validation import Invalid
from bot.feedback.decisions import decide, merge
from bot.feedback.recording import FeedbackDraft, save_feedback
from bot.transfer import ImportRejected, export_records, import_records
from storage.database import Database
from storage.entries import recent_entries, team_counts_since
from storage.feedback import count_open_feedback, decisions_on, open_feedback
from storage.models import Feedback, FeedbackDecision
from tests.e2e.helpers import make_team

DAY = date(2026, 1, 5)


def add(database: Database, team_id: int, text: str, themes: tuple[str, ...] = ()) -> int:
    with database.transaction() as session:
        item = save_feedback(
            session=session,
            draft=FeedbackDraft(text=text, team_id=team_id, received_on=DAY, themes=list(themes)),
            today=DAY,
            user_id="U1",
        )
        return item.id  # type: ignore[return-value]


def merged(database: Database, keep_id: int | None, merge_id: int) -> None:
    with database.transaction() as session:
        merge(session=session, keep_id=keep_id, merge_id=merge_id, user_id="ULEAD")


def refusal(database: Database, keep_id: int | None, merge_id: int) -> dict[str, str]:
    with pytest.raises(Invalid) as refused:
        merged(database, keep_id, merge_id)
    return refused.value.errors


def snapshot(database: Database) -> list[tuple[object, ...]]:
    with database.transaction() as session:
        items = session.exec(select(Feedback).order_by(Feedback.id)).all()  # type: ignore[arg-type]
        rows = [(i.id, i.status, i.merged_into_id, sorted(t.name for t in i.themes)) for i in items]
        return [*rows, *session.exec(select(FeedbackDecision.id)).all()]


def test_the_merged_item_leaves_lists_and_counts_and_brings_its_history(
    database: Database,
) -> None:
    team_id = make_team(database)
    keep = add(database, team_id, "Regional CPI please", ("geography",))
    gone = add(database, team_id, "CPI by region?", ("geography", "timeliness"))
    with database.transaction() as session:
        decide(session=session, feedback_id=gone, to_status="planned", note="Spring", user_id="U2")
    merged(database, keep, gone)
    with database.transaction() as session:
        assert [item.id for item in open_feedback(session=session, team_id=team_id, limit=9)] == [
            keep
        ]
        assert count_open_feedback(session=session, team_id=team_id) == 1
        assert team_counts_since(session=session, team_id=team_id, since=DAY) == (0, 1)
        assert [e.id for e in recent_entries(session=session, user_id="U1", limit=9)] == [keep]
        kept, away = session.get(Feedback, keep), session.get(Feedback, gone)
        assert away.merged_into_id == keep and away.text == "CPI by region?"  # type: ignore[union-attr]
        assert away.status == "planned"  # the status it had stays; the lists ignore it
        assert sorted(t.name for t in kept.themes) == ["geography", "timeliness"]  # type: ignore[union-attr]
        history = [
            (d.feedback_id, d.from_status, d.to_status, d.note)
            for d in decisions_on(session=session, feedback_id=keep)
        ]
        assert history == [
            (gone, "new", "planned", "Spring"),
            (keep, "new", "new", f"#{gone} merged into this item."),
        ]
        own = [(d.to_status, d.note) for d in decisions_on(session=session, feedback_id=gone)]
        assert own == [("planned", "Spring"), ("merged", f"Merged into #{keep}.")]
        with pytest.raises(Invalid) as refused:
            decide(session=session, feedback_id=gone, to_status="done", note="x", user_id="U2")
        assert refused.value.errors == {
            "status": f"Feedback #{gone} was merged into #{keep}: decide on that one."
        }


def test_items_merged_earlier_follow_into_the_item_kept(database: Database) -> None:
    team_id = make_team(database)
    first, second, third = (add(database, team_id, text) for text in ("A", "B", "C"))
    merged(database, second, third)
    merged(database, first, second)
    with database.transaction() as session:
        assert session.get(Feedback, third).merged_into_id == first  # type: ignore[union-attr]
        notes = [d.note for d in decisions_on(session=session, feedback_id=first)]
    assert notes == [f"#{third} merged into this item.", f"#{second} merged into this item."]


def test_merging_into_a_closed_item_is_allowed(database: Database) -> None:
    team_id = make_team(database)
    keep, gone = add(database, team_id, "A"), add(database, team_id, "B")
    with database.transaction() as session:
        decide(session=session, feedback_id=keep, to_status="done", note="Did it", user_id="U2")
    merged(database, keep, gone)
    with database.transaction() as session:
        assert count_open_feedback(session=session, team_id=team_id) == 0


def test_each_refusal_names_its_field_and_writes_nothing(database: Database) -> None:
    prices = make_team(database)
    health = make_team(database, "Health", channel="CHEALTH")
    keep, gone, other = (
        add(database, prices, "A"),
        add(database, prices, "B"),
        add(database, health, "C"),
    )
    spare = add(database, prices, "D")
    merged(database, spare, gone)  # #2 is now part of #4
    before = snapshot(database)
    assert refusal(database, keep, 99) == {
        "item": "There is no feedback #99 (it may have been undone)."
    }
    assert refusal(database, 99, keep) == {
        "into": "There is no feedback #99 (it may have been undone)."
    }
    assert refusal(database, None, keep) == {"into": "Choose the item to keep."}
    assert refusal(database, keep, keep) == {
        "into": "An item can't be merged into itself: choose another."
    }
    assert refusal(database, keep, other) == {
        "into": f"Feedback #{keep} belongs to Prices and #{other} to Health: "
        "only items of the same team can be merged."
    }
    assert refusal(database, keep, gone) == {
        "item": f"Feedback #{gone} is already merged into #{spare}."
    }
    assert refusal(database, gone, keep) == {
        "into": f"Feedback #{gone} was itself merged into #{spare}: merge into that one."
    }
    assert snapshot(database) == before


def export_csv(database: Database) -> str:
    out = io.StringIO()
    with database.transaction() as session:
        export_records(session=session, kind="feedback", fmt="csv", team=None, since=None, out=out)
    return out.getvalue()


def load(database: Database, content: str) -> int:
    return import_records(database=database, kind="feedback", file=io.StringIO(content), today=DAY)


def test_the_export_names_what_was_merged_and_imports_back(
    fresh_database: Callable[[], Database],
) -> None:
    source, target = fresh_database(), fresh_database()
    team_id = make_team(source)
    make_team(target)
    keep, gone = add(source, team_id, "A", ("x",)), add(source, team_id, "B", ("y",))
    merged(source, keep, gone)
    written = export_csv(source)
    rows = list(csv.DictReader(io.StringIO(written)))
    assert [(row["id"], row["merged_into"]) for row in rows] == [("1", ""), ("2", "1")]
    # Listed with its twin first, so the import has to link it after saving both.
    assert (
        load(target, written.splitlines()[0] + "\n" + "\n".join(written.splitlines()[:0:-1])) == 2
    )
    assert export_csv(target) == written
    with target.transaction() as session:
        assert count_open_feedback(session=session, team_id=team_id) == 1


def test_an_import_refuses_merges_slack_would_refuse(database: Database) -> None:
    make_team(database)
    make_team(database, "Health", channel="CHEALTH")
    add(database, 1, "Stored, merged away")
    add(database, 1, "Stored")
    merged(database, 2, 1)
    before = snapshot(database)
    header = "id,received_on,team,text,merged_into\n"
    with pytest.raises(ImportRejected) as rejected:
        load(
            database,
            header
            + "10,2026-01-01,Prices,Self,10\n"
            + ",2026-01-01,Prices,Nowhere,99\n"
            + ",2026-01-01,Prices,Into a merged one,1\n"
            + ",2026-01-01,Health,Other team,2\n"
            + "11,2026-01-01,Prices,Chain,12\n"
            + "12,2026-01-01,Prices,Merged,2\n"
            + ",2026-01-01,Prices,Fine,2\n",
        )
    assert [(p.row, p.reason) for p in rejected.value.problems] == [
        (2, "merged_into: a row can't be merged into itself"),
        (3, "merged_into: there is no feedback #99, in the file or stored"),
        (4, "merged_into: feedback #1 is itself merged into #2"),
        (5, "merged_into: feedback #2 is another team's"),
        (6, "merged_into: feedback #12 is itself merged into #2"),
    ]
    assert snapshot(database) == before
