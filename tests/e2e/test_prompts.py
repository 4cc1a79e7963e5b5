"""Prompts to engage about an output that passed its target without engagement: once per
crossing, in the team's home channel, with "Log an engagement" and "Snooze 30 days"."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.deliveries.scheduler import Scheduler
from bot.runtime.app import build_scheduler
from bot.runtime.console.payloads import block_actions
from storage.clock import CLOCK
from storage.database import Database
from storage.models import Delivery, Engagement, StatisticalOutput
from storage.reference import list_segments
from tests.conftest import RunningBot, test_settings
from tests.e2e.helpers import inputs, make_team, opened_view, reply_text, run_cli, set_up_at

CPI = "Consumer prices <!here> & co"
# Last engaged on 1 April, CPI (high, 30 days) is overdue from 2 May: 09:00 BST is 08:00 UTC.
CROSSED = datetime(2027, 5, 2, 8, 0, tzinfo=UTC)
SET_UP = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)  # a Thursday, 10:00 in London


def prompted_team(database: Database) -> tuple[int, int]:
    """Prices, set up on 1 February 2027: CPI last engaged on 1 April (central government),
    the house price index (medium, 90 days) never, so overdue from 3 May."""
    team_id = make_team(database, outputs=f"{CPI} | high\nHouse price index | medium")
    with database.transaction() as session:
        team = set_up_at(session, team_id, datetime(2027, 2, 1, 12, tzinfo=UTC))
        cpi, hpi = sorted(team.outputs, key=lambda output: output.name)
        central = list_segments(session=session)[0]
        engage(session, cpi, date(2027, 4, 1), segments=[central])
        assert cpi.id is not None and hpi.id is not None
        return cpi.id, hpi.id


def engage(session: Any, output: StatisticalOutput, day: date, **links: Any) -> None:
    session.add(
        Engagement(
            team_id=output.team_id, occurred_on=day, summary="Met", outputs=[output], **links
        )
    )


def log_engagement(database: Database, output_id: int, day: date) -> None:
    with database.transaction() as session:
        output = session.get(StatisticalOutput, output_id)
        assert output is not None
        engage(session, output, day)


def prompts(bot_or_slack: Any) -> list[dict[str, Any]]:
    slack = getattr(bot_or_slack, "slack", bot_or_slack)
    return [
        call.args
        for call in slack.calls("chat.postMessage")
        if call.args["channel"] == "CPRICES" and call.response["ok"]
    ]


def statuses(database: Database) -> dict[str, str]:
    with database.transaction() as session:
        return {row.key: row.status for row in session.exec(select(Delivery))}


def scheduler_of(bot: RunningBot) -> Scheduler:
    return build_scheduler(test_settings(bot.slack, bot.database.url), bot.database)


def test_once_per_crossing_naming_the_segments_not_heard_from(
    database: Database, database_url: str, fake_slack: Any
) -> None:
    cpi, hpi = prompted_team(database)
    scheduler = build_scheduler(test_settings(fake_slack, database_url), database)
    assert scheduler.tick(datetime(2027, 5, 2, 7, 59, tzinfo=UTC)).sent == 0
    assert scheduler.tick(CROSSED).sent == 1
    assert scheduler.tick(datetime(2027, 5, 2, 12, tzinfo=UTC)).sent == 0
    (prompt,) = prompts(fake_slack)
    shown = reply_text(prompt)
    assert (
        "*Consumer prices &lt;!here&gt; &amp; co* has had no engagement for 31 days (the last "
        "on 1 April 2027): the target for a high-profile output is 30 days." in shown
    )
    assert (
        "Not heard from about it in the last 12 months: devolved and local government, "
        "academia and research, media, business and industry, charities and voluntary sector, "
        "international bodies, members of the public, internal users." in shown
    )
    assert "<!here>" not in str(prompt)
    buttons = [element["text"]["text"] for element in prompt["blocks"][-1]["elements"]]
    assert buttons == ["Log an engagement", "Snooze 30 days"]

    assert scheduler.tick(datetime(2027, 5, 3, 8, 0, tzinfo=UTC)).sent == 1  # the index
    never = reply_text(prompts(fake_slack)[1])
    assert "*House price index* has had no engagement logged yet" in never
    assert "target for a medium-profile output is 90 days" in never

    # A new engagement makes the next crossing a new prompt: 5 May + 31 days.
    log_engagement(database, cpi, date(2027, 5, 5))
    assert scheduler.tick(datetime(2027, 6, 4, 12, tzinfo=UTC)).sent == 0
    assert scheduler.tick(datetime(2027, 6, 5, 8, 0, tzinfo=UTC)).sent == 1
    assert sorted(statuses(database)) == [
        f"overdue:{cpi}:2027-04-01",
        f"overdue:{cpi}:2027-05-05",
        f"overdue:{hpi}:never",
    ]


def test_a_prompt_not_sent_before_an_engagement_is_skipped_and_old_crossings_wait_for_the_review(
    database: Database, database_url: str, fake_slack: Any
) -> None:
    cpi, hpi = prompted_team(database)
    scheduler = build_scheduler(test_settings(fake_slack, database_url), database)
    fake_slack.fail_next("chat.postMessage", "internal_error", status=500, times=3)
    assert scheduler.tick(CROSSED).retrying == 1
    log_engagement(database, cpi, date(2027, 5, 2))
    assert scheduler.tick(datetime(2027, 5, 2, 9, tzinfo=UTC)).skipped == 1
    assert prompts(fake_slack) == []
    # The index crossed on 3 May: a tick more than a week later does not prompt it, and
    # records why.
    late = scheduler.tick(datetime(2027, 5, 10, 8, 1, tzinfo=UTC))
    assert (late.sent, late.skipped) == (0, 1)
    with database.transaction() as session:
        key = f"overdue:{hpi}:never"
        delivery = session.exec(select(Delivery).where(Delivery.key == key)).one()
    assert (delivery.status, delivery.last_error) == (
        "skipped",
        "more than a week late when the bot came to send it",
    )


def test_log_an_engagement_opens_the_form_with_the_output(bot: RunningBot) -> None:
    cpi, _ = prompted_team(bot.database)
    scheduler_of(bot).tick(CROSSED)
    (prompt,) = prompts(bot)
    button = prompt["blocks"][-1]["elements"][0]
    bot.requester.send(
        block_actions(button["action_id"], button["value"], channel_id="CPRICES", message=prompt)
    )
    fields = inputs(opened_view(bot))
    assert fields["outputs"]["initial_options"] == [
        {"text": {"type": "plain_text", "text": CPI, "emoji": True}, "value": str(cpi)}
    ]
    assert fields["team"]["initial_option"]["text"]["text"] == "Prices"


def test_snooze_holds_prompts_back_30_days_then_prompts_once_more(bot: RunningBot) -> None:
    cpi, _ = prompted_team(bot.database)
    scheduler = scheduler_of(bot)
    scheduler.tick(CROSSED)
    (prompt,) = prompts(bot)
    posted = bot.slack.calls("chat.postMessage")[0].response
    CLOCK.move_to(datetime(2027, 5, 2, 12, tzinfo=UTC))
    snooze = prompt["blocks"][-1]["elements"][1]
    bot.requester.send(
        block_actions(
            snooze["action_id"],
            snooze["value"],
            user_id="ULEAD",
            channel_id="CPRICES",
            message={**prompt, "ts": posted["ts"]},
        )
    )
    (update,) = bot.slack.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == ("CPRICES", posted["ts"])
    shown = reply_text(update.args)
    assert shown.endswith(
        "Snoozed by <@ULEAD> until 1 June 2027: no prompt about "
        "Consumer prices &lt;!here&gt; &amp; co before then."
    )
    assert "has had no engagement for 31 days" in shown
    assert not [block for block in update.args["blocks"] if block["type"] == "actions"]
    with bot.database.transaction() as session:
        output = session.get(StatisticalOutput, cpi)
        assert output is not None and output.prompt_snoozed_until == date(2027, 6, 1)

    assert scheduler.tick(datetime(2027, 6, 1, 8, 0, tzinfo=UTC)).sent == 0
    assert scheduler.tick(datetime(2027, 6, 2, 8, 0, tzinfo=UTC)).sent == 1
    assert "has had no engagement for 62 days" in reply_text(prompts(bot)[-1])
    assert f"overdue:{cpi}:2027-04-01:snoozed-2027-06-01" in statuses(bot.database)


def test_a_prompt_waiting_to_be_sent_is_skipped_once_snoozed(bot: RunningBot) -> None:
    cpi, _ = prompted_team(bot.database)
    scheduler = scheduler_of(bot)
    bot.slack.fail_next("chat.postMessage", "internal_error", status=500, times=3)
    assert scheduler.tick(CROSSED).retrying == 1
    with bot.database.transaction() as session:
        output = session.get(StatisticalOutput, cpi)
        assert output is not None
        output.prompt_snoozed_until = date(2027, 6, 1)
    assert scheduler.tick(datetime(2027, 5, 2, 9, tzinfo=UTC)).skipped == 1
    assert prompts(bot) == []


def test_the_review_and_the_prompts_call_the_same_outputs_overdue(
    cli_database: Database,
    database_url: str,
    fake_slack: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An output is overdue counting from the later of when it was added and its last
    engagement: the review's list and the prompts sent agree, month after month."""
    added_later = datetime(2026, 11, 20, 12, tzinfo=UTC)
    outputs = {  # name: (profile, added, engaged on)
        "Alpha": ("high", SET_UP, None),  # overdue from 1 November
        "Beta": ("high", added_later, None),  # from 21 December
        "Gamma": ("high", SET_UP, date(2026, 10, 20)),  # from 20 November
        "Delta": ("medium", SET_UP, date(2026, 11, 25)),  # from 24 February
        "Epsilon": ("low", added_later, None),  # from 20 May
    }
    team_id = make_team(
        cli_database,
        outputs="\n".join(f"{name} | {profile}" for name, (profile, *_) in outputs.items()),
    )
    with cli_database.transaction() as session:
        team = set_up_at(session, team_id, SET_UP)
        for output in team.outputs:
            _, added, engaged = outputs[output.name]
            output.created_at = added
            if engaged is not None:
                engage(session, output, engaged)
    scheduler = build_scheduler(test_settings(fake_slack, database_url), cli_database)
    day = SET_UP
    for month_end in (date(2026, 11, 30), date(2026, 12, 31)):
        while day.date() <= month_end:
            scheduler.tick(day)
            day += timedelta(days=1)
        prompted = {reply_text(prompt).split(" is overdue")[0] for prompt in prompts(fake_slack)}
        code, out, _ = run_cli(
            capsys, "review", "--team", "Prices", "--from",
            month_end.replace(day=1).isoformat(), "--to", month_end.isoformat(),
            "--format", "json",
        )  # fmt: skip
        assert code == 0
        overdue = json.loads(out)["proportionality"]["overdue_outputs"]
        assert sorted(output["output"] for output in overdue) == sorted(prompted), month_end
    assert sorted(prompted) == ["Alpha", "Beta", "Gamma"]
