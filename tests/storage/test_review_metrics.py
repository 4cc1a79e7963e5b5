"""The review's figures on small fixed data, against expectations worked out by hand, on
SQLite and PostgreSQL; and that a review costs the same few queries however much data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from bot.reviews.figures import (
    Review,
    ReviewRefused,
    last_full_month,
    previous_period,
    review_json,
    review_team,
)
from storage.database import Database
from storage.models import (
    Engagement,
    Feedback,
    FeedbackDecision,
    Insight,
    Organisation,
    ProducerTeam,
    StatisticalOutput,
    UpcomingChange,
)
from storage.reference import organisations_named, segments_by_name
from storage.teams import team_named

LONDON = ZoneInfo("Europe/London")
JANUARY = (date(2027, 1, 1), date(2027, 1, 31))
EVERY_SEGMENT = [
    "central government",
    "devolved and local government",
    "academia and research",
    "media",
    "business and industry",
    "charities and voluntary sector",
    "international bodies",
    "members of the public",
    "internal users",
]


# Long before the periods reviewed: an output never engaged is overdue in all of them.
SET_UP = datetime(2024, 1, 1, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


class Records:
    """Writes the rows a test needs, as plainly as the tables hold them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def team(
        self,
        name: str,
        outputs: dict[str, str] | None = None,
        added: datetime = SET_UP,
        **settings: Any,
    ) -> int:
        """A team with `outputs` (name: profile), all set up at `added`."""
        team = ProducerTeam(name=name, created_at=added, **settings)
        self.session.add(team)
        self.session.flush()
        for output, profile in (outputs or {}).items():
            self.session.add(
                StatisticalOutput(team_id=team.id, name=output, profile=profile, created_at=added)
            )
        self.session.flush()
        return team.id  # type: ignore[return-value]

    def organisation(self, name: str) -> Organisation:
        return organisations_named(session=self.session, names=[name])[0]

    def engagement(
        self,
        team: str,
        day: date,
        method: str | None = "meeting",
        segments: tuple[str, ...] = (),
        organisations: tuple[str, ...] = (),
        outputs: tuple[str, ...] = (),
        partners: tuple[str, ...] = (),
    ) -> None:
        owner = self._team(team)
        everything = segments_by_name(session=self.session)
        self.session.add(
            Engagement(
                team_id=owner.id,
                occurred_on=day,
                method=method,
                summary="Met users",
                segments=[everything[name] for name in segments],
                organisations=[self.organisation(name) for name in organisations],
                outputs=[output for output in owner.outputs if output.name in outputs],
                partners=[self._team(partner) for partner in partners],
            )
        )
        self.session.flush()

    def feedback(
        self,
        team: str,
        received_on: date,
        organisation: str | None = None,
        status: str = "new",
        decisions: tuple[tuple[datetime, str, str, str | None], ...] = (),
        merged_into: int | None = None,
    ) -> int:
        item = Feedback(
            team_id=self._team(team).id,
            received_on=received_on,
            organisation_id=self.organisation(organisation).id if organisation else None,
            text="Said something",
            status=status,
            merged_into_id=merged_into,
        )
        self.session.add(item)
        self.session.flush()
        for decided_at, from_status, to_status, note in decisions:
            self.session.add(
                FeedbackDecision(
                    feedback_id=item.id,
                    from_status=from_status,
                    to_status=to_status,
                    note=note,
                    decided_at=decided_at,
                )
            )
        self.session.flush()
        return item.id  # type: ignore[return-value]

    def change(
        self, team: str, announced: datetime, effective_on: date, status: str = "announced"
    ) -> None:
        owner = self._team(team)
        self.session.add(
            UpcomingChange(
                team_id=owner.id,
                output_id=owner.outputs[0].id,
                title="A change",
                description="Why",
                effective_on=effective_on,
                status=status,
                created_at=announced,
            )
        )
        self.session.flush()

    def insight(self, team: str, created_at: datetime) -> None:
        self.session.add(Insight(team_id=self._team(team).id, text="Learnt", created_at=created_at))
        self.session.flush()

    def _team(self, name: str) -> ProducerTeam:
        team = team_named(session=self.session, name=name)
        assert team is not None
        self.session.refresh(team)
        return team


@pytest.fixture
def records(database: Database) -> Iterator[Records]:
    with database.transaction() as session:
        yield Records(session)


