"""OAuth distribution end to end: the real install flow against the fake Slack (driven
by tests/e2e/installs.py), then each workspace's requests answered, and its messages sent,
with its own token."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.installs.distribution import UNINSTALLED
from bot.runtime.app import build_scheduler, build_ticks
from bot.runtime.console.payloads import (
    app_home_opened,
    app_uninstalled,
    slash_command,
    tokens_revoked,
)
from bot.runtime.console.slack_standin import TEAM_ID
from storage.database import Database
from storage.deliveries import PENDING, SENT, SKIPPED
from storage.installations import InstalledWorkspace, installed_workspaces
from storage.models import Delivery, UpcomingChange
from tests.clocked import engagebot
from tests.conftest import OAUTH_CLIENT_ID, RunningBot
from tests.e2e.helpers import (
    WAIT_SECONDS,
    make_team,
    reply_text,
    run_cli,
    wait_for_deliveries,
    wait_for_reply,
)
from tests.e2e.installs import STATE_COOKIE, Browser, from_workspace, install, start_install
from tests.e2e.serve_process import (
    LogLines,
    serve_environment,
    start_serve,
    wait_until_healthy,
)
from tests.e2e.test_alerts import announce
from tests.e2e.test_personal_data import CUTOFF, contacts, decided_at, with_contact
from tests.e2e.test_personal_data import TICK as RETENTION_TICK
from tests.fake_slack import FakeSlack

OTHER = "T0002"  # a second workspace; the payload builders' own is TEAM_ID


def wait_until(condition: Callable[[], bool], timeout: float = WAIT_SECONDS) -> None:
    """Events are handled after Slack has its answer: poll for what they do."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not done in time"
        time.sleep(0.01)


def installed(bot: RunningBot) -> list[InstalledWorkspace]:
    return installed_workspaces(engine=bot.database.engine, client_id=OAUTH_CLIENT_ID)


def tokens_used(bot: RunningBot, method: str) -> list[str]:
    return [call.headers["authorization"] for call in bot.slack.calls(method)]


def test_two_workspaces_install_and_each_is_answered_with_its_own_token(
    oauth_bot: RunningBot,
) -> None:
    first = install(oauth_bot, TEAM_ID, "Statistics Office")
    second = install(oauth_bot, OTHER, "Health Analysis")
    assert first != second
    assert {(w.team_id, w.bot_token) for w in installed(oauth_bot)} == {
        (TEAM_ID, first),
        (OTHER, second),
    }

    for team_id, token in ((TEAM_ID, first), (OTHER, second)):
        oauth_bot.slack.reset()
        answer = oauth_bot.requester.send(from_workspace(app_home_opened("U0001"), team_id))
        assert answer.status == 200, answer.body
        oauth_bot.slack.wait_for("views.publish")
        assert tokens_used(oauth_bot, "views.publish") == [f"Bearer {token}"]
        assert set(tokens_used(oauth_bot, "auth.test")) == {f"Bearer {token}"}


def test_what_a_request_announces_goes_out_with_its_workspaces_token(
    oauth_bot: RunningBot,
) -> None:
    install(oauth_bot, TEAM_ID, "Statistics Office")
    token = install(oauth_bot, OTHER, "Health Analysis")
    make_team(oauth_bot.database.in_workspace(OTHER))
    oauth_bot.slack.reset()
    url = oauth_bot.slack.response_url("shared")
    command = slash_command("insight Councils want CPI by region", channel_id="CPRICES")
    command["response_url"] = url
    assert oauth_bot.requester.send(from_workspace(command, OTHER)).status == 200
    assert "Shared insight" in reply_text(wait_for_reply(oauth_bot, "shared"))
    oauth_bot.slack.wait_for("chat.postMessage")
    assert posts(oauth_bot) == {"CINSIGHT": [f"Bearer {token}"]}
    wait_for_deliveries(oauth_bot.database.in_workspace(OTHER), {"insight:1:CINSIGHT": SENT})


