"""`/engage review [team] [month|quarter|year|this month]`: the review only for the person
who asked, and its "Post to channel" button."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.runtime.console.payloads import block_actions
from storage.clock import CLOCK
from tests.conftest import RunningBot
from tests.e2e.helpers import reply_text, run_command, wait_for_deliveries, wait_for_reply
from tests.e2e.test_review_posts import APRIL, posts, reviewed_teams


def ask(bot: RunningBot, text: str, **fields: Any) -> dict[str, Any]:
    CLOCK.move_to(datetime(2027, 5, 10, 12, tzinfo=UTC))
    return run_command(bot, text, **fields)


def press_post(bot: RunningBot, answer: dict[str, Any], channel: str, name: str) -> str:
    """Press "Post to channel" on the answer; what the person is then told."""
    button = answer["blocks"][-1]["elements"][0]
    assert button["text"]["text"] == "Post to channel"
    bot.requester.send(
        block_actions(
            button["action_id"],
            button["value"],
            channel_id=channel,
            response_url=bot.slack.response_url(name),
            ephemeral=True,
        )
    )
    return str(wait_for_reply(bot, name)["text"])


def test_your_teams_review_of_last_month_only_for_you(bot: RunningBot) -> None:
    prices, _ = reviewed_teams(bot.database)
    answer = ask(bot, "review")  # in CPRICES, the home of Prices & costs
    assert answer["response_type"] == "ephemeral"
    shown = reply_text(answer)
    assert "Engagement review: Prices & costs" in shown
    assert "1 April 2027 to 30 April 2027" in shown
    assert "In April 2027, Prices &amp; costs logged 2 engagements" in shown
    assert "Hear from media: in the last 12 months other teams engaged BBC &lt;News&gt;" in shown
    assert "Posting it sends it to <#CREVIEW>, with a chart" in shown
    assert not [block for block in answer["blocks"] if block["type"] == "image"]
    value = json.loads(answer["blocks"][-1]["elements"][0]["value"])
    assert value == {"team": prices, "from": "2027-04-01", "to": "2027-04-30"}
    assert bot.slack.calls("chat.postMessage") == []


def test_a_team_named_and_a_quarter_or_a_year(bot: RunningBot) -> None:
    reviewed_teams(bot.database)
    quarter = reply_text(ask(bot, "review health QUARTER", channel="CRANDOM"))
    assert "From January to March 2027, Health logged 2 engagements" in quarter
    assert "Posting it sends it to <#CRANDOM>" in quarter  # Health has no review channel
    year = reply_text(ask(bot, "review Prices & costs year"))
    assert "From May 2026 to April 2027, Prices &amp; costs logged 3 engagements" in year
    # As the team form names cadences.
    quarterly = reply_text(ask(bot, "review health Quarterly", channel="CRANDOM"))
    assert "From January to March 2027, Health logged 2 engagements" in quarterly


def test_this_month_so_far(bot: RunningBot) -> None:
    prices, _ = reviewed_teams(bot.database)
    ask(bot, "log Met the CPI user group")  # 10 May, in CPRICES
    answer = ask(bot, "review This Month")
    shown = reply_text(answer)
    assert "1 May 2027 to 10 May 2027" in shown
    assert "From 1 May 2027 to 10 May 2027, Prices &amp; costs logged 1 engagement" in shown
    value = json.loads(answer["blocks"][-1]["elements"][0]["value"])
    assert value == {"team": prices, "from": "2027-05-01", "to": "2027-05-10"}
    named = reply_text(ask(bot, "review health this month", channel="CRANDOM"))
    assert "From 1 May 2027 to 10 May 2027, Health logged no engagements" in named


def test_an_unknown_team_and_no_team(bot: RunningBot) -> None:
    reviewed_teams(bot.database)
    unknown = ask(bot, "review <!channel> month")
    assert unknown["text"] == ":warning: No team is called “&lt;!channel&gt;”."
    nobody = ask(bot, "review", channel="CRANDOM", user="UNEW")
    assert nobody["text"].startswith(":warning: Which team? Name it, e.g. `/engage review Prices`")


def test_a_period_it_cannot_review_after_a_teams_name_is_named_as_such(bot: RunningBot) -> None:
    reviewed_teams(bot.database)
    decade = ask(bot, "review health decade")
    assert decade["text"] == (
        ":warning: I can review a month, a quarter, a year or this month, not “decade”: "
        "for example `/engage review Health quarter`."
    )
    assert (
        ask(bot, "review Wealth decade")["text"] == ":warning: No team is called “Wealth decade”."
    )


def test_post_to_channel_posts_the_same_review_with_its_chart_once(bot: RunningBot) -> None:
    prices, _ = reviewed_teams(bot.database)
    answer = ask(bot, "review")
    told = press_post(bot, answer, "CPRICES", "post")
    assert told == ":white_check_mark: The review of April 2027 is posted to <#CREVIEW>."
    wait_for_deliveries(bot.database, {f"review:{prices}:{APRIL}:CREVIEW": "sent"})
    (post,) = posts(bot.slack, "CREVIEW")
    shown = reply_text(post)
    assert "In April 2027, Prices &amp; costs logged 2 engagements" in shown
    assert "Posted at the request of <@U0001>." in shown
    (chart,) = bot.slack.uploaded_files()
    (image,) = [block for block in post["blocks"] if block["type"] == "image"]
    assert image["slack_file"] == {"id": chart.file_id}

    again = press_post(bot, answer, "CPRICES", "again")
    assert again == "The review of April 2027 was already posted to <#CREVIEW>."
    assert len(posts(bot.slack, "CREVIEW")) == 1


def test_a_team_with_no_review_channel_posts_here(bot: RunningBot) -> None:
    _, health = reviewed_teams(bot.database)
    answer = ask(bot, "review Health", channel="CRANDOM")
    told = press_post(bot, answer, "CRANDOM", "post")
    assert told.endswith("is posted to <#CRANDOM>.")
    wait_for_deliveries(bot.database, {f"review:{health}:{APRIL}:CRANDOM": "sent"})
    assert "Engagement review: Health" in reply_text(posts(bot.slack, "CRANDOM")[0])