def review_of(records: Records, team: str, period: tuple[date, date]) -> Review:
    found = team_named(session=records.session, name=team)
    assert found is not None
    return review_team(
        session=records.session,
        team=found,
        period_from=period[0],
        period_to=period[1],
        default_zone=LONDON,
    )


def review(records: Records, team: str, period: tuple[date, date]) -> dict[str, Any]:
    return review_json(review_of(records, team, period))


def test_engagements_are_counted_by_method_against_the_days_just_before(
    records: Records,
) -> None:
    records.team("Prices")
    records.team("Health")
    for day, method in [
        (date(2027, 1, 1), "meeting"),
        (date(2027, 1, 15), "meeting"),
        (date(2027, 1, 20), None),
        (date(2027, 1, 31), "survey"),
        (date(2026, 12, 1), "webinar"),  # the 31 days before: December
        (date(2026, 12, 31), "meeting"),
        (date(2026, 11, 30), "meeting"),  # neither
        (date(2027, 2, 1), "meeting"),
    ]:
        records.engagement("Prices", day, method)
    records.engagement("Health", date(2027, 1, 10))
    engagements = review(records, "Prices", JANUARY)["engagements"]
    assert engagements == {
        "count": 4,
        "previous_count": 2,
        "by_method": {"meeting": 2, "survey": 1, "unspecified": 1},
    }
    assert list(engagements["by_method"]) == ["meeting", "survey", "unspecified"]


def test_reach_names_the_segments_heard_and_not_and_counts_organisations(
    records: Records,
) -> None:
    records.team("Prices")
    records.team("Health")
    march = (date(2027, 3, 1), date(2027, 3, 31))
    records.engagement("Prices", date(2027, 3, 2), segments=("media",), organisations=("ONS",))
    records.engagement(
        "Prices", date(2027, 3, 31), segments=("central government", "media"),
        organisations=("DWP", "Treasury"),
    )  # fmt: skip
    records.engagement("Prices", date(2027, 3, 20), organisations=("DWP",))
    # The 180 days to 31 March start on 3 October 2026.
    records.engagement("Prices", date(2026, 10, 3), segments=("academia and research",))
    records.engagement("Prices", date(2026, 10, 2), segments=("business and industry",))
    records.engagement("Prices", date(2027, 4, 1), segments=("internal users",))
    records.engagement("Prices", date(2025, 6, 1), organisations=("ONS",))  # so ONS is not new
    records.engagement("Prices", date(2027, 2, 1), organisations=("HMT",))  # not in the period
    records.engagement("Health", date(2026, 5, 1), organisations=("Treasury",))  # new to Prices
    records.engagement("Health", date(2027, 3, 5), segments=("media",), organisations=("BoE",))
    assert review(records, "Prices", march)["reach"] == {
        "segments_reached": ["central government", "media"],
        "segments_missing": [
            "devolved and local government",
            "business and industry",
            "charities and voluntary sector",
            "international bodies",
            "members of the public",
            "internal users",
        ],
        "organisations": 3,  # ONS, DWP, Treasury
        "new_organisations": 2,  # DWP, Treasury
    }


def test_the_three_largest_voices_ties_broken_by_name(records: Records) -> None:
    records.team("Prices")
    counts = {"ONS": 4, "DWP": 2, "HMT": 2, "Acme": 2, None: 2}
    for organisation, count in counts.items():
        for day in range(1, count + 1):
            kept = records.feedback("Prices", date(2027, 1, day), organisation)
    records.feedback("Prices", date(2027, 1, 9), "ONS", merged_into=kept)  # left out
    records.feedback("Prices", date(2027, 2, 1), "HMT")  # after the period
    found = review_of(records, "Prices", JANUARY)
    # ONS's 4 and two of the three with 2 (whichever): 8 of the 12 items, more than half.
    assert review_json(found)["voices"] == {"top3_share": 0.67, "dominated": True}
    assert found.feedback.received == 12
    # The organisations named (in the text, not the JSON): the tie goes by name.
    assert found.voices.top_organisations == (("ONS", 4), ("Acme", 2), ("DWP", 2))