def test_an_install_without_its_state_is_refused_with_a_page_that_says_why(
    oauth_bot: RunningBot,
) -> None:
    browser, state = start_install(oauth_bot)
    code = oauth_bot.slack.install_code(OTHER, "Health Analysis")

    # The redirect opened in another browser (no cookie), or with a state never issued.
    elsewhere = Browser(oauth_bot.url).get(f"/slack/oauth_redirect?code={code}&state={state}")
    assert elsewhere.status == 400
    assert "invalid_browser" in elsewhere.body and 'href="/slack/install"' in elsewhere.body
    no_state = browser.get(f"/slack/oauth_redirect?code={code}")
    assert no_state.status == 400 and "invalid_browser" in no_state.body
    browser.cookie = f"{STATE_COOKIE}=made-up"
    made_up = browser.get(f"/slack/oauth_redirect?code={code}&state=made-up")
    assert made_up.status == 401
    assert "invalid_state: The state parameter is no longer valid" in made_up.body

    assert oauth_bot.slack.calls("oauth.v2.access") == []
    assert installed(oauth_bot) == []


def test_a_state_is_good_for_one_install(oauth_bot: RunningBot) -> None:
    browser, state = start_install(oauth_bot)
    code = oauth_bot.slack.install_code(OTHER, "Health Analysis")
    assert browser.get(f"/slack/oauth_redirect?code={code}&state={state}").status == 200
    browser.cookie = f"{STATE_COOKIE}={state}"  # the success page deleted it; bring it back
    again = browser.get(f"/slack/oauth_redirect?code={code}&state={state}")
    assert again.status == 401 and "invalid_state" in again.body


def test_a_workspace_that_never_installed_gets_nothing(oauth_bot: RunningBot) -> None:
    install(oauth_bot, TEAM_ID, "Statistics Office")
    answer = oauth_bot.requester.send(from_workspace(app_home_opened("U0001"), "T0099"))
    assert answer.status == 200  # Slack is told; nothing is done there
    assert "not installed in this workspace" in answer.body
    assert oauth_bot.slack.calls("views.publish") == []


@pytest.mark.parametrize("goes", [app_uninstalled, tokens_revoked])
def test_uninstalling_deletes_that_workspaces_token_only(oauth_bot: RunningBot, goes: Any) -> None:
    first = install(oauth_bot, TEAM_ID, "Statistics Office")
    install(oauth_bot, OTHER, "Health Analysis")
    oauth_bot.slack.revoke(OTHER)
    assert oauth_bot.requester.send(from_workspace(goes(), OTHER)).status == 200
    wait_until(lambda: [w.team_id for w in installed(oauth_bot)] == [TEAM_ID])

    oauth_bot.slack.reset()
    oauth_bot.requester.send(from_workspace(app_home_opened("U0001"), OTHER))
    oauth_bot.requester.send(app_home_opened("U0001"))
    oauth_bot.slack.wait_for("views.publish")
    assert tokens_used(oauth_bot, "views.publish") == [f"Bearer {first}"]


ALERT_DAY = datetime(2026, 12, 18, 9, 0, tzinfo=UTC)  # 28 days before the change
NEXT_ALERT_DAY = datetime(2027, 1, 8, 9, 0, tzinfo=UTC)  # 7 days before


def announce_in(bot: RunningBot, workspace: str) -> None:
    """A team in `workspace` whose home channel is C<workspace>, with a change coming."""
    database = bot.database.in_workspace(workspace)
    team = make_team(database, channel=f"C{workspace}")
    announce(database, team, date(2027, 1, 15))


def posts(bot: RunningBot) -> dict[str, list[str]]:
    """Each channel posted to since the last look, with the tokens it was posted with."""
    found: dict[str, list[str]] = {}
    for call in bot.slack.calls("chat.postMessage"):
        found.setdefault(call.args["channel"], []).append(call.headers["authorization"])
    bot.slack.reset()
    return found


def tick(bot: RunningBot, at: datetime) -> None:
    build_ticks(bot.settings, build_scheduler(bot.settings, bot.database)).tick(at)


