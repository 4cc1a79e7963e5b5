"""Alerts ahead of upcoming changes, through `engagebot tick --at` and the Slack stand-in.

Changes are made as rows here (announcing them is another feature's); time moves only by
the moment each tick is given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.runtime.app import build_scheduler
from bot.runtime.cli import main
from storage.database import Database
from storage.models import (
    Delivery,
    Feedback,
    ProducerTeam,
    StatisticalOutput,
    Subscription,
    UpcomingChange,
)
from tests.conftest import test_settings
from tests.e2e.helpers import make_team, reply_text
from tests.fake_slack import FakeSlack

CPI = "Consumer price inflation"
HPI = "House price index"
ANNOUNCED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

Tick = Callable[[str], None]


@pytest.fixture
def tick(fake_slack: FakeSlack, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Tick:
    """`engagebot tick --at MOMENT`: a fresh process's database and scheduler each time."""
    environ = {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": database_url,
        "ENGAGEBOT_TIMEZONE": "Europe/London",
        "ENGAGEBOT_CHANNEL_PACE_SECONDS": "0",
    }
    for name, value in environ.items():
        monkeypatch.setenv(name, value)

    def run(moment: str) -> None:
        assert main(["tick", "--at", moment]) == 0

    return run


def posted(fake_slack: FakeSlack) -> list[tuple[str, str]]:
    """(where, what) of each message posted since the last look."""
    found = [
        (call.args["channel"], reply_text(call.args))
        for call in fake_slack.calls("chat.postMessage")
        if call.response.get("ok")
    ]
    fake_slack.reset()
    return found


def output_id(database: Database, name: str) -> int:
    with database.transaction() as session:
        output = session.exec(select(StatisticalOutput).where(StatisticalOutput.name == name))
        return output.one().id  # type: ignore[return-value]


def set_team(database: Database, team_id: int, **fields: str) -> None:
    with database.transaction() as session:
        team = session.get(ProducerTeam, team_id)
        for name, value in fields.items():
            setattr(team, name, value)
        session.add(team)


def subscribe(database: Database, team_id: int, channel: str) -> None:
    with database.transaction() as session:
        session.add(Subscription(channel_id=channel, team_id=team_id, created_by="U0001"))


def announce(
    database: Database,
    team_id: int,
    effective_on: date,
    *,
    output: str = CPI,
    title: str = "CPI weights rebased",
    announced_at: datetime = ANNOUNCED,
    feedback_by: date | None = None,
    status: str = "announced",
) -> int:
    """An upcoming change, as `/engage change` would have saved it at `announced_at`."""
    the_output = output_id(database, output)
    with database.transaction() as session:
        change = UpcomingChange(
            team_id=team_id,
            output_id=the_output,
            title=title,
            description="From January the basket's weights use 2026 spending.",
            effective_on=effective_on,
            feedback_by=feedback_by,
            status=status,
            created_by="ULEAD",
            created_at=announced_at,
            updated_at=announced_at,
        )
        session.add(change)
        session.flush()
        return change.id  # type: ignore[return-value]


def update_change(database: Database, change_id: int, **fields: object) -> None:
    with database.transaction() as session:
        change = session.get(UpcomingChange, change_id)
        for name, value in fields.items():
            setattr(change, name, value)
        session.add(change)