@pytest.mark.parametrize(
    ("counts", "voices"),
    [
        # Exactly half is not more than half.
        (
            {"ONS": 3, "DWP": 1, "HMT": 1, "Acme": 1, None: 4},
            {"top3_share": 0.5, "dominated": False},
        ),
        # Nine items are too few, however concentrated.
        ({"ONS": 9}, {"top3_share": 1.0, "dominated": False}),
        ({"ONS": 10}, {"top3_share": 1.0, "dominated": True}),
        # 1 of 8 is 0.125, rounded half up.
        ({"ONS": 1, None: 7}, {"top3_share": 0.13, "dominated": False}),
        # Items with no organisation are nobody's voice.
        ({None: 12}, {"top3_share": 0.0, "dominated": False}),
    ],
)
def test_when_voices_dominate(
    records: Records, counts: dict[str | None, int], voices: dict[str, Any]
) -> None:
    records.team("Prices")
    for organisation, count in counts.items():
        for day in range(1, count + 1):
            records.feedback("Prices", date(2027, 1, day), organisation)
    assert review(records, "Prices", JANUARY)["voices"] == voices


def test_responses_to_feedback(records: Records) -> None:
    records.team("Prices")
    records.team("Health")
    fb = records.feedback
    # Responded by the period's end, days from receipt to the first status change:
    fb("Prices", date(2027, 1, 2), status="planned", decisions=(
        (utc(2027, 1, 5, 10), "new", "under_consideration", None),
        (utc(2027, 1, 20, 10), "under_consideration", "planned", None),
    ))  # 3 days  # fmt: skip
    fb("Prices", date(2027, 1, 10), status="not_planned", decisions=(
        (utc(2027, 1, 14, 9), "new", "not_planned", "Out of scope"),
    ))  # 4 days  # fmt: skip
    fb("Prices", date(2027, 1, 3), status="under_consideration", decisions=(
        (utc(2027, 1, 9, 9), "new", "under_consideration", None),
    ))  # 6 days  # fmt: skip
    fb("Prices", date(2027, 1, 31), status="planned", decisions=(
        (utc(2027, 1, 31, 23, 30), "new", "planned", None),
    ))  # 0 days: 23:30 on the last day, London time  # fmt: skip
    # Its status set with no history (as imported): responded, but no one knows when.
    fb("Prices", date(2027, 1, 25), status="not_planned")
    # Not responded by the period's end:
    fb("Prices", date(2027, 1, 12))
    fb("Prices", date(2027, 1, 20), status="done", decisions=(
        (utc(2027, 2, 3, 9), "new", "done", "Published"),
    ))  # fmt: skip
    kept = fb("Prices", date(2027, 1, 28), decisions=(
        (utc(2027, 1, 29, 9), "new", "new", "#99 merged into this item."),
    ))  # a merge is no response  # fmt: skip
    # Not the period's:
    fb("Prices", date(2027, 1, 15), status="planned", merged_into=kept, decisions=(
        (utc(2027, 1, 16, 9), "new", "planned", None),
        (utc(2027, 1, 17, 9), "planned", "merged", "Merged into #8."),
    ))  # fmt: skip
    fb("Prices", date(2026, 12, 31), status="done", decisions=(
        (utc(2027, 1, 2, 9), "new", "done", "Done"),
    ))  # fmt: skip
    fb("Health", date(2027, 1, 5), status="planned", decisions=(
        (utc(2027, 1, 6, 9), "new", "planned", None),
    ))  # fmt: skip
    assert review(records, "Prices", JANUARY)["feedback"] == {
        "received": 8,
        "responded_pct": 62.5,  # 5 of 8
        "median_days_to_response": 3.5,  # of 0, 3, 4, 6
        "acted_on_pct": 37.5,  # 3 of 8 now planned or done
        "declined_with_reason_pct": 50.0,  # of the 2 not planned, 1 has a note
    }


def test_days_are_the_teams_days(records: Records) -> None:
    records.team("Desk", {"Trade": "high"}, timezone="America/New_York")
    # 03:00 UTC on 10 January is still the 9th in New York: 4 days, not 5.
    records.feedback("Desk", date(2027, 1, 5), status="planned", decisions=(
        (utc(2027, 1, 10, 3), "new", "planned", None),
    ))  # fmt: skip
    # 03:00 UTC on 1 February is still 31 January there: responded within January.
    records.feedback("Desk", date(2027, 1, 30), status="planned", decisions=(
        (utc(2027, 2, 1, 3), "new", "planned", None),
    ))  # fmt: skip
    records.insight("Desk", utc(2027, 2, 1, 4))  # 23:00 on 31 January there
    records.insight("Desk", utc(2027, 1, 1, 4))  # 23:00 on 31 December there
    result = review(records, "Desk", JANUARY)
    assert result["feedback"]["responded_pct"] == 100.0
    assert result["feedback"]["median_days_to_response"] == 2.5  # of 4 and 1
    assert result["collaboration"]["insights_shared"] == 1


