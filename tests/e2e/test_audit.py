"""The audit log: what people do through Slack, the command line and the scheduler is
recorded with who, from where and what changed; personal details never are."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.runtime.console.payloads import (
    block_actions,
    message_shortcut,
    slash_command,
    state_values,
    view_submission,
)
from storage.audit import audit_entries
from storage.auditing import Actor
from storage.clock import utc_now
from storage.database import Database
from storage.models import AuditEntry, Engagement
from tests.conftest import RunningBot
from tests.e2e.helpers import (
    make_team,
    opened_view,
    reply_text,
    run_cli,
    run_command,
    wait_for_deliveries,
    wait_for_reply,
)
from tests.fake_slack import DROP, FakeSlack

# What `engagebot audit` says when some people could not be named.
NO_NAMES = "engagebot: some people are shown by their Slack id alone: "
# The tests' own set-up, told apart from what the bot records.
SETUP = Actor("test", "test:setup")


def logged(database: Database) -> list[AuditEntry]:
    """Every audit entry but the set-up's, oldest first. None of the bot's paths may leave
    its entries without an actor."""
    with database.transaction() as session:
        entries = audit_entries(session=session, limit=1000)
    assert "unknown" not in {entry.actor for entry in entries}
    return [entry for entry in entries if entry.actor != SETUP.who]


def summary(entries: list[AuditEntry]) -> list[tuple[str, str, str, str, str]]:
    return [(e.actor, e.origin, e.action, e.table_name, e.record_id) for e in entries]


def press(bot: RunningBot, button: dict[str, Any], name: str, user: str = "U0001") -> None:
    url = bot.slack.response_url(name)
    bot.requester.send(
        block_actions(button["action_id"], button["value"], user, response_url=url, ephemeral=True)
    )


def test_logging_editing_and_undoing_in_slack_are_each_recorded_with_who_and_where(
    bot: RunningBot,
) -> None:
    make_team(bot.database.acting_as(SETUP))
    details, undo = run_command(bot, "log Quick note")["blocks"][1]["elements"]
    press(bot, details, "edit")
    view = opened_view(bot)
    answers = {"summary": "Fuller note", "method": "webinar", "outputs": [("CPI", "1")]}
    bot.requester.send(view_submission(view, state_values(view, answers)))
    assert "Updated engagement *#1*" in reply_text(wait_for_reply(bot, "edit"))
    press(bot, undo, "undo")
    assert "deleted" in wait_for_reply(bot, "undo")["text"]

    created, changed, linked, deleted = logged(bot.database)
    link = "engagement_id=1,output_id=1"
    assert summary([created, changed, linked, deleted]) == [
        ("U0001", "slack:/engage log in CPRICES", "create", "engagement", "1"),
        ("U0001", "slack:view engagement_form", "change", "engagement", "1"),
        ("U0001", "slack:view engagement_form", "create", "engagement_output", link),
        ("U0001", "slack:action entry_undo", "delete", "engagement", "1"),
    ]
    assert created.change["summary"] == "Quick note" and created.change["logged_by"] == "U0001"
    assert changed.change["summary"] == {"old": "Quick note", "new": "Fuller note"}
    assert changed.change["method"] == {"old": None, "new": "webinar"}
    assert "logged_by" not in changed.change  # only what changed
    assert linked.change == {"engagement_id": 1, "output_id": 1}
    assert deleted.change["summary"] == "Fuller note"
    assert all(entry.at <= utc_now() for entry in (created, deleted))


def test_contact_details_are_recorded_as_changed_never_their_values(
    bot: RunningBot, capsys: pytest.CaptureFixture[str], cli_database: Database
) -> None:
    make_team(bot.database.acting_as(SETUP))
    bot.requester.send(message_shortcut(
        "record_feedback", channel_id="CPRICES", message_text="Regional CPI, please",
        response_url=bot.slack.response_url("shortcut"),
    ))  # fmt: skip
    view = opened_view(bot)
    bot.requester.send(view_submission(view, state_values(view, {
        "contact_agreed": "yes", "contact_name": "Ada Lovelace", "contact_email": "ada@example.org",
    })))  # fmt: skip
    details = wait_for_reply(bot, "shortcut")["blocks"][1]["elements"][0]
    press(bot, details, "edit")
    form = opened_view(bot, 2)
    bot.requester.send(view_submission(form, state_values(form, {"contact_email": "al@ex.org"})))
    assert "Updated feedback *#1*" in reply_text(wait_for_reply(bot, "edit"))

    created, changed = [e for e in logged(bot.database) if e.table_name == "feedback"]
    assert (created.actor, created.origin) == ("U0001", "slack:view feedback_form")
    assert created.change["contact_name"] == created.change["contact_email"] == "<personal>"
    assert created.change["text"] == "Regional CPI, please"
    assert changed.change["contact_email"] == "<personal>"
    assert "contact_name" not in changed.change
    code, out, _err = run_cli(capsys, "audit", "--format", "json")
    assert code == 0 and json.loads(out)[-1]["change"]["contact_email"] == "<personal>"
    code, text, _err = run_cli(capsys, "audit")
    for shown in (out, text, json.dumps([e.change for e in logged(bot.database)])):
        assert "Ada" not in shown and "example.org" not in shown and "al@ex" not in shown


class FailingCommit:
    """Once armed, makes the next commit of a transaction that wrote audit entries fail, as
    a database that goes away at that moment would."""

    def __init__(self, database: Database) -> None:
        self.engine = database.engine
        self.armed = False
        event.listen(self.engine, "before_cursor_execute", self._saw)
        event.listen(self.engine, "commit", self._commit)

    def _saw(self, connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO audit_entry"):
            connection.info["audited"] = True

    def _commit(self, connection: Any) -> None:
        if connection.info.pop("audited", False) and self.armed:
            self.armed = False
            raise OperationalError("COMMIT", {}, Exception("the disk is full"))

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._saw)
        event.remove(self.engine, "commit", self._commit)


@pytest.fixture
def failing_commit(bot: RunningBot) -> Iterator[FailingCommit]:
    failing = FailingCommit(bot.database)
    yield failing
    failing.remove()


def test_a_save_that_fails_leaves_no_audit_entry(
    bot: RunningBot, failing_commit: FailingCommit
) -> None:
    make_team(bot.database.acting_as(SETUP))
    failing_commit.armed = True
    reply = run_command(bot, "log Met the RSS")
    assert "Nothing was recorded" in reply_text(reply)
    assert not failing_commit.armed  # the audit entry was written, then rolled back
    assert logged(bot.database) == []
    with bot.database.transaction() as session:
        assert session.exec(select(Engagement)).all() == []


def test_an_import_is_recorded_as_the_command_lines(
    cli_database: Database,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("USER", "analyst")
    make_team(cli_database.acting_as(SETUP))
    csv = tmp_path / "feedback.csv"
    csv.write_text(
        "received_on,team,text,contact_agreed,contact_name,contact_email\n"
        "2026-03-01,Prices,Wants weights,true,Sam Smith,sam@example.org\n"
    )
    assert run_cli(capsys, "import", "feedback", str(csv))[0] == 0
    entries = logged(cli_database)
    assert {(e.actor, e.origin) for e in entries} == {("cli:analyst", "cli:import feedback")}
    (created,) = [e for e in entries if e.table_name == "feedback"]
    assert created.action == "create" and created.change["text"] == "Wants weights"
    assert "Sam" not in json.dumps([e.change for e in entries])


def test_what_the_scheduler_changes_is_recorded_as_the_schedulers(bot: RunningBot) -> None:
    make_team(bot.database.acting_as(SETUP))
    run_command(bot, "subscribe Prices", channel="CGONE")
    bot.slack.fail_next("chat.postMessage", "channel_not_found", channel="CGONE")
    bot.requester.send(slash_command("change", channel_id="CPRICES"))
    view = opened_view(bot)
    answers = {
        "output": ("Consumer price inflation", "1"),
        "title": "New weights",
        "description": "Annual chain-linking.",
        "effective_on": bot.settings.today() + timedelta(days=30),
    }
    bot.requester.send(view_submission(view, state_values(view, answers)))
    wait_for_deliveries(
        bot.database, {"change:1:r1:CPRICES": "sent", "change:1:r1:CGONE": "failed"}
    )
    entries = logged(bot.database)
    subscribed, ended = [e for e in entries if e.table_name == "subscription"]
    assert (subscribed.actor, subscribed.origin) == ("U0001", "slack:/engage subscribe in CGONE")
    assert (ended.actor, ended.origin, ended.action) == (
        "scheduler",
        "scheduler:delivery",
        "change",
    )
    assert ended.change["active"] == {"old": True, "new": False}
    assert ended.change["ended_reason"] == {"old": None, "new": "channel_not_found"}
    (announced,) = [e for e in entries if e.table_name == "upcoming_change"]
    assert (announced.actor, announced.origin) == ("U0001", "slack:view change_form")


def add_entries(database: Database, *moments: tuple[str, str]) -> None:
    """Entries made at each (ISO moment, table), one field changed in each."""
    with database.transaction() as session:
        for number, (moment, table) in enumerate(moments, start=1):
            session.add(
                AuditEntry(
                    at=datetime.fromisoformat(moment),
                    actor="U0001",
                    origin="slack:/engage log in CPRICES",
                    action="change",
                    table_name=table,
                    record_id=str(number),
                    change={"summary": {"old": "Quick", "new": 'Said "more"'}},
                )
            )


def add_logged(database: Database) -> None:
    """An engagement logged by U0002, made by U0001, and its logger cleared by the scheduler."""
    with database.transaction() as session:
        for hour, actor, origin, action, change in (
            (9, "U0001", "slack:/engage log in CPRICES", "create",
             {"summary": "Met the RSS", "logged_by": "U0002"}),
            (10, "scheduler", "scheduler", "change", {"logged_by": {"old": "U0002", "new": None}}),
        ):  # fmt: skip
            session.add(
                AuditEntry(
                    at=datetime(2027, 7, 1, hour, tzinfo=UTC),
                    actor=actor,
                    origin=origin,
                    action=action,
                    table_name="engagement",
                    record_id="1",
                    change=change,
                )
            )


def test_engagebot_audit_lists_a_period_newest_last_in_the_teams_time(
    cli_database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    add_entries(
        cli_database,
        ("2027-06-30T22:59:00+00:00", "engagement"),  # 23:59 on 30 June in London
        ("2027-06-30T23:00:00+00:00", "engagement"),  # midnight: 1 July
        ("2027-07-01T12:00:00+00:00", "feedback"),
        ("2027-07-02T23:30:00+00:00", "engagement"),  # 3 July in London
    )
    code, out, err = run_cli(capsys, "audit", "--since", "2027-07-01", "--until", "2027-07-02")
    assert (code, err) == (
        0,
        NO_NAMES + "no Slack token to ask Slack for names (SLACK_BOT_TOKEN)\n",
    )
    assert out.splitlines() == [
        "2027-07-01 00:00:00 BST  U0001 (slack:/engage log in CPRICES)  change engagement 2"
        '  summary: "Quick" -> "Said \\"more\\""',
        "2027-07-01 13:00:00 BST  U0001 (slack:/engage log in CPRICES)  change feedback 3"
        '  summary: "Quick" -> "Said \\"more\\""',
    ]
    code, out, _ = run_cli(capsys, "audit", "--table", "engagement", "--limit", "2")
    assert [line.split("change engagement ")[1][0] for line in out.splitlines()] == ["2", "4"]
    code, out, _ = run_cli(capsys, "audit", "--since", "2027-07-03", "--format", "json")
    (entry,) = json.loads(out)
    assert entry["at"] == "2027-07-03T00:30:00+01:00" and entry["table"] == "engagement"
    code, out, _ = run_cli(capsys, "audit", "--since", "2028-01-01")
    assert (code, out) == (0, "No audit entries.\n")


def test_engagebot_audit_names_the_people_beside_their_slack_ids(
    cli_database: Database,
    capsys: pytest.CaptureFixture[str],
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    fake_slack.set_user("U0001", real_name="Jane Smith")
    fake_slack.set_user("U0002", real_name="Sam Jones")
    add_logged(cli_database)

    code, out, err = run_cli(capsys, "audit")

    assert (code, err) == (0, "")
    assert out == (
        "2027-07-01 10:00:00 BST  Jane Smith (U0001) (slack:/engage log in CPRICES)  "
        'create engagement 1  summary="Met the RSS"; logged_by="Sam Jones (U0002)"\n'
        "2027-07-01 11:00:00 BST  scheduler (scheduler)  change engagement 1  "
        'logged_by: "Sam Jones (U0002)" -> null\n'
    )
    asked = [call.args["user"] for call in fake_slack.calls("users.info")]
    assert asked == ["U0001", "U0002"]  # each once
    code, out, err = run_cli(capsys, "audit", "--format", "json")
    created, changed = json.loads(out)
    assert created["actor"] == "U0001" and created["change"]["logged_by"] == "U0002"
    assert created["names"] == {"U0001": "Jane Smith", "U0002": "Sam Jones"}
    assert changed["names"] == {"U0002": "Sam Jones"}


def test_without_slack_engagebot_audit_shows_the_ids_and_says_why(
    cli_database: Database,
    capsys: pytest.CaptureFixture[str],
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    fake_slack.fail_next("users.info", status=DROP, times=5)  # no network
    add_logged(cli_database)

    code, out, err = run_cli(capsys, "audit")

    assert code == 0
    assert out.startswith("2027-07-01 10:00:00 BST  U0001 (slack:/engage log in CPRICES)")
    assert 'logged_by="U0002"' in out
    assert err.startswith(NO_NAMES + "Slack could not be reached (")
    assert len(fake_slack.calls("users.info")) == 1  # not asked again about anyone


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--since", "2027-13-01"], "'2027-13-01' is not a date like 2026-01-31"),
        (["--until", "yesterday"], "'yesterday' is not a date like 2026-01-31"),
        (["--since", "2027-07-02", "--until", "2027-07-01"], "--until 2027-07-01 is before"),
        (["--table", "delivery"], "no audited table 'delivery'; one of: audience_segment"),
        (["--limit", "0"], "'0' is not a whole number above 0"),
    ],
)
def test_engagebot_audit_answers_bad_input_in_one_line(
    cli_database: Database,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    said: str,
) -> None:
    code, out, err = run_cli(capsys, "audit", *arguments)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith("engagebot: ") and said in err
