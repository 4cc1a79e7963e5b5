"""The rules of insights and joining up, as plain functions: what makes an insight valid,
when the weekly cross-team digest is due, and the 12 months `/engage who` looks at."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.engagements.insights import InsightDraft, digest_monday, digests_due, insight_problems
from bot.engagements.recording import EngagementDraft, engagement_problems
from bot.users.who import twelve_months_to

LONDON = ZoneInfo("Europe/London")


def test_an_insight_needs_text_within_the_limit() -> None:
    assert insight_problems(InsightDraft(text="Users want regional data")) == {}
    assert insight_problems(InsightDraft(text=None)) == {"text": "The insight is required."}
    assert insight_problems(InsightDraft(text=" \n ")) == {"text": "The insight is required."}
    assert insight_problems(InsightDraft(text="x" * 3000)) == {}
    assert insight_problems(InsightDraft(text="x" * 3001)) == {
        "text": "The insight is 3,001 characters; the most it can hold is 3,000."
    }


def test_tags_are_names_of_at_most_sixty_characters_and_at_most_twenty() -> None:
    def tag_problems(tags: list[str]) -> dict[str, str]:
        return insight_problems(InsightDraft(text="Fine", tags=tags))

    assert tag_problems(["timeliness", "x" * 60]) == {}
    assert tag_problems(["a;b"]) == {"tags": "Tag 'a;b' may not contain ';'."}
    assert tag_problems(["x" * 61]) == {"tags": f"Tag '{'x' * 40}…' is over 60 characters."}
    assert tag_problems([f"t{n}" for n in range(20)]) == {}
    assert tag_problems([f"t{n}" for n in range(21)]) == {"tags": "Give at most 20 tags."}


def test_an_engagement_is_not_its_own_teams_partner() -> None:
    def problems(**fields: Any) -> dict[str, str]:
        draft = EngagementDraft(summary="Panel", team_id=1, occurred_on=date(2027, 1, 1), **fields)
        return engagement_problems(draft, today=date(2027, 1, 1))

    assert problems(partner_ids=[2, 3]) == {}
    assert set(problems(partner_ids=[2, 1])) == {"partners"}
    assert problems(uses="u" * 3000) == {}
    assert problems(uses="u" * 3001) == {
        "uses": "What they use the statistics for is 3,001 characters; the most it can hold "
        "is 3,000."
    }


@pytest.mark.parametrize(
    ("at", "monday"),
    [
        (datetime(2027, 5, 10, 7, 59, tzinfo=UTC), date(2027, 5, 3)),  # 08:59 BST
        (datetime(2027, 5, 10, 8, 0, tzinfo=UTC), date(2027, 5, 10)),  # 09:00 BST
        (datetime(2027, 5, 16, 22, 59, tzinfo=UTC), date(2027, 5, 10)),  # Sunday 23:59
        (datetime(2027, 5, 16, 23, 30, tzinfo=UTC), date(2027, 5, 10)),  # Monday 00:30 BST
        (datetime(2027, 1, 11, 8, 59, tzinfo=UTC), date(2027, 1, 4)),  # 08:59 GMT
        (datetime(2027, 1, 11, 9, 0, tzinfo=UTC), date(2027, 1, 11)),  # 09:00 GMT
        # The Monday after the clocks go forward (28 March 2027): 09:00 BST is 08:00 UTC.
        (datetime(2027, 3, 29, 8, 0, tzinfo=UTC), date(2027, 3, 29)),
    ],
)
def test_the_digest_is_each_monday_at_nine_local_time(at: datetime, monday: date) -> None:
    assert digest_monday(at, LONDON) == monday


def test_the_plan_names_each_channel_once_and_catches_up_two_days() -> None:
    due = datetime(2027, 5, 10, 8, 0, tzinfo=UTC)
    set_up = datetime(2027, 4, 1, 9, tzinfo=UTC)
    dues = digests_due(["CONE", "CTWO", "CONE"], due, LONDON, set_up)
    assert [(d.key, d.target, d.due_at, d.note) for d in dues] == [
        ("cross-team:2027-05-10:CONE", "CONE", due, "2027-05-10"),
        ("cross-team:2027-05-10:CTWO", "CTWO", due, "2027-05-10"),
    ]
    late = digests_due(["CONE", "CTWO"], due + timedelta(days=2), LONDON, set_up)
    assert [d.skip_reason for d in late] == [None, None]
    too_late = digests_due(["CONE", "CTWO"], due + timedelta(days=2, seconds=1), LONDON, set_up)
    assert [d.skip_reason for d in too_late] == [
        "more than 2 days late when the bot came to send it"
    ] * 2
    assert digests_due([], due, LONDON, set_up) == []


def test_no_digest_is_owed_of_a_week_that_ended_before_the_first_team() -> None:
    monday = datetime(2027, 5, 10, 8, 0, tzinfo=UTC)
    assert digests_due(["CONE"], monday, LONDON, None) == []  # no team yet
    # Set up on Sunday 9 May: the week of 3 to 9 May is owed; set up on the Monday, it is not.
    assert len(digests_due(["CONE"], monday, LONDON, datetime(2027, 5, 9, 9, tzinfo=UTC))) == 1
    assert digests_due(["CONE"], monday, LONDON, datetime(2027, 5, 10, 7, tzinfo=UTC)) == []


@pytest.mark.parametrize(
    ("today", "first"),
    [
        (date(2027, 3, 15), date(2026, 3, 16)),
        (date(2027, 1, 1), date(2026, 1, 2)),  # across a year
        (date(2028, 2, 29), date(2027, 3, 1)),  # a leap day
        (date(2029, 2, 28), date(2028, 2, 29)),
    ],
)
def test_the_twelve_months_who_looks_at(today: date, first: date) -> None:
    assert twelve_months_to(today) == first
