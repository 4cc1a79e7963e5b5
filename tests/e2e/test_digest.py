"""The "you said, we did" digest, posted by the scheduler to a team's digest channel."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from bot.feedback.decisions import decide
from bot.runtime.app import build_scheduler
from storage.database import Database
from storage.models import Delivery, Feedback, ProducerTeam
from tests.conftest import test_settings
from tests.e2e.helpers import make_team
from tests.fake_slack import FakeSlack

# 1 October 2026 is still summer time in London: 09:00 there is 08:00 UTC.
QUARTER_DUE = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
SET_UP = datetime(2026, 1, 5, 9, tzinfo=UTC)


def digest_team(database: Database, cadence: str = "quarterly") -> int:
    """Prices, set up on 5 January 2026 with its digest in CDIGEST."""
    team_id = make_team(database)
    with database.transaction() as session:
        team = session.get(ProducerTeam, team_id)
        assert team is not None
        team.digest_channel_id, team.digest_cadence = "CDIGEST", cadence
        team.created_at = team.digest_channel_set_at = SET_UP
        said = Feedback(
            team_id=team_id, received_on=date(2026, 8, 3), text="Publish *regional* <!channel>"
        )
        later = Feedback(team_id=team_id, received_on=date(2026, 10, 2), text="Not this quarter")
        session.add_all([team, said, later])
        session.flush()
        decide(
            session=session,
            feedback_id=said.id,  # type: ignore[arg-type]
            to_status="done",
            note="Regional tables from September",
            user_id="ULEAD",
        )
    return team_id


def digests(fake_slack: FakeSlack) -> list[str]:
    return [
        str(call.args["blocks"])
        for call in fake_slack.calls("chat.postMessage")
        if call.args["channel"] == "CDIGEST"
    ]


def test_the_quarters_digest_goes_out_at_nine_team_time_once(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    digest_team(database)
    scheduler = build_scheduler(test_settings(fake_slack, database_url), database)
    assert scheduler.tick(QUARTER_DUE).sent == 1
    assert scheduler.tick(QUARTER_DUE.replace(hour=12)).sent == 0
    (posted,) = digests(fake_slack)
    assert "1 July 2026" in posted and "30 September 2026" in posted
    assert "Regional tables from September" in posted
    assert "&lt;!channel&gt;" in posted and "<!channel>" not in posted
    assert "Not this quarter" not in posted


def test_not_before_nine_and_not_when_long_missed(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    digest_team(database)
    scheduler = build_scheduler(test_settings(fake_slack, database_url), database)
    assert scheduler.tick(datetime(2026, 10, 1, 7, 59, tzinfo=UTC)).sent == 0
    late = scheduler.tick(datetime(2026, 10, 9, 8, 0, tzinfo=UTC))  # 8 days late
    assert (late.sent, late.skipped) == (0, 1)
    assert digests(fake_slack) == []
    with database.transaction() as session:
        (delivery,) = session.exec(select(Delivery)).all()
    assert (delivery.key, delivery.status, delivery.last_error) == (
        f"digest:{delivery.team_id}:2026-07-01:2026-09-30:CDIGEST",
        "skipped",
        "more than a week late when the bot came to send it",
    )


def test_a_monthly_digest_and_a_channel_changed_before_it_went(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    team_id = digest_team(database, cadence="monthly")
    settings = test_settings(fake_slack, database_url)
    fake_slack.fail_next("chat.postMessage", "internal_error", status=500, times=3)
    scheduler = build_scheduler(settings, database)
    assert scheduler.tick(datetime(2026, 9, 1, 8, 0, tzinfo=UTC)).retrying == 1  # August's
    with database.transaction() as session:
        team = session.get(ProducerTeam, team_id)
        assert team is not None
        team.digest_channel_id = None
        session.add(team)
    assert scheduler.tick(datetime(2026, 9, 1, 9, 0, tzinfo=UTC)).skipped == 1
    with database.transaction() as session:
        august = f"digest:{team_id}:2026-08-01:2026-08-31:CDIGEST"
        delivery = session.exec(select(Delivery).where(Delivery.key == august)).one()
    assert (delivery.status, delivery.last_error) == (
        "skipped",
        "the team moved its digest to another channel, or stopped it",
    )
