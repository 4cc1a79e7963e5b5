"""`engagebot console` driven by a script, as through a pipe (once in a process of its own,
the other tests in theirs); its records are the same as those the same flow leaves when it
runs over HTTP."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
from collections.abc import Callable
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.base.config import load_settings
from bot.runtime.console.payloads import (
    message_shortcut,
    slash_command,
    state_values,
    view_submission,
)
from bot.transfer import export_records
from storage.clock import utc_now
from storage.database import Database
from storage.models import (
    EmailSubscription,
    Feedback,
    ProducerTeam,
    StatisticalOutput,
    UpcomingChange,
)
from tests.clocked import engagebot
from tests.conftest import RunningBot
from tests.e2e.helpers import make_team, opened_view, run_as_child, run_command, wait_for_reply

# The console makes up ids in the order it meets people and channels: alice, then #general.
ALICE, GENERAL = "U0000001", "C0000002"
FEEDBACK_TEXT = "We need regional figures & <!channel> detail"


Run = Callable[[list[str], dict[str, str], Path, str], subprocess.CompletedProcess[str]]


def piped(
    args: list[str], env: dict[str, str], cwd: Path, input: str
) -> subprocess.CompletedProcess[str]:
    """`engagebot ARGS` as a process of its own, `input` piped in."""
    return subprocess.run(
        engagebot(*args), input=input, env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def in_process(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """`engagebot ARGS` run as `piped` runs it, in this process (a tenth of the CPU)."""
    return functools.partial(run_as_child, capsys, monkeypatch)


def console(
    run: Run, database_url: str, tmp_path: Path, script: list[str], *args: str, **settings: str
) -> str:
    """Run `engagebot console` with `script` as its input (and `settings` in its environment);
    return everything it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    result = run(
        ["console", *args],
        {**env, **settings, "DATABASE_URL": database_url, "HOME": str(tmp_path)},
        tmp_path,
        "\n".join(script) + "\n",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def the_flow(future: date) -> list[str]:
    """Set up a team, log twice (text, then the form with a mistake), record feedback."""
    return [
        "/engage team",
        "Prices",  # team name
        "",  # home channel: keep #general
        "Consumer price inflation | high",
        "House prices | low",
        "",  # end of the outputs
        "/engage log Met DWP analysts",
        "/engage log",
        future.isoformat(),  # date: in the future, refused below
        "",  # team: keep Prices
        "?",  # outputs: list them all
        "1",
        "",  # done choosing outputs
        "6",  # method: user group
        "3,4",  # segments: academia and research, media
        "1",  # expertise: expert
        "Bank of England",  # organisations: search
        "1",  # pick "Add “Bank of England”"
        "",  # done
        "",  # partner teams: none
        "25",  # participants
        "CPI user group",  # summary
        "Users want more detail",  # what we heard
        "",
        "",  # what they use the statistics for
        "",  # follow-up actions
        "2026-01-15",  # the date again, after the error
        FEEDBACK_TEXT,
        ":shortcut record_feedback 1",
        "2026-01-20",  # received
        "",  # team: keep
        "",  # output: none
        "ONS",  # organisation: search
        "1",  # pick "Add “ONS”"
        "",  # segment: none
        "",  # channel: keep Slack
        "",  # text: keep the message
        "timeliness, geography",
        "y",
        "",
        "",
        ":home",
        ":quit",
    ]


def test_the_console_runs_a_whole_flow_through_a_pipe(database_url: str, tmp_path: Path) -> None:
    future = load_settings({}).today() + timedelta(days=30)
    shown = console(piped, database_url, tmp_path, the_flow(future), "--user", "alice")
    assert "you are @alice in #general" in shown
    assert "Created team Prices with 2 outputs. Home channel: #general." in shown
    assert "Logged engagement #1 for Prices." in shown
    assert "[1] Add details" in shown and "[2] Undo" in shown
    assert "! Date: The date can't be in the future" in shown
    assert "Logged engagement #2 for Prices." in shown
    assert "The original message (https://test.slack.com/archives/" in shown
    assert "Recorded feedback #1 for Prices." in shown
    # The person's text comes back as they typed it, escaped for Slack and shown plain.
    assert ">We need regional figures & <!channel> detail" in shown
    home = shown[shown.index("── Home ──") :]
    assert "Prices this month:" in home and "Feedback #1" in home and "Engagement #2" in home


def test_a_deployments_oauth_settings_leave_the_console_in_the_single_workspace(
    database_url: str, tmp_path: Path, in_process: Run
) -> None:
    oauth = {"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret"}
    script = ["/engage team", "Prices", "", "", "/engage log First"]
    shown = console(in_process, database_url, tmp_path, script, **oauth)
    assert "Logged engagement #1 for Prices." in shown and "not installed" not in shown


@pytest.mark.slow
def test_ids_and_records_are_kept_between_runs(
    database_url: str, tmp_path: Path, in_process: Run
) -> None:
    script = ["/engage team", "Prices", "", "", "/engage log First"]
    console(in_process, database_url, tmp_path, script)
    shown = console(
        in_process, database_url, tmp_path, [":in #general", "/engage log Second", ":home"]
    )
    assert "Logged engagement #2 for Prices." in shown  # the same channel id: Prices' home
    assert "First" in shown[shown.index("── Home ──") :]
    # A run makes the same requests as the last one did: each is still a new request.
    again = console(in_process, database_url, tmp_path, ["/engage log Second"])
    assert "Logged engagement #3 for Prices." in again


@pytest.mark.slow
def test_a_console_flow_stores_what_the_same_flow_over_http_stores(
    bot: RunningBot, tmp_path: Path, fresh_database: Callable[[], Database], in_process: Run
) -> None:
    """Run the flow over HTTP with the console's ids; compare both databases' exports."""
    future = load_settings({}).today() + timedelta(days=30)
    over_http = _flow_over_http(bot, future)
    console_database = fresh_database()
    console(in_process, console_database.url, tmp_path, the_flow(future), "--user", "alice")
    stored = _stored(console_database)
    assert stored == over_http
    with console_database.transaction() as session:
        permalink = session.exec(select(Feedback.source_permalink)).one()
    assert permalink.startswith(f"https://test.slack.com/archives/{GENERAL}/p")


def _flow_over_http(bot: RunningBot, future: date) -> dict[str, Any]:
    user = {"user": ALICE, "channel": GENERAL}
    bot.slack.set_user(ALICE, is_admin=True)  # as the console's people are
    bot.requester.send(slash_command("team", user_id=ALICE, channel_id=GENERAL))
    team_form = opened_view(bot)
    outputs = "Consumer price inflation | high\nHouse prices | low"
    bot.requester.send(
        view_submission(
            team_form, state_values(team_form, {"name": "Prices", "outputs": outputs}), ALICE
        )
    )
    run_command(bot, "log Met DWP analysts", **user)
    bot.requester.send(slash_command("log", user_id=ALICE, channel_id=GENERAL))
    form = opened_view(bot, 2)
    answers = {
        "occurred_on": future.isoformat(),
        "outputs": [("Consumer price inflation", "1")],
        "method": "user_group",
        "segments": ["3", "4"],
        "expertise": "expert",
        "organisations": [("Add “Bank of England”", "Bank of England")],
        "participants": "25",
        "summary": "CPI user group",
        "what_we_heard": "Users want more detail",
    }
    refused = bot.requester.send(view_submission(form, state_values(form, answers), ALICE))
    assert refused.json["response_action"] == "errors"
    answers["occurred_on"] = "2026-01-15"
    bot.requester.send(view_submission(form, state_values(form, answers), ALICE))
    reply_url = bot.slack.response_url("shortcut")
    bot.requester.send(
        message_shortcut(
            "record_feedback",
            user_id=ALICE,
            channel_id=GENERAL,
            message_text=FEEDBACK_TEXT.replace("&", "&amp;"),  # Slack escapes message text
            message_user=ALICE,
            response_url=reply_url,
        )
    )
    feedback_form = opened_view(bot, 3)
    bot.requester.send(
        view_submission(
            feedback_form,
            state_values(
                feedback_form,
                {
                    "received_on": "2026-01-20",
                    "organisation": ("Add “ONS”", "ONS"),
                    "themes": "timeliness, geography",
                    "contact_agreed": ["yes"],
                },
            ),
            ALICE,
        )
    )
    wait_for_reply(bot, "shortcut")
    return _stored(bot.database)


# What differs between two runs of the same flow: when it was recorded, and the message's
# timestamp (so its permalink), which Slack takes from the clock.
VARYING = ("created_at", "updated_at", "source_permalink")


def _stored(database: Database) -> dict[str, Any]:
    """Every kind's export, less the moments of recording (they differ run to run)."""
    stored = {}
    with database.transaction() as session:
        for kind in ("teams", "engagements", "feedback"):
            out = StringIO()
            export_records(
                session=session,
                kind=kind,
                fmt="json",
                team=None,
                since=None,
                out=out,
                include_personal=True,
            )
            rows = json.loads(out.getvalue())
            stored[kind] = [{k: v for k, v in row.items() if k not in VARYING} for row in rows]
    return stored


@pytest.mark.any_date
def test_a_reminder_emailed_to_a_subscriber_is_shown_and_listed(
    in_process: Run, database: Database, database_url: str, tmp_path: Path
) -> None:
    """The console shows the emails the bot would send, as they come and with `:mail`: none
    leaves the machine."""
    team_id = make_team(database, channel=None)
    now = utc_now()
    with database.transaction() as session:
        team = session.get(ProducerTeam, team_id)
        assert team is not None
        team.public_slug = "prices"
        output = session.exec(select(StatisticalOutput)).first()
        assert output is not None and output.id is not None
        session.add(EmailSubscription(team_id=team_id, email="sam@example.org", confirmed_at=now))
        session.add(
            UpcomingChange(
                team_id=team_id,
                output_id=output.id,
                title="New weights",
                description="Annual chain-linking.",
                effective_on=now.date() + timedelta(days=8),
                created_at=now - timedelta(hours=1),
                updated_at=now - timedelta(hours=1),
            )
        )
    shown = console(in_process, database_url, tmp_path, [":mail", ":time +2d", ":mail"])
    _, _, rest = shown.partition("engagebot would have sent no email yet.")
    assert rest, shown
    assert rest.count("── email from engagebot ──") == 2  # as it came, then by :mail
    assert "To: sam@example.org" in rest
    assert "Subject: Reminder: a change to Consumer price inflation takes effect on" in rest
    assert "New weights" in rest
    assert re.search(r"http://127\.0\.0\.1:\d+/email/unsubscribe/", rest), rest  # its site