def test_no_feedback(records: Records) -> None:
    records.team("Prices")
    result = review(records, "Prices", JANUARY)
    assert result["voices"] == {"top3_share": 0.0, "dominated": False}
    assert result["feedback"] == {
        "received": 0,
        "responded_pct": None,
        "median_days_to_response": None,
        "acted_on_pct": None,
        "declined_with_reason_pct": 100.0,
    }


def test_outputs_overdue_for_their_profile_with_the_teams_own_targets(
    records: Records,
) -> None:
    outputs = {"CPI": "high", "HPI": "medium", "Rents": "low", "Wages": "high"}
    records.team("Prices", outputs, target_days_high=20)
    records.team("Health", {"Deaths": "high"})
    june = (date(2027, 6, 1), date(2027, 6, 30))
    records.engagement("Prices", date(2027, 6, 10), outputs=("CPI",))  # 20 days: on target
    records.engagement("Prices", date(2027, 7, 5), outputs=("HPI", "Rents"))  # after the period
    records.engagement("Prices", date(2027, 3, 31), outputs=("HPI",))  # 91 days, target 90
    records.engagement("Prices", date(2027, 1, 1), outputs=("Rents",))  # 180 days, target 180
    assert review(records, "Prices", june)["proportionality"] == {
        "overdue_outputs": [
            {"output": "Wages", "profile": "high", "days_since": None, "target_days": 20},
            {"output": "HPI", "profile": "medium", "days_since": 91, "target_days": 90},
        ]
    }
    records.engagement("Prices", date(2027, 5, 30), outputs=("Wages",))  # 31 days
    overdue = review(records, "Prices", june)["proportionality"]["overdue_outputs"]
    assert [(o["output"], o["days_since"]) for o in overdue] == [("HPI", 91), ("Wages", 31)]


def test_an_output_is_overdue_counting_from_when_it_was_added(records: Records) -> None:
    records.team("Prices", {"CPI": "high"}, added=utc(2027, 5, 20, 23, 30))  # 21 May in London
    overdue = {"output": "CPI", "profile": "high", "days_since": None, "target_days": 30}
    for period, expected in [
        ((date(2027, 4, 1), date(2027, 4, 30)), []),  # before it was added
        ((date(2027, 6, 1), date(2027, 6, 20)), []),  # 30 days: on target
        ((date(2027, 6, 1), date(2027, 6, 21)), [overdue]),
    ]:
        assert review(records, "Prices", period)["proportionality"]["overdue_outputs"] == expected
    # An engagement dated before it was added (imported) does not move the count back.
    records.engagement("Prices", date(2027, 5, 10), outputs=("CPI",))
    assert review(records, "Prices", (date(2027, 6, 1), date(2027, 6, 20)))["proportionality"] == {
        "overdue_outputs": []
    }


def test_an_output_retired_by_the_periods_end_is_not_overdue(records: Records) -> None:
    records.team("Prices", {"CPI": "high", "HPI": "high"})
    hpi = records.session.exec(select(StatisticalOutput).where(StatisticalOutput.name == "HPI"))
    hpi.one().retired_at = utc(2027, 6, 20, 23, 30)  # 21 June, 00:30 in London
    records.session.flush()
    overdue = review(records, "Prices", (date(2027, 6, 1), date(2027, 6, 20)))
    assert [o["output"] for o in overdue["proportionality"]["overdue_outputs"]] == ["CPI", "HPI"]
    overdue = review(records, "Prices", (date(2027, 6, 1), date(2027, 6, 21)))
    assert [o["output"] for o in overdue["proportionality"]["overdue_outputs"]] == ["CPI"]


def test_a_team_with_one_output(records: Records) -> None:
    records.team("Solo", {"Census": "low"})
    assert review(records, "Solo", JANUARY)["proportionality"]["overdue_outputs"] == [
        {"output": "Census", "profile": "low", "days_since": None, "target_days": 180}
    ]
    records.engagement("Solo", date(2026, 8, 3), outputs=("Census",))  # 181 days before 31 Jan
    assert review(records, "Solo", JANUARY)["proportionality"]["overdue_outputs"] == [
        {"output": "Census", "profile": "low", "days_since": 181, "target_days": 180}
    ]
    records.engagement("Solo", date(2027, 1, 31), outputs=("Census",))
    result = review(records, "Solo", JANUARY)
    assert result["proportionality"]["overdue_outputs"] == []
    assert result["engagements"]["count"] == 1


