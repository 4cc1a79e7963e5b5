"""The scheduled review post (with its chart) in a team's review channel, and the summary of
every team's review in the cross-team channels."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import select

from bot.deliveries.scheduler import Scheduler
from bot.runtime.app import build_scheduler, slack_client
from handlers.listeners import DELIVERY_KINDS
from storage.database import Database
from storage.models import Delivery, Engagement, Organisation, ProducerTeam
from storage.reference import list_segments
from tests.conftest import test_settings
from tests.domain.test_review_chart import png_size
from tests.e2e.helpers import make_team, reply_text, set_up_at
from tests.fake_slack import FakeSlack

# Saturday 1 May 2027: the review of April waits for Monday the 3rd, 09:00 in London (BST).
MONDAY_NINE = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)
APRIL = "2027-04-01:2027-04-30"


SET_UP = datetime(2026, 1, 5, 9, tzinfo=UTC)


def reviewed_teams(database: Database, cadence: str = "monthly") -> tuple[int, int]:
    """Prices (reviewed in CREVIEW) met central government in April and earlier; Health
    met a council and the BBC, in segments Prices did not hear from (the BBC once with the
    council, on an engagement of the council's segment only). Both were set up on
    5 January 2026."""
    prices = make_team(database, "Prices & costs")
    health = make_team(database, "Health", "CHEALTH", "Deaths | high")
    with database.transaction() as session:
        for team_id in (prices, health):
            set_up_at(session, team_id, SET_UP)
        team = session.get(ProducerTeam, prices)
        assert team is not None
        team.review_channel_id, team.review_cadence = "CREVIEW", cadence
        team.review_channel_set_at = SET_UP
        segments = {segment.name: segment for segment in list_segments(session=session)}
        bbc = Organisation(name="BBC <News>", segment=segments["media"])
        council = Organisation(
            name="Leeds Council", segment=segments["devolved and local government"]
        )
        hmt = Organisation(name="HM Treasury", segment=segments["central government"])
        cpi = team.outputs[0]
        for day, team_id, segment, organisations in [
            (date(2027, 4, 12), prices, "central government", [hmt]),
            (date(2027, 4, 20), prices, "central government", []),
            (date(2026, 11, 3), prices, "central government", [hmt]),
            (date(2027, 3, 1), health, "media", [bbc]),
            (date(2026, 6, 1), health, "media", [bbc]),
            (date(2027, 2, 1), health, "devolved and local government", [council, bbc]),
            (date(2025, 6, 1), health, "academia and research", [council]),  # over a year ago
        ]:
            session.add(
                Engagement(
                    team_id=team_id,
                    occurred_on=day,
                    summary="Met users",
                    method="meeting",
                    segments=[segments[segment]],
                    organisations=organisations,
                    outputs=[cpi] if team_id == prices else [],
                )
            )
    return prices, health


def posts(fake_slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [
        call.args
        for call in fake_slack.calls("chat.postMessage")
        if call.args["channel"] == channel
    ]


def keys(database: Database) -> list[str]:
    with database.transaction() as session:
        return sorted(session.exec(select(Delivery.key)).all())


def statuses(database: Database) -> dict[str, tuple[str, str | None]]:
    """Each delivery's key: its status and why it was skipped (or last failed)."""
    with database.transaction() as session:
        return {row.key: (row.status, row.last_error) for row in session.exec(select(Delivery))}


A_WEEK_LATE = "more than a week late when the bot came to send it"


def test_the_monthly_review_is_posted_on_the_first_working_day_with_its_chart_once(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    prices, _ = reviewed_teams(database)
    scheduler = build_scheduler(test_settings(fake_slack, database_url), database)
    assert scheduler.tick(datetime(2027, 5, 1, 8, 0, tzinfo=UTC)).sent == 0  # a Saturday
    assert scheduler.tick(datetime(2027, 5, 3, 7, 59, tzinfo=UTC)).sent == 0
    assert scheduler.tick(MONDAY_NINE).sent == 1
    assert scheduler.tick(datetime(2027, 5, 3, 12, 0, tzinfo=UTC)).sent == 0
    assert statuses(database) == {
        # Due on 1 April, 30 days before the first tick.
        f"review:{prices}:2027-03-01:2027-03-31:CREVIEW": ("skipped", A_WEEK_LATE),
        f"review:{prices}:{APRIL}:CREVIEW": ("sent", None),
    }

    (post,) = posts(fake_slack, "CREVIEW")
    shown = reply_text(post)
    assert "Engagement review: Prices & costs" in shown  # a header is plain text
    assert "In April 2027, Prices &amp; costs logged 2 engagements (0 in the 30 days before)" in (
        shown
    )
    assert "most often by meeting (2)" in shown
    assert "1 audience segment (central government) and 1 organisation, 0 of them" in shown
    assert "*Needs attention*" in shown and "No engagement in the 180 days" in shown
    # Whom to ask in a segment: organisations of that segment (the register's), whatever
    # the segments of the engagements naming them.
    assert (
        "Hear from media: in the last 12 months other teams engaged "
        "BBC &lt;News&gt; (3 engagements) there." in shown
    )
    assert (
        "Hear from devolved and local government: in the last 12 months other teams engaged "
        "Leeds Council (1 engagement) there." in shown
    )
    assert "Hear from academia and research, business and industry, " in shown
    assert "no other team engaged an organisation there in the last 12 months either." in shown
    assert "<News>" not in str(post["blocks"])
    assert "`engagebot review --team 'Prices &amp; costs' --from 2027-04-01 --to 2027-04-30`" in (
        shown
    )

    (image,) = [block for block in post["blocks"] if block["type"] == "image"]
    (chart,) = fake_slack.uploaded_files()
    assert image["slack_file"] == {"id": chart.file_id}
    assert image["alt_text"].startswith(
        "Bar chart of Prices & costs's engagements by audience segment, May 2026 to April 2027: "
        "central government 3; devolved and local government none;"
    )
    assert chart.channel is None  # shared by the message, not posted on its own
    assert chart.filename == "review.png"
    assert png_size(chart.content)[0] == 800


def test_a_quarterly_review_in_january_april_july_and_october_only(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    prices, _ = reviewed_teams(database, cadence="quarterly")
    scheduler = build_scheduler(test_settings(fake_slack, database_url), database)
    assert scheduler.tick(MONDAY_NINE).sent == 0  # April's was more than a week ago
    assert scheduler.tick(datetime(2027, 4, 1, 8, 0, tzinfo=UTC)).sent == 1  # a Thursday
    assert scheduler.tick(datetime(2027, 7, 1, 8, 0, tzinfo=UTC)).sent == 1
    assert keys(database) == [
        f"review:{prices}:2027-01-01:2027-03-31:CREVIEW",
        f"review:{prices}:2027-04-01:2027-06-30:CREVIEW",
    ]
    first = reply_text(posts(fake_slack, "CREVIEW")[0])
    assert "From January to March 2027, Prices &amp; costs logged no engagements" in first


def test_a_missed_review_is_posted_up_to_a_week_late_and_skipped_after(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    prices, _ = reviewed_teams(database)
    scheduler = build_scheduler(test_settings(fake_slack, database_url), database)
    assert scheduler.tick(datetime(2027, 5, 10, 8, 0, tzinfo=UTC)).sent == 1  # a week
    assert len(posts(fake_slack, "CREVIEW")) == 1
    # May's, due on Tuesday 1 June, a week and a minute late.
    scheduler.tick(datetime(2027, 6, 8, 8, 1, tzinfo=UTC))
    assert len(posts(fake_slack, "CREVIEW")) == 1
    may = f"review:{prices}:2027-05-01:2027-05-31:CREVIEW"
    assert statuses(database)[may] == ("skipped", A_WEEK_LATE)


def test_a_review_whose_channel_changed_before_it_went_is_skipped(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    prices, _ = reviewed_teams(database)
    fake_slack.fail_next("chat.postMessage", "internal_error", status=500, times=3)
    scheduler = build_scheduler(test_settings(fake_slack, database_url), database)
    assert scheduler.tick(MONDAY_NINE).retrying == 1
    with database.transaction() as session:
        team = session.get(ProducerTeam, prices)
        assert team is not None
        team.review_channel_id = "CELSEWHERE"
    outcome = scheduler.tick(datetime(2027, 5, 3, 9, 0, tzinfo=UTC))
    assert (outcome.skipped, outcome.sent) == (1, 1)  # the old channel's; the new one's
    assert len(posts(fake_slack, "CELSEWHERE")) == 1
    posted = [call for call in fake_slack.calls("chat.postMessage") if call.response["ok"]]
    assert [call.args["channel"] for call in posted] == ["CELSEWHERE"]


def test_slack_still_processing_the_chart_gets_one_more_try(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    reviewed_teams(database)
    settings = test_settings(fake_slack, database_url)
    waits: list[float] = []
    scheduler = Scheduler(
        database=database,
        client=slack_client(settings, settings.bot_token),
        kinds=DELIVERY_KINDS,
        timezone=settings.timezone,
        pace_seconds=0,
        sleep=waits.append,
    )
    fake_slack.fail_next("chat.postMessage", "invalid_blocks")
    assert scheduler.tick(MONDAY_NINE).sent == 1
    assert waits == [2.0]
    assert len(posts(fake_slack, "CREVIEW")) == 2  # refused, then posted
    assert len(fake_slack.uploaded_files()) == 1


def test_every_teams_review_in_one_line_each_in_the_cross_team_channels(
    database: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    _, health = reviewed_teams(database)
    with database.transaction() as session:
        team = session.get(ProducerTeam, health)
        assert team is not None
        team.review_channel_id, team.review_cadence = "CHEALTHREVIEW", "quarterly"
    settings = test_settings(fake_slack, database_url, ENGAGEBOT_CROSS_TEAM_CHANNELS="CCROSS")
    scheduler = build_scheduler(settings, database)

    assert scheduler.tick(MONDAY_NINE).sent == 2  # Prices' review and the summary
    (summary,) = posts(fake_slack, "CCROSS")
    shown = reply_text(summary)
    assert shown.count("• ") == 1  # Health is quarterly: not in May
    assert (
        "• Prices &amp; costs (April 2027): 2 engagements (0 before), 1 organisation, "
        "0 feedback items; flags: 8 segments not heard from, 1 output overdue." in shown
    )
    assert "review-summary:2027-05-03:CCROSS" in keys(database)

    assert scheduler.tick(datetime(2027, 7, 1, 8, 0, tzinfo=UTC)).sent == 3
    july = reply_text(posts(fake_slack, "CCROSS")[1])
    assert "• Prices &amp; costs (June 2027)" in july
    assert "• Health (April to June 2027): 0 engagements (2 before)" in july
