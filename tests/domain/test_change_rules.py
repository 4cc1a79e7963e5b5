"""What makes an upcoming change valid, judged on the team's today."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.changes.announcing import ChangeDraft, change_problems, team_today
from handlers.views.changes import long_date
from storage.models import ProducerTeam

TODAY = date(2027, 2, 1)


def draft(**fields: object) -> ChangeDraft:
    complete: dict[str, object] = {
        "title": "New weights",
        "description": "Annual chain-linking",
        "team_id": 1,
        "output_id": 1,
        "effective_on": date(2027, 3, 1),
    }
    return ChangeDraft(**{**complete, **fields})  # type: ignore[arg-type]


def test_a_complete_change_has_no_problems() -> None:
    assert change_problems(draft(), today=TODAY) == {}
    assert change_problems(draft(feedback_by=date(2027, 2, 28), segment_ids=[1]), today=TODAY) == {}


def test_problems_are_reported_per_field() -> None:
    errors = change_problems(ChangeDraft(title=" ", description="", effective_on=None), today=TODAY)
    assert errors == {
        "team": "Choose the team making the change.",
        "output": "Choose the output that is changing.",
        "title": "The title is required.",
        "description": "What is changing and why is required.",
        "effective_on": "Choose the date the change takes effect.",
    }


def test_text_over_its_limit_is_refused_with_its_length() -> None:
    errors = change_problems(draft(title="x" * 151, description="y" * 3001), today=TODAY)
    assert errors["title"] == "The title is 151 characters; the most it can hold is 150."
    assert errors["description"].startswith("What is changing and why is 3,001 characters")
    assert change_problems(draft(title="x" * 150, description="y" * 3000), today=TODAY) == {}


def test_the_change_takes_effect_today_or_later() -> None:
    assert change_problems(draft(effective_on=TODAY), today=TODAY) == {}
    errors = change_problems(draft(effective_on=TODAY - timedelta(days=1)), today=TODAY)
    assert errors == {"effective_on": "The date can't be in the past (today is 2027-02-01)."}


def test_feedback_is_wanted_from_today_until_before_the_change() -> None:
    assert change_problems(draft(feedback_by=TODAY), today=TODAY) == {}
    past = change_problems(draft(feedback_by=TODAY - timedelta(days=1)), today=TODAY)
    assert past == {"feedback_by": "The date can't be in the past (today is 2027-02-01)."}
    for day in (date(2027, 3, 1), date(2027, 3, 2)):
        late = change_problems(draft(feedback_by=day), today=TODAY)
        assert late == {
            "feedback_by": "Ask for feedback before the change takes effect (2027-03-01)."
        }


def test_dates_more_than_ten_years_ahead_are_refused() -> None:
    ten_years = date(2037, 2, 1)
    assert change_problems(draft(effective_on=ten_years), today=TODAY) == {}
    too_far = "The date can't be more than 10 years ahead (after 2037-02-01): check the year."
    later = ten_years + timedelta(days=1)
    assert change_problems(draft(effective_on=later), today=TODAY) == {"effective_on": too_far}
    both = change_problems(draft(effective_on=date(3026, 3, 1), feedback_by=later), today=TODAY)
    assert both == {"effective_on": too_far, "feedback_by": too_far}


def test_an_edit_may_keep_a_feedback_date_that_has_passed() -> None:
    passed = date(2027, 1, 20)
    assert change_problems(draft(feedback_by=passed), today=TODAY, kept_feedback_by=passed) == {}
    moved = change_problems(
        draft(feedback_by=date(2027, 1, 21)), today=TODAY, kept_feedback_by=passed
    )
    assert set(moved) == {"feedback_by"}


def test_today_is_the_teams() -> None:
    london = ZoneInfo("Europe/London")
    late_evening = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)
    assert team_today(None, late_evening, london) == date(2027, 1, 31)
    tokyo = ProducerTeam(name="Tokyo office", timezone="Asia/Tokyo")
    assert team_today(tokyo, late_evening, london) == date(2027, 2, 1)


def test_dates_are_shown_in_words() -> None:
    assert long_date(date(2027, 3, 1)) == "Monday 1 March 2027"