def test_changes_announced_and_their_notice(records: Records) -> None:
    records.team("Prices", {"CPI": "high"})
    march = (date(2027, 3, 1), date(2027, 3, 31))  # clocks go forward on 28 March
    records.change("Prices", utc(2027, 3, 1, 0, 30), date(2027, 4, 5))  # 35 days
    records.change("Prices", utc(2027, 3, 28, 23, 30), date(2027, 4, 20))  # 29th BST: 22 days
    records.change("Prices", utc(2027, 3, 10, 9), date(2027, 3, 5))  # after taking effect: -5
    records.change("Prices", utc(2027, 3, 12, 9), date(2027, 4, 1), status="cancelled")
    records.change("Prices", utc(2027, 3, 31, 23, 30), date(2027, 4, 2))  # 1 April BST
    records.change("Prices", utc(2027, 2, 28, 23, 30), date(2027, 3, 2))  # 28 February GMT
    assert review(records, "Prices", march)["openness"] == {
        "changes_announced": 3,
        "median_notice_days": 22.0,
        "short_notice_changes": 2,
    }
    assert review(records, "Prices", JANUARY)["openness"] == {
        "changes_announced": 0,
        "median_notice_days": None,
        "short_notice_changes": 0,
    }


def test_insights_shared_and_joint_engagements(records: Records) -> None:
    for team in ("Prices", "Health", "Trade"):
        records.team(team)
    records.insight("Prices", utc(2027, 1, 1, 0, 0))
    records.insight("Prices", utc(2027, 1, 31, 23, 59))
    records.insight("Prices", utc(2027, 2, 1, 0, 0))  # the next day
    records.insight("Health", utc(2027, 1, 15))
    records.engagement("Prices", date(2027, 1, 5), partners=("Health",))
    records.engagement("Prices", date(2027, 1, 6), partners=("Health", "Trade"))
    records.engagement("Prices", date(2027, 1, 6))
    records.engagement("Health", date(2027, 1, 7), partners=("Prices",))
    records.engagement("Health", date(2027, 1, 8), partners=("Trade",))
    records.engagement("Prices", date(2026, 12, 31), partners=("Health",))
    assert review(records, "Prices", JANUARY)["collaboration"] == {
        "insights_shared": 2,
        "joint_engagements": 3,
    }


def test_an_empty_period(records: Records) -> None:
    records.team("Prices", {"CPI": "high"})
    assert review(records, "Prices", JANUARY) == {
        "team": "Prices",
        "period": {"from": "2027-01-01", "to": "2027-01-31"},
        "engagements": {"count": 0, "previous_count": 0, "by_method": {}},
        "reach": {
            "segments_reached": [],
            "segments_missing": EVERY_SEGMENT,
            "organisations": 0,
            "new_organisations": 0,
        },
        "voices": {"top3_share": 0.0, "dominated": False},
        "feedback": {
            "received": 0,
            "responded_pct": None,
            "median_days_to_response": None,
            "acted_on_pct": None,
            "declined_with_reason_pct": 100.0,
        },
        "proportionality": {
            "overdue_outputs": [
                {"output": "CPI", "profile": "high", "days_since": None, "target_days": 30}
            ]
        },
        "openness": {"changes_announced": 0, "median_notice_days": None, "short_notice_changes": 0},
        "collaboration": {"insights_shared": 0, "joint_engagements": 0},
    }


