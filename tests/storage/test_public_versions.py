"""Each team's public version (storage/public_versions.py), on SQLite and PostgreSQL: one
more at every write of what its pages can show, whichever record and path writes it, and
only for the teams written; nothing else moves it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlmodel import Session

from bot.feedback.decisions import decide
from bot.teams.editing import TeamDraft, save_team
from storage.clock import utc_now
from storage.database import Database
from storage.models import (
    Delivery,
    Engagement,
    Feedback,
    Opportunity,
    OpportunitySignup,
    Organisation,
    ProducerTeam,
)
from storage.public import PublicStamp, public_stamp


def stamps(database: Database) -> tuple[int, int]:
    """The versions of Prices and Health."""
    with database.statements.connect() as connection:
        found = [public_stamp(connection=connection, address=a) for a in ("prices", "health")]
    assert all(isinstance(stamp, PublicStamp) for stamp in found)
    return found[0].version, found[1].version  # type: ignore[union-attr]


def make(database: Database) -> tuple[int, int]:
    with database.transaction() as session:
        ids = [
            save_team(
                session=session, draft=TeamDraft(name, public_address=address), user_id="U1"
            ).id
            for name, address in (("Prices", "prices"), ("Health", "health"))
        ]
    return ids[0], ids[1]  # type: ignore[return-value]


def test_a_write_moves_its_teams_version_only(database: Database) -> None:
    prices, _health = make(database)
    start = stamps(database)
    assert start[0] >= 1 and start[1] >= 1  # made: written

    def moved(write: object) -> tuple[int, int]:
        before = stamps(database)
        with database.transaction() as session:
            write(session)  # type: ignore[operator]
        after = stamps(database)
        return after[0] - before[0], after[1] - before[1]

    def engagement(session: Session) -> None:
        session.add(Engagement(team_id=prices, occurred_on=date(2026, 11, 1), summary="Met"))

    assert moved(engagement) == (1, 0)

    def item(session: Session) -> None:
        session.add(Feedback(team_id=prices, received_on=date(2026, 11, 1), text="More"))

    assert moved(item) == (1, 0)

    def decision(session: Session) -> None:
        decide(session=session, feedback_id=1, to_status="planned", note="Soon", user_id="U1")

    assert moved(decision) == (1, 0)

    def opportunity(session: Session) -> None:
        session.add(
            Opportunity(
                team_id=prices,
                title="Panel",
                happens_on=date(2026, 12, 1),
                place="Online",
                description="",
                places=3,
                organiser="U1",
            )
        )

    assert moved(opportunity) == (1, 0)

    def signup(session: Session) -> None:
        session.add(OpportunitySignup(opportunity_id=1, user_id="U2"))

    assert moved(signup) == (1, 0)

    def organisation(session: Session) -> None:
        session.add(Organisation(name="HM Treasury"))

    assert moved(organisation) == (0, 0)  # new: on no page until a record names it

    def renamed(session: Session) -> None:
        found = session.get(Organisation, 1)
        assert found is not None
        found.name = "His Majesty's Treasury"

    assert moved(renamed) == (1, 1)  # any team's page may name it

    def team(session: Session) -> None:
        found = session.get(ProducerTeam, prices)
        assert found is not None
        found.name = "Prices and inflation"

    assert moved(team) == (1, 0)

    def undone(session: Session) -> None:
        found = session.get(Engagement, 1)
        session.delete(found)

    assert moved(undone) == (1, 0)

    def nothing(session: Session) -> None:
        session.get(ProducerTeam, prices)

    assert moved(nothing) == (0, 0)

    def delivery(session: Session) -> None:  # the team's bookkeeping, on no page
        session.add(
            Delivery(
                key="k",
                kind="reminder",
                team_id=prices,
                target="C1",
                due_at=utc_now(),
                next_attempt_at=utc_now(),
            )
        )
        session.flush()
        session.execute(update(Delivery).values(status="sent"))

    assert moved(delivery) == (0, 0)

    def bulk(session: Session) -> None:  # as an erasure: rows named by a WHERE, not a team
        session.execute(update(Feedback).where(Feedback.id == 1).values(contact_name=None))

    assert moved(bulk) == (1, 1)
