"""`/engage who`: which teams engaged with an organisation or an audience segment, through
signed requests and the Slack stand-in."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.engagements.recording import EngagementDraft, save_engagement
from bot.feedback.recording import FeedbackDraft, save_feedback
from storage.clock import Clock
from storage.database import Database
from storage.models import Feedback
from storage.reference import segments_by_name
from tests.conftest import RunningBot
from tests.e2e.helpers import make_team, reply_text, run_command

TODAY = date(2027, 3, 15)


@pytest.fixture(autouse=True)
def at_noon_today(clock: Clock) -> None:
    clock.move_to(datetime(2027, 3, 15, 12, tzinfo=UTC))


def engaged(
    database: Database,
    team_id: int,
    day: date,
    organisations: list[str] = [],  # noqa: B006 - never changed
    *,
    method: str | None = None,
    segments: list[str] = [],  # noqa: B006
    partners: list[int] = [],  # noqa: B006
) -> None:
    with database.transaction() as session:
        known = segments_by_name(session=session)
        save_engagement(
            session=session,
            draft=EngagementDraft(
                summary="Met them",
                team_id=team_id,
                occurred_on=day,
                method=method,
                organisations=organisations,
                segment_ids=[known[name].id for name in segments],  # type: ignore[misc]
                partner_ids=partners,
            ),
            today=TODAY,
            user_id=None,
        )


def heard(
    database: Database, team_id: int, day: date, organisation: str | None, segment: str | None
) -> int:
    with database.transaction() as session:
        segment_id = segments_by_name(session=session)[segment].id if segment else None
        item = save_feedback(
            session=session,
            draft=FeedbackDraft(
                text="Hello",
                team_id=team_id,
                received_on=day,
                organisation=organisation,
                segment_id=segment_id,
            ),
            today=TODAY,
            user_id=None,
        )
        return item.id  # type: ignore[return-value]


def ask(bot: RunningBot, text: str) -> str:
    reply = run_command(bot, f"who {text}")
    assert reply["response_type"] == "ephemeral"
    return reply_text(reply)


@pytest.fixture
def teams(bot: RunningBot) -> tuple[int, int, int]:
    prices = make_team(bot.database)
    labour = make_team(bot.database, "Labour market", "CLABOUR", "Employment | high")
    health = make_team(bot.database, "Health & <care>", "CHEALTH", "")
    return prices, labour, health


def test_an_organisation_by_its_name_per_team_when_how_and_with_whom(
    bot: RunningBot, teams: tuple[int, int, int]
) -> None:
    prices, labour, health = teams
    boe = ["Bank of England"]
    engaged(bot.database, prices, date(2026, 5, 1), boe, method="meeting", partners=[labour])
    engaged(bot.database, prices, date(2027, 2, 3), boe, method="workshop", partners=[health])
    engaged(bot.database, prices, date(2025, 1, 9), boe, method="meeting")
    engaged(bot.database, labour, date(2027, 3, 1), ["BANK OF ENGLAND", "RSS"])
    engaged(bot.database, health, date(2027, 3, 2), ["RSS"])
    heard(bot.database, health, date(2027, 1, 20), "Bank of England", None)
    heard(bot.database, health, date(2027, 2, 20), "Bank of England", None)
    merged = heard(bot.database, prices, date(2027, 3, 10), "Bank of England", None)
    with bot.database.transaction() as session:
        item = session.get(Feedback, merged)
        assert item is not None
        item.merged_into_id = 1  # merged items are left out
        session.add(item)

    shown = ask(bot, "  bank of   ENGLAND ")
    assert "*Teams that engaged with* *Bank of England*" in shown
    lines = shown.splitlines()
    labour_line = lines.index("*Labour market*: 1 engagement, the last on 1 March 2027")
    prices_line = lines.index(
        "*Prices*: 3 engagements, the last on 3 February 2027 · meeting (2), workshop (1) · "
        "jointly with Health &amp; &lt;care&gt;, Labour market"
    )
    assert labour_line < prices_line  # the latest first
    assert "*Teams that received feedback from* *Bank of England*" in shown
    assert "*Health &amp; &lt;care&gt;*: 2 items, the latest received on 20 February 2027" in shown
    assert "*Prices*: 1 item" not in shown
    assert "Ask these teams first" in shown


def test_part_of_a_name_finds_one_organisation_or_lists_them_to_choose(
    bot: RunningBot, teams: tuple[int, int, int]
) -> None:
    prices = teams[0]
    engaged(bot.database, prices, date(2027, 1, 5), ["Bank of England", "Bank of Scotland"])
    engaged(bot.database, prices, date(2027, 1, 6), ["Office for <b>Students</b>"])
    assert "*Teams that engaged with* *Bank of Scotland*" in ask(bot, "scotland")
    choose = ask(bot, "BANK")
    assert "2 organisations have “BANK” in their name. Which one?" in choose
    assert "• Bank of England\n• Bank of Scotland" in choose
    assert "*Office for &lt;b&gt;Students&lt;/b&gt;*" in ask(bot, "<b>students")


def test_many_matches_are_cut_to_twenty_saying_how_many_more(
    bot: RunningBot, teams: tuple[int, int, int]
) -> None:
    names = [f"Council {number:02}" for number in range(23)]
    engaged(bot.database, teams[0], date(2027, 1, 5), names)
    choose = ask(bot, "council")
    assert "23 organisations have “council” in their name." in choose
    assert "• Council 19" in choose and "Council 20" not in choose
    assert "…and 3 more: type more of the name." in choose


def test_a_segment_over_the_last_twelve_months(
    bot: RunningBot, teams: tuple[int, int, int]
) -> None:
    prices, labour, health = teams
    engaged(bot.database, prices, date(2026, 3, 16), segments=["media"], method="webinar")
    engaged(bot.database, prices, date(2026, 3, 15), segments=["media"])  # 12 months ago
    engaged(bot.database, labour, date(2026, 3, 15), segments=["media"])
    engaged(bot.database, health, date(2027, 3, 1), segments=["academia and research"])
    heard(bot.database, labour, date(2026, 9, 1), None, "media")
    heard(bot.database, health, date(2026, 3, 1), None, "media")  # too long ago
    shown = ask(bot, "Media")
    assert "*Teams that engaged with* *media* since 16 March 2026" in shown
    assert "*Prices*: 1 engagement, the last on 16 March 2026 · webinar (1)" in shown
    assert "Labour market*: 1 engagement" not in shown and "Health" not in shown
    assert "*Labour market*: 1 item, the latest received on 1 September 2026" in shown


def test_nobody_yet_and_nothing_known(bot: RunningBot, teams: tuple[int, int, int]) -> None:
    engaged(bot.database, teams[0], date(2027, 1, 5), ["RSS"])
    heard(bot.database, teams[1], date(2027, 1, 5), "Met Office", None)
    only_feedback = ask(bot, "met office")
    assert "No team has logged an engagement with *Met Office*." in only_feedback
    assert "*Labour market*: 1 item" in only_feedback
    nobody = ask(bot, "members of the public")
    assert "No team has logged an engagement with *members of the public* since" in nobody
    assert "Ask these teams" not in nobody
    unknown = ask(bot, "<!channel> Corp")
    assert "No organisation or audience segment is called “&lt;!channel&gt; Corp”" in unknown
    assert "central government, devolved and local government" in unknown
    assert "<!channel>" not in unknown
    usage = reply_text(run_command(bot, "who"))
    assert "Name an organisation or an audience segment" in usage


def test_the_answer_fits_one_message_and_says_how_many_more(bot: RunningBot) -> None:
    team_ids = [make_team(bot.database, f"Team {n:02}", f"CT{n:02}", "") for n in range(30)]
    for number, team_id in enumerate(team_ids):
        engaged(bot.database, team_id, date(2027, 1, 1 + number), ["ONS"])
        heard(bot.database, team_id, date(2027, 1, 1 + number), "ONS", None)
    reply = run_command(bot, "who ONS")
    assert len(reply["blocks"]) <= 50
    shown = reply_text(reply)
    assert "*Team 29*" in shown and "*Team 05*: 1 engagement" in shown
    assert "*Team 04*: 1 engagement" not in shown
    assert "…and 5 more teams." in shown and "…and 15 more teams." in shown
