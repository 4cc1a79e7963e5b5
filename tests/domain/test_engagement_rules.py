from datetime import date

from bot.engagements.recording import EngagementDraft, engagement_problems
from bot.feedback.recording import FeedbackDraft, feedback_problems

TODAY = date(2026, 11, 25)


def test_a_complete_engagement_has_no_problems() -> None:
    draft = EngagementDraft(summary="Met users", team_id=1, occurred_on=TODAY, method="webinar")
    assert engagement_problems(draft, today=TODAY) == {}


def test_engagement_problems_are_reported_per_field() -> None:
    draft = EngagementDraft(
        summary="  ",
        occurred_on=date(2026, 11, 26),
        method="telepathy",
        participants=-1,
        organisations=["A;B"],
    )
    errors = engagement_problems(draft, today=TODAY)
    assert set(errors) == {
        "summary",
        "occurred_on",
        "team",
        "method",
        "participants",
        "organisations",
    }
    assert "future" in errors["occurred_on"]


def test_feedback_needs_text_and_a_team_or_output() -> None:
    errors = feedback_problems(FeedbackDraft(text="", received_on=TODAY), today=TODAY)
    assert set(errors) == {"text", "team"}
    assert (
        feedback_problems(FeedbackDraft(text="x", output_id=3, received_on=TODAY), today=TODAY)
        == {}
    )


def test_feedback_checks_the_contact_email() -> None:
    draft = FeedbackDraft(text="x", team_id=1, received_on=TODAY, contact_email="not-an-email")
    assert "contact_email" in feedback_problems(draft, today=TODAY)


def test_contact_details_are_kept_only_with_agreement() -> None:
    draft = FeedbackDraft(text="x", team_id=1, received_on=TODAY, contact_name="Ada")
    assert "contact_agreed" in feedback_problems(draft, today=TODAY)
    draft.contact_agreed = True
    assert feedback_problems(draft, today=TODAY) == {}


def test_a_date_before_the_earliest_is_refused_on_its_field() -> None:
    long_ago = EngagementDraft(summary="Met users", team_id=1, occurred_on=date(1900, 1, 1))
    assert engagement_problems(long_ago, today=TODAY) == {
        "occurred_on": "The date can't be before 2000-01-01: check the year."
    }
    first = EngagementDraft(summary="Met users", team_id=1, occurred_on=date(2000, 1, 1))
    assert engagement_problems(first, today=TODAY) == {}
    # The earliest is a setting (ENGAGEBOT_EARLIEST_DATE).
    assert engagement_problems(first, today=TODAY, earliest=date(2010, 1, 1)) == {
        "occurred_on": "The date can't be before 2010-01-01: check the year."
    }
    received = FeedbackDraft(text="x", team_id=1, received_on=date(2009, 12, 31))
    assert feedback_problems(received, today=TODAY, earliest=date(2010, 1, 1)) == {
        "received_on": "The date can't be before 2010-01-01: check the year."
    }