def test_each_workspaces_alert_goes_out_with_its_own_token(oauth_bot: RunningBot) -> None:
    first = install(oauth_bot, TEAM_ID, "Statistics Office")
    second = install(oauth_bot, OTHER, "Health Analysis")
    for workspace in (TEAM_ID, OTHER):
        announce_in(oauth_bot, workspace)
    oauth_bot.slack.reset()
    tick(oauth_bot, ALERT_DAY)
    assert posts(oauth_bot) == {
        f"C{TEAM_ID}": [f"Bearer {first}"],
        f"C{OTHER}": [f"Bearer {second}"],
    }


def test_uninstalling_one_workspace_stops_its_deliveries_and_keeps_its_records(
    oauth_bot: RunningBot,
) -> None:
    first = install(oauth_bot, TEAM_ID, "Statistics Office")
    second = install(oauth_bot, OTHER, "Health Analysis")
    for workspace in (TEAM_ID, OTHER):
        announce_in(oauth_bot, workspace)
    # Both alerts fail once (Slack is down a moment): each is pending, to be tried again.
    for workspace in (TEAM_ID, OTHER):
        oauth_bot.slack.fail_next("chat.postMessage", channel=f"C{workspace}")
    tick(oauth_bot, ALERT_DAY)
    assert pending(oauth_bot, TEAM_ID) == pending(oauth_bot, OTHER) == 1

    oauth_bot.slack.revoke(OTHER)
    assert oauth_bot.requester.send(from_workspace(app_uninstalled(), OTHER)).status == 200
    wait_until(lambda: pending(oauth_bot, OTHER) == 0)
    with oauth_bot.database.in_workspace(OTHER).transaction() as session:
        (cancelled,) = session.exec(select(Delivery).where(Delivery.kind == "change_reminder"))
        assert (cancelled.status, cancelled.last_error) == (SKIPPED, UNINSTALLED)
        assert len(session.exec(select(UpcomingChange)).all()) == 1  # the records stay
    assert pending(oauth_bot, TEAM_ID) == 1

    oauth_bot.slack.reset()
    tick(oauth_bot, ALERT_DAY + timedelta(minutes=10))  # the retry is due
    tick(oauth_bot, NEXT_ALERT_DAY)
    assert posts(oauth_bot) == {f"C{TEAM_ID}": [f"Bearer {first}"] * 2}
    assert not [c for c in oauth_bot.slack.calls() if c.headers.get("authorization") == second]


def pending(bot: RunningBot, workspace: str) -> int:
    with bot.database.in_workspace(workspace).transaction() as session:
        return len(session.exec(select(Delivery).where(Delivery.status == PENDING)).all())


def oauth_serve_environment(
    tmp_path: Path, fake_slack: FakeSlack, migrated: Path | None = None
) -> dict[str, str]:
    """`serve`'s environment for OAuth distribution: a client id and secret, no bot token."""
    env = serve_environment(tmp_path, fake_slack, migrated)
    del env["SLACK_BOT_TOKEN"]
    return {**env, "SLACK_CLIENT_ID": OAUTH_CLIENT_ID, "SLACK_CLIENT_SECRET": "test-client-secret"}


def test_serve_with_oauth_needs_no_bot_token_and_serves_the_install_page(
    tmp_path: Path, fake_slack: FakeSlack, sqlite_template: Path
) -> None:
    env = oauth_serve_environment(tmp_path, fake_slack, sqlite_template)
    log = LogLines(start_serve(env, tmp_path))
    try:
        url = f"http://127.0.0.1:{env['PORT']}"
        wait_until_healthy(log.process, url)
        log.wait_for("installs start at GET /slack/install")
        log.wait_for("tick as of")  # the scheduler ticks, though no workspace is installed
        page = Browser(url).get("/slack/install")
        assert page.status == 200 and "Add to Slack" in page.body
        assert fake_slack.calls("auth.test") == []  # no token of its own to check
    finally:
        output = log.stop()
    assert "0 installed workspaces" in output and "WARNING" not in output


def test_serve_with_oauth_warns_of_records_left_in_the_single_workspace(
    tmp_path: Path, fake_slack: FakeSlack, sqlite_template: Path
) -> None:
    env = oauth_serve_environment(tmp_path, fake_slack, sqlite_template)
    before = Database(env["DATABASE_URL"])
    make_team(before)  # made with SLACK_BOT_TOKEN, before OAuth distribution
    before.dispose()
    log = LogLines(start_serve(env, tmp_path))
    try:
        wait_until_healthy(log.process, f"http://127.0.0.1:{env['PORT']}")
        log.wait_for("engagebot workspaces adopt TEAM_ID")
    finally:
        log.stop()


