"""No record stops a tick: one that cannot be planned or worded is left out, with one log
line naming it, and every other delivery of the tick goes out.

Dates now have a ceiling (ten years ahead), but a database may hold records saved before
it, dated 9999-12-31: a day after that does not exist, so a tick late in 9999 could plan
nothing for them, and once stopped at the first of them. They are inserted here as a
version without the ceiling saved them, and the real scheduler ticks as of those days
(the command line and the console no longer reach them; a scheduler can be asked to).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.changes.announcing import ChangeDraft, save_change
from bot.runtime.app import build_scheduler
from storage.clock import Clock, utc_now
from storage.database import Database
from storage.models import Delivery, Opportunity, StatisticalOutput
from tests.conftest import test_settings
from tests.e2e.helpers import make_team, reply_text
from tests.e2e.test_alerts import announce, set_team
from tests.fake_slack import FakeSlack

LAST_DAY = date(9999, 12, 31)

Tick = Callable[[datetime], str]


@pytest.fixture
def tick(
    fake_slack: FakeSlack,
    database: Database,
    database_url: str,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> Tick:
    """The process's scheduler (as `serve` builds it), ticking as of a moment."""
    scheduler = build_scheduler(test_settings(fake_slack, database_url), database)
    caplog.set_level(logging.WARNING)

    def run(moment: datetime) -> str:
        clock.move_to(moment)
        return str(scheduler.tick(moment))

    return run


def posted(fake_slack: FakeSlack) -> list[tuple[str, str]]:
    """(where, what) of each message Slack accepted."""
    return [
        (call.args["channel"], reply_text(call.args))
        for call in fake_slack.calls("chat.postMessage")
        if call.response.get("ok")
    ]


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The warnings logged, each checked to be one line without a traceback."""
    found = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert all(record.exc_info is None for record in found)
    lines = [record.getMessage() for record in found]
    assert all("\n" not in line for line in lines)
    return lines


def add_opportunity(database: Database, team_id: int, on: date, organiser: str) -> int:
    with database.transaction() as session:
        opportunity = Opportunity(
            team_id=team_id,
            title=f"Workshop on {on.isoformat()}",
            happens_on=on,
            place="Room 1",
            description="",
            places=10,
            organiser=organiser,
        )
        session.add(opportunity)
        session.flush()
        return opportunity.id  # type: ignore[return-value]


def test_an_opportunity_that_cannot_be_planned_is_left_out_and_the_tick_goes_on(
    database: Database, fake_slack: FakeSlack, tick: Tick, caplog: pytest.LogCaptureFixture
) -> None:
    team = make_team(database)
    last = add_opportunity(database, team, LAST_DAY, organiser="U0042")  # its prompt: never
    add_opportunity(database, team, date(9999, 12, 30), organiser="U0043")
    # 09:00 in London the day before the second: its organiser's reminder is due.
    said = tick(datetime(9999, 12, 29, 10, 0, tzinfo=UTC))
    assert said == "1 sent, 0 to retry, 0 failed, 0 skipped"
    ((where, what),) = posted(fake_slack)
    assert where == "U0043" and "is tomorrow, Thursday 30 December 9999" in what
    assert warnings(caplog) == [unplanned(f"opportunity {last}, on 9999-12-31")]


def test_a_change_that_cannot_be_planned_is_left_out_and_the_tick_goes_on(
    database: Database, fake_slack: FakeSlack, tick: Tick, caplog: pytest.LogCaptureFixture
) -> None:
    # Either side of the date line, as the tick sees it: 31 December 9999 has come in
    # Kiritimati, so its change is in effect (and its note, sent up to a week late, has no
    # week to go by), and is tomorrow in Pago Pago (its change's 1-day reminder is due).
    announced = datetime(9999, 12, 20, tzinfo=UTC)  # after the 28-day reminders' day
    east = make_team(database, name="East", channel=None, outputs="East's output | high")
    set_team(database, east, timezone="Pacific/Kiritimati")
    last = announce(database, east, LAST_DAY, output="East's output", announced_at=announced)
    west = make_team(database, name="West", channel="CWEST", outputs="West's output | high")
    set_team(database, west, timezone="Pacific/Pago_Pago")
    announce(database, west, LAST_DAY, output="West's output", announced_at=announced)
    said = tick(datetime(9999, 12, 30, 20, 0, tzinfo=UTC))
    assert said == "1 sent, 0 to retry, 0 failed, 1 skipped"  # the 7-day one: overtaken
    ((where, what),) = posted(fake_slack)
    assert where == "CWEST" and "takes effect tomorrow, Friday 31 December 9999" in what
    logged = warnings(caplog)
    assert logged.count(unplanned(f"change {last}, taking effect on 9999-12-31")) == 1
    # The opportunities' plan looks two days ahead, past the calendar: none is planned.
    assert sorted(logged) == [
        unplanned(f"change {last}, taking effect on 9999-12-31"),
        unplanned("the opportunity_reminder deliveries due by 9999-12-30T20:00:00+00:00"),
    ]


def unplanned(named: str, fault: str = "OverflowError: date value out of range") -> str:
    return f"could not plan {named} ({fault}): left out of this tick"


def test_a_delivery_that_cannot_be_worded_is_skipped_and_the_tick_goes_on(
    database: Database, fake_slack: FakeSlack, tick: Tick, caplog: pytest.LogCaptureFixture
) -> None:
    # A team's change announced, its announcement queued; then the time zone the team chose
    # is one the system no longer knows (tzdata drops names: it dropped US/Pacific-New).
    lost = make_team(database, name="Lost", channel="CLOST", outputs="Lost output | high")
    with database.transaction() as session:
        output = session.exec(select(StatisticalOutput).where(StatisticalOutput.team_id == lost))
        draft = ChangeDraft(
            "Lost series rebased",
            "It moves to 2026 weights.",
            team_id=lost,
            output_id=output.one().id,
            effective_on=date(2026, 12, 18),
        )
        notices = save_change(
            session=session, draft=draft, now=utc_now(), default_zone=UTC, user_id="U1"
        )
    (announcement,) = notices.dues
    set_team(database, lost, timezone="Atlantis/Lost_City")
    announce(database, make_team(database), date(2026, 12, 18))  # an ordinary team's change
    said = tick(datetime(2026, 12, 11, 10, 0, tzinfo=UTC))  # the 7-day reminders' moment
    assert said == "1 sent, 0 to retry, 0 failed, 1 skipped"
    ((where, what),) = posted(fake_slack)
    assert where == "CPRICES" and "CPI weights rebased takes effect in 7 days" in what
    fault = "ZoneInfoNotFoundError: 'No time zone found with key Atlantis/Lost_City'"
    with database.transaction() as session:
        skipped = session.exec(select(Delivery).where(Delivery.key == announcement.key)).one()
    assert skipped.status == "skipped"
    assert skipped.last_error == f"it could not be worded from its record ({fault})"
    assert sorted(warnings(caplog)) == [
        unplanned(f"change {notices.change.id}, taking effect on 2026-12-18", fault),
        unplanned(f"team {lost} (Lost)", fault),
        f"delivery {announcement.key} cannot be worded ({fault}): skipped",
    ]