def test_each_alert_goes_out_at_nine_in_the_morning_and_only_once(
    database: Database, fake_slack: FakeSlack, tick: Tick
) -> None:
    team = make_team(database)
    subscribe(database, team, "CSUBS")
    announce(
        database,
        team,
        date(2027, 1, 15),
        title="Weights <b>rebased</b> <!channel>",
        feedback_by=date(2027, 1, 8),
    )
    tick("2026-12-18T08:59:00+00:00")
    assert posted(fake_slack) == []
    tick("2026-12-18T09:00:00+00:00")
    button = fake_slack.calls("chat.postMessage")[0].args["blocks"][-1]["elements"][0]
    assert (button["text"]["text"], button["value"]) == ("Comment on this change", "1")
    sent = posted(fake_slack)
    assert sorted(channel for channel, _ in sent) == ["CPRICES", "CSUBS"]
    for _, text in sent:
        assert "Weights &lt;b&gt;rebased&lt;/b&gt; &lt;!channel&gt;" in text
        assert "<!channel>" not in text
        assert "takes effect in 28 days, on Friday 15 January 2027" in text
        assert "Feedback on it is welcome until Friday 8 January 2027." in text
    tick("2026-12-18T09:00:00+00:00")  # the same instant again
    tick("2026-12-18T15:00:00+00:00")
    assert posted(fake_slack) == []

    tick("2027-01-07T09:00:00+00:00")
    sent = posted(fake_slack)
    assert sorted(channel for channel, _ in sent) == ["CPRICES", "CSUBS"]
    assert "closes tomorrow, Friday 8 January 2027" in sent[0][1]
    tick("2027-01-08T09:00:00+00:00")
    assert "takes effect in 7 days, on Friday 15 January 2027" in posted(fake_slack)[0][1]
    tick("2027-01-14T09:00:00+00:00")
    sent = posted(fake_slack)
    assert "takes effect tomorrow, Friday 15 January 2027" in sent[0][1]
    assert "welcome until" not in sent[0][1]  # feedback has closed
    tick("2027-01-15T08:59:00+00:00")
    assert posted(fake_slack) == []
    tick("2027-01-15T09:00:00+00:00")
    tick("2027-01-15T09:00:00+00:00")
    sent = posted(fake_slack)
    assert sorted(channel for channel, _ in sent) == ["CPRICES", "CSUBS"]
    assert "in effect from today, Friday 15 January 2027" in sent[0][1]
    tick("2027-01-16T09:00:00+00:00")
    assert posted(fake_slack) == []
    with database.transaction() as session:
        # The change's alone: the team's overdue prompt, missed between these ticks, is
        # another feature's (recorded as skipped).
        change = select(Delivery).where(col(Delivery.key).startswith("change:"))
        deliveries = session.exec(change).all()
        assert len(deliveries) == 10  # 5 alerts to 2 channels
        assert {(d.status, d.attempts, d.team_id) for d in deliveries} == {("sent", 1, team)}


def test_a_restart_between_ticks_repeats_nothing(
    database: Database, fake_slack: FakeSlack, database_url: str
) -> None:
    team = make_team(database)
    announce(database, team, date(2027, 1, 15))
    settings = test_settings(fake_slack, database_url)
    first = Database(database_url)
    assert build_scheduler(settings, first).tick(datetime(2027, 1, 8, 9, tzinfo=UTC)).sent == 1
    first.dispose()
    restarted = build_scheduler(settings, Database(database_url))
    for moment in (datetime(2027, 1, 8, 9), datetime(2027, 1, 8, 12), datetime(2027, 1, 14, 9)):
        restarted.tick(moment.replace(tzinfo=UTC))
    sent = posted(fake_slack)
    assert [text.split(".")[0] for _, text in sent] == [
        "Reminder: CPI weights rebased takes effect in 7 days, on Friday 15 January 2027",
        "Reminder: CPI weights rebased takes effect tomorrow, Friday 15 January 2027",
    ]
    restarted.database.dispose()


def test_a_bot_that_was_down_catches_up_on_what_still_matters(
    database: Database, fake_slack: FakeSlack, tick: Tick
) -> None:
    team = make_team(database)
    announce(database, team, date(2027, 1, 15), feedback_by=date(2027, 1, 11))
    announce(database, team, date(2027, 1, 10), output=HPI, title="HPI moves to monthly")
    tick("2027-01-07T09:00:00+00:00")
    posted(fake_slack)
    # Down from then until three days after the 7-day reminder of the first change was due;
    # meanwhile the second took effect, on Sunday.
    tick("2027-01-11T09:00:00+00:00")
    assert sorted(text.split("\n")[0] for _, text in posted(fake_slack)) == [
        "Feedback on CPI weights rebased closes today, Monday 11 January 2027.",
        "HPI moves to monthly: took effect on Sunday 10 January 2027.",
        "Reminder: CPI weights rebased takes effect in 4 days, on Friday 15 January 2027.",
    ]
    with database.transaction() as session:
        skipped = {
            delivery.key: delivery.last_error
            for delivery in session.exec(select(Delivery).where(Delivery.subject_id == 2))
            if delivery.status == "skipped"
        }
    # The first tick came after its 7-day reminder was due, and sent that one (late); its
    # 1-day reminder fell due on Saturday, while the bot was down: recorded, not sent.
    assert skipped == {
        "change:2:remind:28:2027-01-10:CPRICES": "overtaken by the 7-day reminder",
        "change:2:remind:1:2027-01-10:CPRICES": "the change took effect on 10 January 2027",
    }