def test_a_leap_day(records: Records) -> None:
    records.team("Prices", {"CPI": "high", "HPI": "high", "Rents": "high"})
    february = (date(2028, 2, 1), date(2028, 2, 29))  # 29 days; before it, 3 to 31 January
    records.engagement("Prices", date(2028, 2, 29), segments=("media",), outputs=("CPI",))
    records.engagement("Prices", date(2028, 1, 3), outputs=("HPI",))
    records.engagement("Prices", date(2028, 1, 30), outputs=("HPI",))  # 30 days: on target
    records.engagement("Prices", date(2028, 1, 29), outputs=("Rents",))  # 31 days
    records.engagement("Prices", date(2028, 1, 2))
    # The 180 days to 29 February start on 3 September 2027.
    records.engagement("Prices", date(2027, 9, 3), segments=("academia and research",))
    records.engagement("Prices", date(2027, 9, 2), segments=("internal users",))
    records.feedback("Prices", date(2028, 2, 27), status="planned", decisions=(
        (utc(2028, 3, 1, 9), "new", "planned", None),
    ))  # fmt: skip
    records.feedback("Prices", date(2028, 2, 28), status="planned", decisions=(
        (utc(2028, 2, 29, 9), "new", "planned", None),
    ))  # fmt: skip
    result = review(records, "Prices", february)
    assert result["engagements"] == {"count": 1, "previous_count": 3, "by_method": {"meeting": 1}}
    assert result["reach"]["segments_reached"] == ["media"]
    assert "academia and research" not in result["reach"]["segments_missing"]
    assert "internal users" in result["reach"]["segments_missing"]
    assert result["proportionality"]["overdue_outputs"] == [
        {"output": "Rents", "profile": "high", "days_since": 31, "target_days": 30}
    ]
    assert result["feedback"]["responded_pct"] == 50.0
    assert result["feedback"]["median_days_to_response"] == 1.0


def test_a_period_crossing_a_year(records: Records) -> None:
    records.team("Prices")
    period = (date(2026, 12, 15), date(2027, 1, 14))  # 31 days; before it, 14 Nov to 14 Dec
    for day in (date(2026, 12, 15), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 14)):
        records.engagement("Prices", day, organisations=("ONS",))
    for day in (date(2026, 11, 14), date(2026, 12, 14)):
        records.engagement("Prices", day, method="survey")
    records.engagement("Prices", date(2026, 11, 13))
    records.engagement("Prices", date(2027, 1, 15))
    records.feedback("Prices", date(2026, 12, 20), "ONS", status="done", decisions=(
        (utc(2027, 1, 3, 12), "new", "done", "Done"),
    ))  # fmt: skip
    result = review(records, "Prices", period)
    assert result["engagements"] == {"count": 4, "previous_count": 2, "by_method": {"meeting": 4}}
    assert result["reach"]["organisations"] == result["reach"]["new_organisations"] == 1
    assert result["feedback"]["median_days_to_response"] == 14.0
    assert result["voices"] == {"top3_share": 1.0, "dominated": False}


def test_a_period_ending_before_it_starts_is_refused(records: Records) -> None:
    records.team("Prices")
    with pytest.raises(ReviewRefused, match=r"ends \(2027-01-01\) before it starts"):
        review(records, "Prices", (date(2027, 1, 31), date(2027, 1, 1)))


def test_a_review_is_nine_queries_however_many_records(
    database: Database, records: Records
) -> None:
    records.team("Prices", {"CPI": "high"})
    team = team_named(session=records.session, name="Prices")
    assert team is not None
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    def queries() -> int:
        records.session.flush()
        statements.clear()
        event.listen(database.engine, "before_cursor_execute", count)
        try:
            review_team(
                session=records.session,
                team=team,
                period_from=JANUARY[0],
                period_to=JANUARY[1],
                default_zone=LONDON,
            )
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
        return len(statements)

    before = queries()
    for day in range(1, 20):
        records.engagement("Prices", date(2027, 1, day), organisations=("ONS",), outputs=("CPI",))
        records.feedback("Prices", date(2027, 1, day), "ONS", status="planned", decisions=(
            (utc(2027, 1, day, 12), "new", "planned", None),
        ))  # fmt: skip
    assert before == queries() == 9


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (date(2027, 1, 15), (date(2026, 12, 1), date(2026, 12, 31))),
        (date(2028, 3, 1), (date(2028, 2, 1), date(2028, 2, 29))),
        (date(2027, 3, 31), (date(2027, 2, 1), date(2027, 2, 28))),
    ],
)
def test_the_default_period_is_the_last_full_month(today: date, month: tuple[date, date]) -> None:
    assert last_full_month(today) == month


def test_the_previous_period_is_as_long_and_ends_the_day_before() -> None:
    assert previous_period(date(2028, 2, 1), date(2028, 2, 29)) == (
        date(2028, 1, 3),
        date(2028, 1, 31),
    )
    assert previous_period(date(2027, 1, 1), date(2027, 1, 1)) == (
        date(2026, 12, 31),
        date(2026, 12, 31),
    )
