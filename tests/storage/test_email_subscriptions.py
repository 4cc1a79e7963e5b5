"""Email subscriptions on both databases: asking (bad addresses refused, nothing written),
who hears of a change, retention and erasure of the address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from bot.base.validation import Invalid
from bot.mail.subscribing import ask_to_subscribe, confirm, unsubscribe
from bot.people.erasure import erase_person, person_to_erase
from bot.people.retention import apply_retention
from storage.clock import utc_now
from storage.database import Database
from storage.email_subscriptions import email_targets_for_change
from storage.models import (
    AuditEntry,
    Delivery,
    EmailSubscription,
    ProducerTeam,
    StatisticalOutput,
    UpcomingChange,
)
from tests.e2e.helpers import make_team


def team_and_outputs(database: Database) -> tuple[int, list[int]]:
    team_id = make_team(database)
    with database.transaction() as session:
        outputs = session.exec(select(StatisticalOutput.id).order_by(StatisticalOutput.id)).all()
    return team_id, [each for each in outputs if each is not None]


def ask(database: Database, email: str, output_id: int | None = None) -> int:
    with database.transaction() as session:
        team = session.exec(select(ProducerTeam)).one()
        output = session.get(StatisticalOutput, output_id) if output_id else None
        asked = ask_to_subscribe(
            session=session, team=team, output=output, email=email, language="xx", now=utc_now()
        )
        assert asked.subscription.language == "en"  # a language we have no words in
        return asked.subscription.id  # type: ignore[return-value]


@pytest.mark.parametrize(
    "email", ["", "   ", "sam", "sam@example", "a b@example.org", "x" * 250 + "@e.org"]
)
def test_an_address_that_cannot_be_one_is_refused_on_its_field(
    database: Database, email: str
) -> None:
    team_and_outputs(database)
    with pytest.raises(Invalid) as refused:
        ask(database, email)
    assert set(refused.value.errors) == {"email"}
    with database.transaction() as session:
        assert session.exec(select(func.count()).select_from(EmailSubscription)).one() == 0
        assert session.exec(select(func.count()).select_from(Delivery)).one() == 0


def test_only_confirmed_subscribers_still_subscribed_hear_of_a_change(database: Database) -> None:
    team_id, (cpi, hpi) = team_and_outputs(database)
    everything, of_cpi, of_hpi, ended, unconfirmed = (
        ask(database, "a@example.org"),
        ask(database, "b@example.org", cpi),
        ask(database, "c@example.org", hpi),
        ask(database, "d@example.org"),
        ask(database, "e@example.org"),
    )
    now = utc_now()
    with database.transaction() as session:
        for number in (everything, of_cpi, of_hpi, ended):
            subscription = session.get(EmailSubscription, number)
            assert subscription is not None and confirm(subscription, now)
        stopped = session.get(EmailSubscription, ended)
        assert stopped is not None
        unsubscribe(stopped, now)
        assert not confirm(stopped, now)  # ended: not confirmed again
        change = UpcomingChange(
            team_id=team_id, output_id=cpi, title="t", description="d", effective_on=now.date()
        )
        assert email_targets_for_change(session=session, change=change) == [
            f"email:{everything}",
            f"email:{of_cpi}",
        ]
    assert unconfirmed


def test_retention_deletes_the_unconfirmed_and_the_unsubscribed_after_a_week(
    database: Database,
) -> None:
    team_and_outputs(database)
    now = utc_now()  # all three asked, and the one ended, this moment or a little later
    kept, unconfirmed, ended = (ask(database, f"{name}@example.org") for name in "abc")
    with database.transaction() as session:
        for number in (kept, ended):
            subscription = session.get(EmailSubscription, number)
            assert subscription is not None
            confirm(subscription, now)
            if number == ended:
                unsubscribe(subscription, now)
    with database.transaction() as session:
        apply_retention(session=session, now=now + timedelta(days=7), months=24)
    with database.transaction() as session:
        assert len(session.exec(select(EmailSubscription)).all()) == 3  # not yet
        apply_retention(session=session, now=now + timedelta(days=8), months=24)
    with database.transaction() as session:
        assert [s.id for s in session.exec(select(EmailSubscription))] == [kept]
    assert unconfirmed


def test_erasure_deletes_the_addresss_subscriptions_and_the_log_keeps_no_address(
    database: Database,
) -> None:
    team_and_outputs(database)
    ask(database, "Sam@Example.org")
    ask(database, "other@example.org")
    person = person_to_erase("sam@example.org", None)
    with database.transaction() as session:
        changes = erase_person(session=session, person=person, now=utc_now(), dry_run=True)
        assert [change.record for change in changes] == ["email subscription #1"]
        erase_person(session=session, person=person, now=utc_now())
    with database.transaction() as session:
        left = session.exec(select(EmailSubscription.email)).all()
        assert left == ["other@example.org"]
        (target,) = session.exec(select(Delivery.target).where(Delivery.subject_id == 1)).all()
        assert target == "email:1"  # the queue never held the address
        logged = " ".join(str(entry.change) for entry in session.exec(select(AuditEntry)))
        assert "Sam@Example.org" not in logged and "sam@example.org" not in logged