def test_after_downtime_a_channel_is_told_tomorrow_once(
    database: Database, fake_slack: FakeSlack, tick: Tick
) -> None:
    """Down from the 28-day reminder until the morning before the change (as `:time +7d`
    in the console moves the clock): the 7-day reminder, due a week ago, would say
    "tomorrow" as the 1-day one will at 09:00. It is skipped, saying why."""
    team = make_team(database, channel=None)  # no home channel: no prompt joins in
    subscribe(database, team, "CSUBS")
    change = announce(database, team, date(2027, 1, 15))
    tick("2026-12-18T09:00:00+00:00")
    assert "takes effect in 28 days" in posted(fake_slack)[0][1]
    tick("2027-01-14T08:00:00+00:00")
    assert posted(fake_slack) == []
    tick("2027-01-14T09:00:00+00:00")
    sent = posted(fake_slack)
    assert [text.split("\n")[0] for _, text in sent] == [
        "Reminder: CPI weights rebased takes effect tomorrow, Friday 15 January 2027."
    ]
    with database.transaction() as session:
        week_before = session.exec(
            select(Delivery).where(Delivery.key == f"change:{change}:remind:7:2027-01-15:CSUBS")
        ).one()
        assert (week_before.status, week_before.last_error) == (
            "skipped",
            "overtaken by the 1-day reminder",
        )


