"""Every scheduled message, on whatever date the clock starts (`any_date`: .ci/run runs it
again starting at a random moment of the next three years).

A team is set up where the clock starts, with everything that makes the bot post on its
own: a change with a feedback deadline, a subscribed channel, an opportunity with a place
taken, an insight shared, a review and a digest each in a channel, outputs that fall
overdue, and a contact past the (one-month) retention. Then the scheduler ticks at 09:00
in the team's time zone (and in the default zone, for the cross-team posts) every day
for a hundred days. Each message must arrive once, on its day, at nine, and every
delivery end sent. The expected days are worked out here from the start, by hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.changes.announcing import ChangeDraft, save_change
from bot.changes.subscriptions import find_target, subscribe
from bot.engagements.insights import InsightDraft, save_insight
from bot.engagements.opportunities import OpportunityDraft, save_opportunity, sign_up
from bot.feedback.decisions import decide
from bot.feedback.recording import FeedbackDraft, save_feedback
from bot.runtime.app import build_scheduler
from bot.teams.editing import TeamDraft, save_team
from storage.clock import Clock
from storage.database import Database
from storage.models import Delivery, Feedback, StatisticalOutput
from tests.conftest import test_settings
from tests.e2e.helpers import reply_text
from tests.fake_slack import FakeSlack

pytestmark = pytest.mark.any_date

TEAM_ZONE = ZoneInfo("Pacific/Auckland")  # not the default: the team's own zone is used
DEFAULT_ZONE = ZoneInfo("Europe/London")
DAYS = 100
LEAD, ORGANISER, PARTICIPANT = "ULEAD", "UORG", "UPART"
CROSS_TEAM = "CINSIGHT"


Posts = dict[str, list[tuple[datetime, str]]]


@pytest.mark.slow
def test_every_scheduled_message_arrives_once_on_its_day(
    database: Database, database_url: str, fake_slack: FakeSlack, clock: Clock
) -> None:
    settings = test_settings(
        fake_slack,
        database_url,
        ENGAGEBOT_CROSS_TEAM_CHANNELS=CROSS_TEAM,
        ENGAGEBOT_PERSONAL_DATA_MONTHS="1",
    )
    start = clock.now()
    set_up(database, start, settings.timezone)
    scheduler = build_scheduler(settings, database)
    for moment in tick_moments(start):
        clock.move_to(moment)
        scheduler.tick(moment)
    posts = received(fake_slack)
    alerts_ahead_of_the_change(posts, start)
    the_teams_own_messages(posts, start, clock.now())
    the_cross_team_posts(posts, start, clock.now())
    with database.transaction() as session:
        deliveries = session.exec(select(Delivery)).all()
        item = session.exec(select(Feedback)).one()
    # Every delivery ended: sent, or (a week with nothing to tell) skipped; none too late,
    # as the bot never stopped, and none before the team was set up.
    assert {(d.status, d.last_error) for d in deliveries if d.status != "sent"} <= {
        ("skipped", "nothing to tell: no insight shared that week, no opportunity ahead")
    }
    # Retention (a month here): the contact the decision was sent to is gone.
    assert (item.contact_name, item.contact_email) == (None, None)


def received(fake_slack: FakeSlack) -> Posts:
    """What each channel (or person) was sent, with when: in the team's zone, or the
    default zone's for the cross-team channel."""
    posts: Posts = {}
    for call in fake_slack.calls("chat.postMessage"):
        if call.response.get("ok"):
            channel = call.args["channel"]
            zone = DEFAULT_ZONE if channel == CROSS_TEAM else TEAM_ZONE
            posted = datetime.fromtimestamp(float(call.response["ts"]), zone)
            posts.setdefault(channel, []).append((posted, reply_text(call.args)))
    return posts


def set_up(database: Database, start: datetime, default_zone: ZoneInfo) -> None:
    day = start.astimezone(TEAM_ZONE).date()
    with database.transaction() as session:
        team = save_team(
            session=session,
            draft=TeamDraft(
                "Prices",
                "CPRICES",
                "Consumer price inflation | high\nHouse price index | medium",
                timezone=TEAM_ZONE.key,
                digest_channel_id="CDIGEST",
                digest_cadence="monthly",
                review_channel_id="CREVIEW",
                review_cadence="monthly",
                target_days_high="20",
                target_days_medium="60",
                member_ids=(LEAD, ORGANISER),
            ),
            user_id=LEAD,
        )
        assert team.id is not None
        outputs = {output.name: output for output in session.exec(select(StatisticalOutput))}
        subscribe(
            session=session,
            channel_id="CSUBS",
            target=find_target(session=session, text="Prices"),
            user_id=LEAD,
        )
        save_change(
            session=session,
            draft=ChangeDraft(
                "Weights rebased",
                "The basket's weights move to last year's spending.",
                team_id=team.id,
                output_id=outputs["Consumer price inflation"].id,
                effective_on=day + timedelta(days=45),
                feedback_by=day + timedelta(days=30),
            ),
            now=start,
            default_zone=default_zone,
            user_id=LEAD,
        )
        posting = save_opportunity(
            session=session,
            draft=OpportunityDraft(
                "User group on CPI",
                day + timedelta(days=20),
                "Online",
                places=5,
                channels=["CPRICES"],
            ),
            team_id=team.id,
            user_id=ORGANISER,
            now=start,
            default_zone=default_zone,
        )
        sign_up(
            session=session,
            opportunity_id=posting.opportunity.id,  # type: ignore[arg-type]
            user_id=PARTICIPANT,
            now=start,
            default_zone=default_zone,
        )
        save_insight(
            session=session,
            draft=InsightDraft("Councils want CPI by region"),
            team_id=team.id,
            user_id=LEAD,
            channels=[CROSS_TEAM],
            now=start,
        )
        item = save_feedback(
            session=session,
            draft=FeedbackDraft(
                "Please publish regional CPI",
                team_id=team.id,
                received_on=day,
                contact_agreed=True,
                contact_name="Ann Lee",
                contact_email="ann@example.org",
            ),
            today=day,
            user_id=LEAD,
        )
        decide(
            session=session,
            feedback_id=item.id,  # type: ignore[arg-type]
            to_status="done",
            note="Regional CPI is published from next month.",
            user_id=LEAD,
        )


