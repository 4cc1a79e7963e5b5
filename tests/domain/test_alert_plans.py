"""When the alerts ahead of a change are due, and which still matter: pure date logic."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.changes.alerts import (
    DEFAULT_LEAD_DAYS,
    FEEDBACK_CLOSES,
    IN_EFFECT,
    REMINDER,
    STAFF_MESSAGE,
    Alert,
    ChangeTiming,
    alerts_due,
    lead_days,
    scheduled_alerts,
    skip_reason,
)

LONDON = ZoneInfo("Europe/London")
ANNOUNCED = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def timing(
    effective_on: date,
    *,
    announced_at: datetime = ANNOUNCED,
    feedback_by: date | None = None,
    leads: tuple[int, ...] = DEFAULT_LEAD_DAYS,
    zone: ZoneInfo = LONDON,
) -> ChangeTiming:
    return ChangeTiming(effective_on, feedback_by, announced_at, announced_at, zone, leads)


def moments(alerts: list[Alert], kind: str = REMINDER) -> list[datetime]:
    return [alert.due_at for alert in alerts if alert.kind == kind]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, (28, 7, 1)),
        ("", (28, 7, 1)),
        ("14,2", (14, 2)),
        ("1, 7;28 7", (28, 7, 1)),
        ("0,-3,x,7.5,²,400,3", (3,)),
        ("soon", (28, 7, 1)),
    ],
)
def test_lead_days_are_read_defensively(text: str | None, expected: tuple[int, ...]) -> None:
    assert lead_days(text) == expected


def test_each_alert_is_due_at_nine_in_the_morning_team_time() -> None:
    alerts = scheduled_alerts(timing(date(2027, 1, 15), feedback_by=date(2027, 1, 8)))
    assert moments(alerts) == [utc(2026, 12, 18, 9), utc(2027, 1, 8, 9), utc(2027, 1, 14, 9)]
    assert moments(alerts, FEEDBACK_CLOSES) == [utc(2027, 1, 7, 9)]
    assert moments(alerts, IN_EFFECT) == [utc(2027, 1, 15, 9)]
    assert moments(alerts, STAFF_MESSAGE) == [utc(2026, 12, 18, 9)]  # the earliest lead day
    new_york = scheduled_alerts(timing(date(2027, 1, 15), zone=ZoneInfo("America/New_York")))
    assert moments(new_york, IN_EFFECT) == [utc(2027, 1, 15, 14)]


def test_nine_oclock_follows_the_clocks_in_spring() -> None:
    # British Summer Time starts at 01:00 UTC on Sunday 28 March 2027.
    alerts = scheduled_alerts(timing(date(2027, 4, 4)))
    assert moments(alerts) == [
        utc(2027, 3, 7, 9),  # 09:00 GMT
        utc(2027, 3, 28, 8),  # 09:00 BST, on the morning the clocks went forward
        utc(2027, 4, 3, 8),
    ]
    eve = scheduled_alerts(timing(date(2027, 3, 28), leads=(1,)))
    assert moments(eve) == [utc(2027, 3, 27, 9)]
    assert moments(eve, IN_EFFECT) == [utc(2027, 3, 28, 8)]


def test_nine_oclock_follows_the_clocks_in_autumn() -> None:
    # British Summer Time ends at 01:00 UTC on Sunday 31 October 2027.
    alerts = scheduled_alerts(timing(date(2027, 11, 7)))
    assert moments(alerts) == [utc(2027, 10, 10, 8), utc(2027, 10, 31, 9), utc(2027, 11, 6, 9)]
    eve = scheduled_alerts(timing(date(2027, 10, 31), leads=(1,)))
    assert moments(eve) == [utc(2027, 10, 30, 8)]
    assert moments(eve, IN_EFFECT) == [utc(2027, 10, 31, 9)]


def test_what_the_announcement_already_covered_is_not_planned() -> None:
    announced = utc(2027, 1, 12, 16)  # three days ahead
    alerts = scheduled_alerts(
        timing(date(2027, 1, 15), announced_at=announced, feedback_by=date(2027, 1, 13))
    )
    assert moments(alerts) == [utc(2027, 1, 14, 9)]  # not the 28- or 7-day reminders
    assert moments(alerts, FEEDBACK_CLOSES) == []  # it would have been due at 09:00 today
    assert moments(alerts, IN_EFFECT) == [utc(2027, 1, 15, 9)]
    assert moments(alerts, STAFF_MESSAGE) == [announced]  # at once


def owed(change: ChangeTiming, at: datetime) -> list[tuple[str, int | None, str | None]]:
    """(kind, lead days, skip reason) of each alert a tick at `at` plans."""
    return [(alert.kind, alert.lead_days, reason) for alert, reason in alerts_due(change, at)]


def test_a_tick_owes_what_is_due_by_its_moment_and_nothing_before() -> None:
    change = timing(date(2027, 1, 15), leads=(14, 2))
    assert owed(change, utc(2027, 1, 1, 8, 59)) == []
    assert owed(change, utc(2027, 1, 1, 9)) == [(REMINDER, 14, None), (STAFF_MESSAGE, None, None)]


def test_after_downtime_the_latest_reminder_missed_is_sent_and_the_earlier_skipped() -> None:
    change = timing(date(2027, 1, 15), feedback_by=date(2027, 1, 12))
    assert owed(change, utc(2027, 1, 11, 10)) == [  # the 7-day one was due 3 days ago
        (REMINDER, 28, "overtaken by the 7-day reminder"),
        (REMINDER, 7, None),
        (FEEDBACK_CLOSES, None, None),
        (STAFF_MESSAGE, None, None),
    ]


def test_a_late_reminder_on_the_day_of_a_later_one_is_overtaken_by_it() -> None:
    """Before 09:00 on the eve the 7-day reminder, a week late, would say "tomorrow", as
    the 1-day one does at 09:00: a channel hears it once."""
    change = timing(date(2027, 1, 15))
    eve_early = utc(2027, 1, 14, 8)
    assert owed(change, eve_early)[:2] == [
        (REMINDER, 28, "overtaken by the 1-day reminder"),
        (REMINDER, 7, "overtaken by the 1-day reminder"),
    ]
    assert (REMINDER, 1, None) not in owed(change, eve_early)  # due at 09:00
    assert (REMINDER, 1, None) in owed(change, utc(2027, 1, 14, 9))
    # The day before the eve, the 7-day reminder still speaks: "in 2 days".
    assert owed(change, utc(2027, 1, 13, 8))[1] == (REMINDER, 7, None)


def test_once_in_effect_only_the_in_effect_note_is_sent_and_only_for_a_week() -> None:
    change = timing(date(2027, 1, 15), feedback_by=date(2027, 1, 12))
    closed = "feedback closed on 12 January 2027 before it was sent"
    took_effect = "the change took effect on 15 January 2027"
    assert owed(change, utc(2027, 1, 14, 23, 59)) == [
        (REMINDER, 28, "overtaken by the 1-day reminder"),
        (REMINDER, 7, "overtaken by the 1-day reminder"),
        (REMINDER, 1, None),
        (FEEDBACK_CLOSES, None, closed),
        (STAFF_MESSAGE, None, None),
    ]
    assert [reason for *_, reason in owed(change, utc(2027, 1, 15, 8, 59))] == [
        took_effect,
        took_effect,
        took_effect,
        closed,
        took_effect,
    ]
    assert (IN_EFFECT, None, None) in owed(change, utc(2027, 1, 22, 23))
    assert (IN_EFFECT, None, f"more than a week after {took_effect}") in owed(
        change, utc(2027, 1, 23, 9)
    )


def test_a_tick_looks_back_a_month_for_what_fell_due() -> None:
    change = timing(date(2027, 1, 15))
    assert [kind for kind, *_ in owed(change, utc(2027, 2, 15, 8, 59))] == [IN_EFFECT]
    assert owed(change, utc(2027, 2, 15, 9)) == []


def test_feedback_closes_is_sent_until_the_day_itself() -> None:
    change = timing(date(2027, 1, 15), feedback_by=date(2027, 1, 12))
    closes = Alert(FEEDBACK_CLOSES, utc(2027, 1, 11, 9), date(2027, 1, 12))
    assert skip_reason(closes, change, date(2027, 1, 12)) is None
    assert skip_reason(closes, change, date(2027, 1, 13)) == (
        "feedback closed on 12 January 2027 before it was sent"
    )
    moved = Alert(FEEDBACK_CLOSES, utc(2027, 1, 9, 9), date(2027, 1, 10))
    assert skip_reason(moved, change, date(2027, 1, 9)) == "feedback now closes on 12 January 2027"


def test_an_alert_for_a_date_since_moved_is_skipped() -> None:
    moved = timing(date(2027, 1, 22))
    today = date(2027, 1, 15)
    old_date = date(2027, 1, 15)
    reminder = Alert(REMINDER, utc(2027, 1, 8, 9), old_date, 7)
    assert (
        skip_reason(reminder, moved, date(2027, 1, 8)) == "the change was moved to 22 January 2027"
    )
    in_effect = Alert(IN_EFFECT, utc(2027, 1, 15, 9), old_date)
    assert skip_reason(in_effect, moved, today) == "the change was moved to 22 January 2027"
    new_date = Alert(REMINDER, utc(2027, 1, 15, 9), date(2027, 1, 22), 7)
    assert skip_reason(new_date, moved, today) is None
    staff = Alert(STAFF_MESSAGE, ANNOUNCED, None)
    assert skip_reason(staff, moved, today) is None  # one message, whatever the date
    assert skip_reason(staff, moved, moved.effective_on) == (
        "the change took effect on 22 January 2027"
    )


def test_a_lead_longer_than_the_notice_given_is_not_planned() -> None:
    alerts = scheduled_alerts(timing(date(2027, 3, 1), leads=(365, 28)))
    assert moments(alerts) == [utc(2027, 2, 1, 9)]  # 1 March 2026 was before the announcement
    assert moments(alerts, STAFF_MESSAGE) == [ANNOUNCED]
