"""When a team's review is posted, and of which period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.reviews.post import period_name
from bot.reviews.schedule import (
    first_working_day,
    on_demand_period,
    period_before,
    review_day,
    review_due,
)

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2027, 5, date(2027, 5, 3)),  # the 1st is a Saturday
        (2027, 8, date(2027, 8, 2)),  # a Sunday
        (2027, 4, date(2027, 4, 1)),  # a Thursday
        (2027, 3, date(2027, 3, 1)),  # a Monday
        (2027, 1, date(2027, 1, 1)),  # a Friday (bank holidays are not known)
    ],
)
def test_the_first_working_day_skips_a_weekend(year: int, month: int, expected: date) -> None:
    assert first_working_day(year, month) == expected


def test_the_review_day_on_or_before_a_day() -> None:
    assert review_day("monthly", date(2027, 5, 2)) == date(2027, 4, 1)  # before the 3rd
    assert review_day("monthly", date(2027, 5, 3)) == date(2027, 5, 3)
    assert review_day("monthly", date(2027, 5, 31)) == date(2027, 5, 3)
    assert review_day("quarterly", date(2027, 5, 31)) == date(2027, 4, 1)
    assert review_day("quarterly", date(2027, 1, 1)) == date(2027, 1, 1)
    assert review_day("quarterly", date(2026, 12, 31)) == date(2026, 10, 1)


def test_the_period_reviewed_is_the_month_or_quarter_before() -> None:
    assert period_before("monthly", date(2027, 5, 3)) == (date(2027, 4, 1), date(2027, 4, 30))
    assert period_before("monthly", date(2027, 1, 1)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert period_before("monthly", date(2028, 3, 1)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert period_before("quarterly", date(2027, 1, 1)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_before("quarterly", date(2027, 5, 3)) == (date(2027, 1, 1), date(2027, 3, 31))


def test_due_at_nine_team_time_on_the_day_else_the_one_before() -> None:
    # 3 May 2027 is summer time in London: 09:00 there is 08:00 UTC.
    due = review_due("monthly", datetime(2027, 5, 3, 8, 0, tzinfo=UTC), LONDON)
    assert (due.day, due.period_from, due.period_to) == (
        date(2027, 5, 3),
        date(2027, 4, 1),
        date(2027, 4, 30),
    )
    assert due.due_at == datetime(2027, 5, 3, 8, 0, tzinfo=UTC)
    earlier = review_due("monthly", datetime(2027, 5, 3, 7, 59, tzinfo=UTC), LONDON)
    assert (earlier.day, earlier.period_to) == (date(2027, 4, 1), date(2027, 3, 31))
    tokyo = review_due("monthly", datetime(2027, 5, 3, 0, 0, tzinfo=UTC), ZoneInfo("Asia/Tokyo"))
    assert tokyo.due_at == datetime(2027, 5, 3, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo


def test_periods_on_demand() -> None:
    today = date(2027, 5, 10)
    assert on_demand_period("month", today) == (date(2027, 4, 1), date(2027, 4, 30))
    assert on_demand_period("quarter", today) == (date(2027, 1, 1), date(2027, 3, 31))
    assert on_demand_period("year", today) == (date(2026, 5, 1), date(2027, 4, 30))
    assert on_demand_period("quarter", date(2027, 1, 5)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert on_demand_period("this month", today) == (date(2027, 5, 1), today)


def test_periods_named() -> None:
    assert period_name(date(2027, 4, 1), date(2027, 4, 30)) == "April 2027"
    assert period_name(date(2027, 1, 1), date(2027, 3, 31)) == "January to March 2027"
    assert period_name(date(2026, 5, 1), date(2027, 4, 30)) == "May 2026 to April 2027"
    assert period_name(date(2027, 4, 3), date(2027, 4, 9)) == "3 April 2027 to 9 April 2027"