def tick_moments(start: datetime) -> Iterator[datetime]:
    """Where the clock starts (what is sent at once), then nine o'clock each day in the
    team's zone and in the default zone, in order."""
    first = start.astimezone(TEAM_ZONE).date() - timedelta(days=1)
    nines = {
        datetime.combine(first + timedelta(days=n), time(9), tzinfo=zone)
        for n in range(DAYS + 2)
        for zone in (TEAM_ZONE, DEFAULT_ZONE)
    }
    yield start
    yield from sorted(moment for moment in nines if moment > start)


def on(day: date) -> tuple[date, time]:
    return day, time(9)


def when(posted: list[tuple[datetime, str]], *words: str) -> list[tuple[date, time]]:
    """The (day, time) of each post containing every one of `words`."""
    return [
        (moment.date(), moment.time().replace(second=0, microsecond=0))
        for moment, text in posted
        if all(word in text for word in words)
    ]


def first_days(after: date, last: date, working: bool) -> list[date]:
    """The first day (or first Monday-to-Friday) of each month after `after`'s, to `last`."""
    days = []
    month = after.replace(day=1)
    while True:
        month = (month + timedelta(days=32)).replace(day=1)
        day = first_working_day(month) if working else month
        if day > last:
            return days
        days.append(day)


def alerts_ahead_of_the_change(posts: Posts, start: datetime) -> None:
    day = start.astimezone(TEAM_ZONE).date()
    effective = day + timedelta(days=45)
    for channel in ("CPRICES", "CSUBS"):
        posted = posts[channel]
        assert len(when(posted, "Upcoming change", "Weights rebased")) == 1  # at once
        assert when(posted, "takes effect in 28 days") == [on(effective - timedelta(days=28))]
        assert when(posted, "closes tomorrow") == [on(day + timedelta(days=29))]
        assert when(posted, "takes effect in 7 days") == [on(effective - timedelta(days=7))]
        assert when(posted, "takes effect tomorrow") == [on(effective - timedelta(days=1))]
        assert when(posted, "in effect from today") == [on(effective)]


def the_teams_own_messages(posts: Posts, start: datetime, end: datetime) -> None:
    day, last = start.astimezone(TEAM_ZONE).date(), end.astimezone(TEAM_ZONE).date()
    # Overdue from the day after the target's last day, counted from the day it was added.
    assert when(posts["CPRICES"], "Consumer price inflation", "overdue") == [
        on(day + timedelta(days=21))
    ]
    assert when(posts["CPRICES"], "House price index", "overdue") == [on(day + timedelta(days=61))]
    assert len(when(posts["CPRICES"], "User group on CPI")) == 1  # posted at once
    # The organiser hears the day before (who is coming) and the day after (to log it).
    happens = day + timedelta(days=20)
    assert when(posts[ORGANISER], "User group on CPI", "is tomorrow") == [
        on(happens - timedelta(days=1))
    ]
    assert when(posts[ORGANISER], "User group on CPI", "Log it") == [
        on(happens + timedelta(days=1))
    ]
    reviews = when(posts["CREVIEW"], "Prices")
    assert reviews == [on(first) for first in first_days(day, last, working=True)]
    assert "was set up on" in posts["CREVIEW"][0][1]  # the first covers the days since
    digests = when(posts["CDIGEST"], "Prices")
    assert digests == [on(first) for first in first_days(day, last, working=False)]
    assert "Regional CPI is published from next month." in posts["CDIGEST"][0][1]


def the_cross_team_posts(posts: Posts, start: datetime, end: datetime) -> None:
    posted = posts[CROSS_TEAM]
    assert len(when(posted, "Insight from Prices", "Councils want CPI by region")) == 1
    # The weekly digest, on Mondays at nine, names the insight the week after it was shared.
    weekly = when(posted, "This week across the teams")
    assert weekly and {(moment.weekday(), at) for moment, at in weekly} == {(0, time(9))}
    assert "Councils want CPI by region" in next(
        text for _, text in posted if "This week across the teams" in text
    )
    texts = Counter(text for _, text in posted)
    assert [text for text, count in texts.items() if count > 1] == []
    # The summary of the reviews: in each month the team's review is posted, on the first
    # working day in the default zone (which may be another day than the team's).
    reviewed = first_days(
        start.astimezone(TEAM_ZONE).date(), end.astimezone(TEAM_ZONE).date(), working=True
    )
    last = end.astimezone(DEFAULT_ZONE).date()
    expected = [first_working_day(day) for day in reviewed if first_working_day(day) <= last]
    assert when(posted, "Engagement reviews") == [on(day) for day in expected]


def first_working_day(in_month: date) -> date:
    day = in_month.replace(day=1)
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day
