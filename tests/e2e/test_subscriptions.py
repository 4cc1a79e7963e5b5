"""`/engage subscribe`, `unsubscribe` and `subscribe list`: which channels hear about changes."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Subscription
from tests.conftest import RunningBot
from tests.e2e.helpers import make_team, run_command

pytestmark = pytest.mark.any_date


def say(bot: RunningBot, text: str, channel: str = "CWATCH", user: str = "U0001") -> str:
    """What the bot answers, only to the person, to `/engage <text>` in `channel`."""
    reply = run_command(bot, text, channel=channel, user=user)
    assert reply["response_type"] == "ephemeral"
    return str(reply["text"])


def subscriptions(bot: RunningBot) -> list[tuple[str, int, int | None, bool, str | None]]:
    with bot.database.transaction() as session:
        rows = session.exec(select(Subscription).order_by(Subscription.id)).all()
        return [(s.channel_id, s.team_id, s.output_id, s.active, s.ended_reason) for s in rows]


def test_subscribing_to_a_team_twice_says_it_already_is(bot: RunningBot) -> None:
    make_team(bot.database)
    assert say(bot, "subscribe Prices") == (
        ":white_check_mark: <#CWATCH> will hear about every change of *Prices*: "
        "each announcement, update and cancellation is posted here."
    )
    assert say(bot, "subscribe prices") == "<#CWATCH> already hears about every change of *Prices*."
    assert subscriptions(bot) == [("CWATCH", 1, None, True, None)]


def test_one_output_by_team_and_name_or_by_its_name_alone(bot: RunningBot) -> None:
    make_team(bot.database)
    answer = say(bot, "subscribe Prices:  consumer price inflation")
    assert "will hear about changes to *Consumer price inflation* (Prices)" in answer
    assert "will hear about changes to *House price index*" in say(
        bot, "subscribe House price index"
    )
    assert subscriptions(bot) == [("CWATCH", 1, 1, True, None), ("CWATCH", 1, 2, True, None)]
    listed = say(bot, "subscribe list")
    assert listed == (
        "<#CWATCH> hears about:\n"
        "• changes to *Consumer price inflation* (Prices)\n"
        "• changes to *House price index* (Prices)"
    )


def test_an_output_of_a_team_the_channel_hears_all_of_is_covered(bot: RunningBot) -> None:
    make_team(bot.database)
    say(bot, "subscribe Prices")
    answer = say(bot, "subscribe Prices: House price index")
    assert answer == "<#CWATCH> already hears about every change of *Prices*, this output's too."
    assert len(subscriptions(bot)) == 1


def test_unknown_names_are_refused_listing_what_there_is(bot: RunningBot) -> None:
    make_team(bot.database)
    make_team(bot.database, "Labour market", "CLABOUR", "Employment | high\nPrices paid | low")
    assert say(bot, "subscribe Trade") == (
        ":warning: No team or output is called 'Trade'. Teams: Labour market, Prices."
    )
    assert say(bot, "subscribe price") == (
        ":warning: No team or output is called 'price'. Outputs with 'price' in their name: "
        "Prices: Consumer price inflation, Prices: House price index, "
        "Labour market: Prices paid."
    )
    assert say(bot, "subscribe Prices: CPI") == (
        ":warning: Prices has no output called 'CPI'. "
        "Its outputs: Consumer price inflation, House price index."
    )
    assert say(bot, "subscribe Trade: CPI") == (
        ":warning: No team is called 'Trade'. Teams: Labour market, Prices."
    )
    assert subscriptions(bot) == []


def test_an_output_name_two_teams_use_asks_which(bot: RunningBot) -> None:
    make_team(bot.database)
    make_team(bot.database, "Wales", "CWALES", "House price index | high")
    assert say(bot, "subscribe House price index") == (
        ":warning: Several teams publish an output called 'House price index': "
        "Prices: House price index, Wales: House price index. "
        "Say which, e.g. `/engage subscribe Prices: House price index`."
    )
    assert "(Wales)" in say(bot, "subscribe Wales: House price index")


def test_without_a_name_the_home_channel_already_hears_and_elsewhere_your_team(
    bot: RunningBot,
) -> None:
    make_team(bot.database)  # set up by UADMIN, who works in Prices from then on
    assert say(bot, "subscribe", channel="CPRICES") == (
        "<#CPRICES> is the home channel of *Prices*: it already hears about every change."
    )
    assert "will hear about every change of *Prices*" in say(bot, "subscribe", user="UADMIN")
    answer = say(bot, "subscribe", channel="COTHER", user="UNEW")
    assert answer.startswith(":warning: Which team's changes should this channel hear about?")
    assert "Teams: Prices." in answer
    assert subscriptions(bot) == [("CWATCH", 1, None, True, None)]


def test_unsubscribing_ends_and_subscribing_again_resumes(bot: RunningBot) -> None:
    make_team(bot.database)
    say(bot, "subscribe Prices")
    assert say(bot, "unsubscribe Prices") == (
        ":white_check_mark: <#CWATCH> will no longer hear about every change of *Prices*."
    )
    assert subscriptions(bot) == [("CWATCH", 1, None, False, "unsubscribed")]
    assert say(bot, "unsubscribe Prices") == (":warning: This channel isn't subscribed to Prices.")
    assert "hears about no team's changes" in say(bot, "subscribe list")
    assert say(bot, "subscribe Prices").endswith(
        "will hear about every change of *Prices* again: each announcement, update and "
        "cancellation is posted here."
    )
    assert subscriptions(bot) == [("CWATCH", 1, None, True, None)]


def test_unsubscribing_from_a_team_ends_its_outputs_too(bot: RunningBot) -> None:
    make_team(bot.database)
    make_team(bot.database, "Labour market", "CLABOUR", "Employment | high")
    say(bot, "subscribe Consumer price inflation")
    say(bot, "subscribe House price index")
    say(bot, "subscribe Employment")
    assert say(bot, "unsubscribe") == (
        ":warning: This channel has 3 subscriptions: Labour market: Employment, "
        "Prices: Consumer price inflation, Prices: House price index. "
        "Say which, e.g. `/engage unsubscribe Labour market: Employment`."
    )
    assert say(bot, "unsubscribe Prices") == (
        ":white_check_mark: <#CWATCH> will no longer hear about changes to "
        "*Consumer price inflation* (Prices); nor about changes to *House price index* (Prices)."
    )
    assert "changes to *Employment*" in say(bot, "unsubscribe")  # the only one left
    assert say(bot, "unsubscribe") == ":warning: This channel has no subscriptions to end."
    assert [row[3] for row in subscriptions(bot)] == [False, False, False]


def test_one_output_cannot_be_left_out_of_a_whole_team(bot: RunningBot) -> None:
    make_team(bot.database)
    say(bot, "subscribe Prices")
    assert say(bot, "unsubscribe Prices: House price index") == (
        ":warning: This channel hears about every change of Prices, so it can't leave out one "
        "output. `/engage unsubscribe Prices` ends that."
    )
    assert say(bot, "unsubscribe Prices", channel="CPRICES") == (
        ":warning: This is the home channel of Prices: it always hears about that team's changes."
    )
    assert subscriptions(bot)[0][3] is True


def test_a_channel_shared_with_another_organisation_can_subscribe(bot: RunningBot) -> None:
    make_team(bot.database)
    answer = say(bot, "subscribe Prices", channel="CSHARED", user="WOUTSIDER")
    assert "<#CSHARED> will hear about every change of *Prices*" in answer
    listed = say(bot, "subscribe list", channel="CPRICES")
    assert listed == "<#CPRICES> hears about:\n• every change of *Prices* (its home channel)"


def test_a_direct_message_cannot_subscribe(bot: RunningBot) -> None:
    make_team(bot.database)
    answer = say(bot, "subscribe Prices", channel="D0001")
    assert answer.startswith(":warning: Only a channel can subscribe")
    assert subscriptions(bot) == []


def test_what_was_typed_is_escaped_in_the_answer(bot: RunningBot) -> None:
    make_team(bot.database)
    answer = say(bot, "subscribe <!channel> & <@U0002>")
    assert answer.startswith(
        ":warning: No team or output is called '&lt;!channel&gt; &amp; &lt;@U0002&gt;'."
    )
    assert "No team or output has a name that long." in say(bot, "subscribe " + "x" * 300)
