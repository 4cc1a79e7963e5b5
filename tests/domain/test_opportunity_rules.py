"""The rules of engagement opportunities that need no database: what a valid one is, when
the organiser's messages are due, and how the engagement it was is filled in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.engagements.opportunities import (
    LOG_PROMPT,
    REMINDER,
    OpportunityDraft,
    log_summary,
    method_named_in,
    opportunity_problems,
    organiser_messages,
    prompt_at,
    reminder_at,
)
from storage.models import Opportunity

LONDON = ZoneInfo("Europe/London")
TODAY = date(2027, 5, 3)


def draft(**fields: object) -> OpportunityDraft:
    values: dict[str, object] = {
        "title": "CPI user workshop",
        "happens_on": TODAY,
        "place": "Room 1, Newport",
        "description": None,
        "places": 12,
        "channels": ["C1"],
        **fields,
    }
    return OpportunityDraft(**values)  # type: ignore[arg-type]


def opportunity(day: date, **fields: object) -> Opportunity:
    values: dict[str, object] = {
        "id": 7,
        "team_id": 1,
        "title": "CPI user workshop",
        "happens_on": day,
        "place": "Newport",
        "description": "",
        "places": 10,
        "organiser": "UORG",
        **fields,
    }
    return Opportunity(**values)


def test_a_complete_draft_for_today_has_no_problems() -> None:
    assert opportunity_problems(draft(), today=TODAY) == {}
    assert opportunity_problems(draft(places=1), today=TODAY) == {}
    assert opportunity_problems(draft(places=10_000), today=TODAY) == {}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "  "}, "title", "The title is required."),
        ({"title": "x" * 151}, "title", "The title is 151 characters"),
        ({"happens_on": None}, "happens_on", "Choose the date"),
        ({"happens_on": TODAY - timedelta(days=1)}, "happens_on", "can't be in the past"),
        ({"happens_on": date(2126, 1, 1)}, "happens_on", "can't be more than 10 years ahead"),
        ({"place": None}, "place", "The place or link is required."),
        ({"place": "x" * 301}, "place", "the most it can hold is 300"),
        ({"description": "x" * 3001}, "description", "the most it can hold is 3,000"),
        ({"places": None}, "places", "from 1 to 10,000"),
        ({"places": 0}, "places", "from 1 to 10,000"),
        ({"places": 10_001}, "places", "from 1 to 10,000"),
        ({"channels": []}, "channels", "at least one channel"),
    ],
)
def test_each_problem_is_named_on_its_field(fields: dict, field: str, message: str) -> None:
    problems = opportunity_problems(draft(**fields), today=TODAY)
    assert list(problems) == [field]
    assert message in problems[field]


def keys_due(day: date, at: datetime, **fields: object) -> list[tuple[str, datetime]]:
    """(kind, due moment) of the messages a tick at `at` plans to send."""
    planned = organiser_messages(opportunity(day, **fields), LONDON, at)
    return [(due.kind, due.due_at) for due in planned if due.skip_reason is None]


def skipped(day: date, at: datetime) -> list[tuple[str, str | None]]:
    """(kind, reason) of the messages a tick at `at` records as skipped."""
    planned = organiser_messages(opportunity(day), LONDON, at)
    return [(due.kind, due.skip_reason) for due in planned if due.skip_reason is not None]


def test_the_reminder_is_due_at_nine_the_day_before_and_the_prompt_at_nine_the_day_after() -> None:
    day = date(2027, 5, 12)
    reminder = datetime(2027, 5, 11, 8, 0, tzinfo=UTC)  # 09:00 British Summer Time
    prompt = datetime(2027, 5, 13, 8, 0, tzinfo=UTC)
    assert keys_due(day, reminder - timedelta(seconds=1)) == []
    assert keys_due(day, reminder) == [(REMINDER, reminder)]
    assert keys_due(day, prompt - timedelta(seconds=1)) == []  # the day itself: neither
    assert keys_due(day, prompt) == [(LOG_PROMPT, prompt)]
    (due,) = [
        due
        for due in organiser_messages(opportunity(day), LONDON, prompt)
        if due.kind == LOG_PROMPT
    ]
    assert (due.key, due.target, due.team_id, due.subject_id) == (
        "opportunity:7:log-prompt",
        "UORG",
        1,
        7,
    )


def test_nine_oclock_follows_the_clocks_changing() -> None:
    # The clocks go forward on 28 March 2027: the day before is GMT, the day after BST.
    day = date(2027, 3, 28)
    assert reminder_at(day, LONDON) == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)
    assert prompt_at(day, LONDON) == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)


def test_what_no_longer_matters_is_skipped_with_its_reason() -> None:
    day = date(2027, 5, 12)
    on_the_day = datetime(2027, 5, 12, 6, 0, tzinfo=UTC)
    assert keys_due(day, on_the_day) == []  # a reminder found on the day is too late
    came = "the opportunity's day had come before it was sent"
    assert skipped(day, on_the_day) == [(REMINDER, came)]
    late = datetime(2027, 5, 20, 8, 0, tzinfo=UTC)
    assert [kind for kind, _ in keys_due(day, late)] == [LOG_PROMPT]  # a week late: still
    assert keys_due(day, late + timedelta(seconds=1)) == []  # after that: no
    assert skipped(day, late + timedelta(seconds=1)) == [
        (REMINDER, came),
        (LOG_PROMPT, "more than a week late when the bot came to send it"),
    ]
    assert keys_due(day, late, engagement_id=3) == []  # logged already
    reminder = datetime(2027, 5, 11, 8, 0, tzinfo=UTC)
    assert keys_due(day, reminder, status="cancelled") == []


@pytest.mark.parametrize(
    ("title", "description", "method"),
    [
        ("CPI user workshop", "", "workshop"),
        ("Workshops for data users", "", "workshop"),
        ("User group meeting on earnings", "", "user_group"),
        ("Webinar: the census", "A workshop follows", "webinar"),
        ("Earnings data day", "A conference for users", "conference"),
        ("Coffee with analysts", "Bring questions", None),
        ("Other business", "", None),
    ],
)
def test_the_method_is_the_one_the_opportunity_names(
    title: str, description: str, method: str | None
) -> None:
    assert method_named_in(title, description) == method


def test_the_summary_is_the_title_and_the_description_when_both_fit() -> None:
    assert log_summary(opportunity(TODAY, description="For users.")) == (
        "CPI user workshop\n\nFor users."
    )
    assert log_summary(opportunity(TODAY)) == "CPI user workshop"
    assert log_summary(opportunity(TODAY, description="x" * 990)) == "CPI user workshop"