def test_a_missed_feedback_closes_alert_is_counted_and_listed_as_skipped(
    database: Database, fake_slack: FakeSlack, tick: Tick, capsys: pytest.CaptureFixture[str]
) -> None:
    team = make_team(database, channel=None)
    subscribe(database, team, "CSUBS")
    change = announce(database, team, date(2027, 1, 15), feedback_by=date(2027, 1, 11))
    tick("2027-01-08T09:00:00+00:00")
    assert "takes effect in 7 days" in posted(fake_slack)[0][1]
    capsys.readouterr()
    # Down over the weekend: "feedback closes tomorrow" was due on Sunday at 09:00, and
    # feedback closed on Monday.
    tick("2027-01-12T09:00:00+00:00")
    assert posted(fake_slack) == []
    assert capsys.readouterr().out == "Tick done: 0 sent, 0 to retry, 0 failed, 1 skipped.\n"
    assert main(["deliveries", "--skipped"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == (
        "10 Jan 2027 09:00  skipped  change_feedback_closes -> CSUBS  "
        f"(change:{change}:closes:2027-01-11:CSUBS)  "
        "because feedback closed on 11 January 2027 before it was sent"
    )
    assert [line.split("  ")[-1] for line in listed[1:]] == [
        "because overtaken by the 7-day reminder"  # the 28-day one, before the first tick
    ]


def test_reminders_follow_the_clocks_through_a_week_they_change(
    database: Database, fake_slack: FakeSlack, tick: Tick
) -> None:
    team = make_team(database)
    set_team(database, team, alert_lead_days="7,6,5,4,3,2,1")
    announce(database, team, date(2027, 4, 2), announced_at=datetime(2027, 3, 1, tzinfo=UTC))
    # British Summer Time begins on Sunday 28 March: 09:00 in London is 08:00 UTC from then.
    for day in range(26, 32):
        offset = "+00:00" if day < 28 else "+01:00"
        tick(f"2027-03-{day}T08:59:00{offset}")
        assert posted(fake_slack) == [], day
        tick(f"2027-03-{day}T09:00:00{offset}")
        sent = posted(fake_slack)
        assert len(sent) == 1, day
        assert f"takes effect in {33 - day} days, on Friday 2 April 2027" in sent[0][1]
    tick("2027-04-01T07:59:00+00:00")
    assert posted(fake_slack) == []
    tick("2027-04-01T08:00:00+00:00")
    assert "takes effect tomorrow, Friday 2 April 2027" in posted(fake_slack)[0][1]
    tick("2027-04-02T08:00:00+00:00")
    assert "in effect from today, Friday 2 April 2027" in posted(fake_slack)[0][1]


def test_each_team_has_its_own_lead_days_and_time_zone(
    database: Database, fake_slack: FakeSlack, tick: Tick
) -> None:
    prices = make_team(database)
    labour = make_team(database, "Labour", "CLABOUR", "Labour market survey | high")
    set_team(database, labour, timezone="America/New_York", alert_lead_days="14, 2")
    announce(database, prices, date(2027, 2, 5))
    announce(database, labour, date(2027, 2, 5), output="Labour market survey", title="LFS")
    tick("2027-01-08T09:00:00+00:00")
    assert [channel for channel, _ in posted(fake_slack)] == ["CPRICES"]  # Labour has no 28
    tick("2027-01-08T14:00:00+00:00")
    tick("2027-01-22T09:00:00+00:00")  # 04:00 in New York
    assert posted(fake_slack) == []
    tick("2027-01-22T14:00:00+00:00")
    sent = posted(fake_slack)
    assert [channel for channel, _ in sent] == ["CLABOUR"]
    assert "LFS takes effect in 14 days, on Friday 5 February 2027" in sent[0][1]
    tick("2027-01-29T14:00:00+00:00")
    assert [channel for channel, _ in posted(fake_slack)] == ["CPRICES"]  # its 7-day one
    tick("2027-02-03T14:00:00+00:00")
    assert [channel for channel, _ in posted(fake_slack)] == ["CLABOUR"]


def test_staff_who_heard_from_users_about_the_output_are_told_ahead(
    database: Database, fake_slack: FakeSlack, tick: Tick
) -> None:
    team = make_team(database)
    cpi, hpi = output_id(database, CPI), output_id(database, HPI)
    with database.transaction() as session:
        heard = [
            ("UALICE", cpi, date(2026, 6, 1)),
            ("UALICE", cpi, date(2026, 9, 1)),
            ("UBOB", hpi, date(2026, 6, 1)),
            ("UCAROL", cpi, date(2025, 11, 19)),  # more than a year before the announcement
            ("UDAN", cpi, date(2026, 7, 1)),  # merged into another item, below
            ("UERIN", cpi, date(2026, 11, 25)),  # after the announcement
            (None, cpi, date(2026, 6, 1)),
        ]
        for recorder, output, received in heard:
            session.add(
                Feedback(
                    team_id=team,
                    output_id=output,
                    received_on=received,
                    recorded_by=recorder,
                    text="Please keep the long-run series",
                )
            )
        session.flush()
        merged = session.exec(select(Feedback).where(Feedback.recorded_by == "UDAN")).one()
        merged.merged_into_id = 1
        session.add(merged)
    announce(database, team, date(2027, 1, 15), title="CPI <weights> rebased")
    tick("2026-12-18T08:59:00+00:00")
    assert posted(fake_slack) == []
    tick("2026-12-18T09:00:00+00:00")
    tick("2026-12-18T09:00:00+00:00")
    sent = dict(posted(fake_slack))
    assert sorted(sent) == ["CPRICES", "UALICE"]
    told = sent["UALICE"]
    assert "You recorded users' feedback on *Consumer price inflation*" in told
    assert "takes effect in 28 days, on Friday 15 January 2027" in told
    assert "*CPI &lt;weights&gt; rebased*" in told
    assert "Please tell the users who gave you that feedback" in told

    tick("2027-01-12T09:00:00+00:00")
    posted(fake_slack)  # the 7-day reminder, late
    # Announced three days ahead: the person is told at once, the channel only on the eve.
    announce(
        database,
        team,
        date(2027, 1, 15),
        output=HPI,
        title="HPI revised",
        announced_at=datetime(2027, 1, 12, 14, 30, tzinfo=UTC),
    )
    tick("2027-01-12T14:29:00+00:00")
    assert posted(fake_slack) == []
    tick("2027-01-12T14:30:00+00:00")
    sent = posted(fake_slack)
    assert [channel for channel, _ in sent] == ["UBOB"]
    assert "takes effect in 3 days, on Friday 15 January 2027" in sent[0][1]
    tick("2027-01-14T09:00:00+00:00")
    assert sorted(channel for channel, _ in posted(fake_slack)) == ["CPRICES", "CPRICES"]


def test_commenting_on_the_change_does_not_make_someone_staff_to_tell(
    database: Database, fake_slack: FakeSlack, tick: Tick
) -> None:
    """A comment on the change (perhaps from another organisation, in a shared channel) is
    no sign its recorder heard from users; feedback linked to another change still is."""
    team = make_team(database)
    cpi = output_id(database, CPI)
    earlier = announce(database, team, date(2026, 10, 1), title="An earlier CPI change")
    change = announce(database, team, date(2027, 1, 15))
    with database.transaction() as session:
        for recorder, about, received in (
            ("UOUTSIDER", change, ANNOUNCED.date()),  # commented the day it was announced
            ("UGRACE", earlier, date(2026, 9, 15)),  # commented on the earlier change
            ("UHEIDI", None, ANNOUNCED.date()),
        ):
            session.add(
                Feedback(
                    team_id=team,
                    output_id=cpi,
                    change_id=about,
                    received_on=received,
                    recorded_by=recorder,
                    text="Please keep the long-run series",
                )
            )
    tick("2026-12-18T09:00:00+00:00")
    assert sorted(channel for channel, _ in posted(fake_slack)) == ["CPRICES", "UGRACE", "UHEIDI"]


def test_a_cancelled_change_is_heard_of_no_more(
    database: Database, fake_slack: FakeSlack, tick: Tick
) -> None:
    team = make_team(database)
    announce(database, team, date(2027, 1, 15), status="cancelled")
    pending = announce(database, team, date(2027, 1, 15), output=HPI)
    fake_slack.fail_next("chat.postMessage", "internal_error")
    tick("2026-12-18T09:00:00+00:00")
    assert posted(fake_slack) == []  # the only one due failed, and waits to be retried
    update_change(database, pending, status="cancelled", cancel_reason="Postponed")
    tick("2026-12-18T10:00:00+00:00")
    tick("2027-01-15T09:00:00+00:00")
    assert posted(fake_slack) == []
    with database.transaction() as session:
        (delivery,) = session.exec(select(Delivery).where(Delivery.kind == "change_reminder")).all()
        assert (delivery.status, delivery.last_error) == ("skipped", "the change was cancelled")


def test_a_change_moved_to_another_date_is_reminded_of_for_the_new_one(
    database: Database, fake_slack: FakeSlack, tick: Tick
) -> None:
    team = make_team(database)
    change = announce(database, team, date(2027, 1, 15))
    tick("2027-01-08T09:00:00+00:00")
    assert "in 7 days, on Friday 15 January 2027" in posted(fake_slack)[0][1]
    moved_at = datetime(2027, 1, 9, 12, tzinfo=UTC)
    update_change(database, change, effective_on=date(2027, 1, 22), revision=2, updated_at=moved_at)
    tick("2027-01-10T09:00:00+00:00")  # the update notice told of the new date already
    assert posted(fake_slack) == []
    tick("2027-01-14T09:00:00+00:00")
    tick("2027-01-15T09:00:00+00:00")
    sent = posted(fake_slack)
    assert len(sent) == 1 and "in 7 days, on Friday 22 January 2027" in sent[0][1]
    tick("2027-01-22T09:00:00+00:00")
    assert "in effect from today, Friday 22 January 2027" in posted(fake_slack)[0][1]


def test_a_change_in_effect_for_a_month_is_old_news(
    database: Database, fake_slack: FakeSlack, tick: Tick
) -> None:
    team = make_team(database)
    announce(database, team, date(2027, 1, 15))
    tick((datetime(2027, 1, 15, 9, tzinfo=UTC) + timedelta(days=30)).isoformat())
    assert posted(fake_slack) == []  # not even the in-effect note: a week late at most