def test_serve_refuses_a_bot_token_with_oauth(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = {**oauth_serve_environment(tmp_path, fake_slack), "SLACK_BOT_TOKEN": "xoxb-test-token"}
    result = subprocess.run(
        engagebot("serve"), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set" in result.stderr


def test_single_workspace_mode_serves_no_install_pages(bot: RunningBot) -> None:
    assert Browser(bot.url).get("/slack/install").status == 404
    assert Browser(bot.url).get("/slack/oauth_redirect?code=x&state=y").status == 404


def test_contacts_expire_in_workspaces_the_app_has_left_too(oauth_bot: RunningBot) -> None:
    install(oauth_bot, TEAM_ID, "Statistics Office")
    items = {}
    for workspace in (TEAM_ID, "T0003"):  # installed; and left long ago, records kept
        database = oauth_bot.database.in_workspace(workspace)
        make_team(database)
        items[workspace] = with_contact(database, "Expired", "done")
        decided_at(database, items[workspace], CUTOFF - timedelta(seconds=1))
    tick(oauth_bot, RETENTION_TICK)
    for workspace, item in items.items():
        assert contacts(oauth_bot.database.in_workspace(workspace)) == {item: (None, None, False)}


def test_with_one_workspace_uninstalling_cancels_what_was_waiting(bot: RunningBot) -> None:
    team = make_team(bot.database)  # in the single workspace, ""
    announce(bot.database, team, date(2027, 1, 15))
    bot.slack.fail_next("chat.postMessage")
    tick(bot, ALERT_DAY)
    assert pending(bot, "") == 1
    assert bot.requester.send(app_uninstalled()).status == 200
    wait_until(lambda: pending(bot, "") == 0)


def test_engagebot_tick_runs_in_every_installed_workspace(
    oauth_bot: RunningBot,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tokens = {
        TEAM_ID: install(oauth_bot, TEAM_ID, "Statistics Office"),
        OTHER: install(oauth_bot, OTHER, "Health Analysis"),
    }
    for workspace in tokens:
        announce_in(oauth_bot, workspace)
    oauth_bot.slack.reset()
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    for name, value in {
        "SLACK_CLIENT_ID": OAUTH_CLIENT_ID,
        "SLACK_CLIENT_SECRET": "test-client-secret",
        "SLACK_API_URL": oauth_bot.slack.url,
        "DATABASE_URL": database_url,
        "ENGAGEBOT_CHANNEL_PACE_SECONDS": "0",
    }.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run_cli(capsys, "tick", "--at", ALERT_DAY.isoformat())
    assert (code, out) == (0, "Tick done: 2 sent, 0 to retry, 0 failed, 0 skipped.\n")
    assert posts(oauth_bot) == {f"C{ws}": [f"Bearer {token}"] for ws, token in tokens.items()}

    code, _, err = run_cli(capsys, "--workspace", OTHER, "tick")
    assert code == 2 and "--workspace is not for `tick` with OAuth distribution" in err


def test_a_workspace_that_installs_again_finds_its_records(oauth_bot: RunningBot) -> None:
    install(oauth_bot, OTHER, "Health Analysis")
    make_team(oauth_bot.database.in_workspace(OTHER))
    oauth_bot.slack.revoke(OTHER)
    assert oauth_bot.requester.send(from_workspace(app_uninstalled(), OTHER)).status == 200
    wait_until(lambda: installed(oauth_bot) == [])

    token = install(oauth_bot, OTHER, "Health Analysis")
    oauth_bot.slack.reset()
    url = oauth_bot.slack.response_url("again")
    command = slash_command("log Met users again", channel_id="CPRICES", response_url=url)
    assert oauth_bot.requester.send(from_workspace(command, OTHER)).status == 200
    assert "for Prices" in reply_text(wait_for_reply(oauth_bot, "again"))
    assert set(tokens_used(oauth_bot, "auth.test")) == {f"Bearer {token}"}
