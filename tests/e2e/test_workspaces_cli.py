"""The command line and workspaces: `--workspace` picks whose records a command reads and
writes, `engagebot workspaces` lists those holding records, and `workspaces adopt` moves
the single workspace's into a Slack workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store import Installation

from storage.database import Database
from storage.installations import installation_store
from storage.teams import remember_team, team_for_person
from tests.e2e.helpers import make_team, run_cli

Capture = pytest.CaptureFixture[str]


def test_a_command_reads_only_the_workspace_it_is_given(
    cli_database: Database, capsys: Capture
) -> None:
    make_team(cli_database.in_workspace("T0001"), "Prices")
    make_team(cli_database, "Health", channel="CHEALTH")
    code, out, _ = run_cli(capsys, "--workspace", "T0001", "export", "teams")
    assert code == 0 and "Prices" in out and "Health" not in out
    code, out, _ = run_cli(capsys, "export", "teams")
    assert code == 0 and "Health" in out and "Prices" not in out
    code, _, err = run_cli(capsys, "--workspace", "T0002", "review", "--team", "Prices")
    assert code == 2 and "Prices" in err


def test_the_audit_log_is_the_workspaces_own(cli_database: Database, capsys: Capture) -> None:
    make_team(cli_database.in_workspace("T0001"), "Prices")
    code, out, _ = run_cli(capsys, "--workspace", "T0001", "audit", "--format", "json")
    assert code == 0 and '"producer_team"' in out
    assert run_cli(capsys, "audit")[1] == "No audit entries.\n"


def test_workspaces_lists_those_holding_records(cli_database: Database, capsys: Capture) -> None:
    assert run_cli(capsys, "workspaces")[1] == "No workspace holds records yet.\n"
    make_team(cli_database, "Health", channel="CHEALTH")
    make_team(cli_database.in_workspace("T0002"), "Prices")
    code, out, _ = run_cli(capsys, "workspaces")
    assert code == 0 and out.splitlines() == ["(the single workspace)", "T0002"]


def test_adopt_moves_the_single_workspaces_records(cli_database: Database, capsys: Capture) -> None:
    make_team(cli_database, "Health", channel="CHEALTH")
    code, out, _ = run_cli(capsys, "workspaces", "adopt", "T0003")
    assert code == 0 and out.startswith("Moved into T0003:") and "1 producer_team" in out
    assert run_cli(capsys, "workspaces")[1].splitlines() == ["T0003"]
    assert "Health" in run_cli(capsys, "--workspace", "T0003", "export", "teams")[1]
    # Nothing left to adopt.
    code, _, err = run_cli(capsys, "workspaces", "adopt", "T0003")
    assert code == 1 and "no records to adopt" in err


def test_adopt_moves_nothing_when_the_workspace_has_the_same_names(
    cli_database: Database, capsys: Capture
) -> None:
    make_team(cli_database, "Prices")
    make_team(cli_database.in_workspace("T0004"), "Prices")
    code, _, err = run_cli(capsys, "workspaces", "adopt", "T0004")
    assert code == 1 and "nothing was moved" in err
    assert "producer_team (home_channel_id): CPRICES; producer_team (name): Prices" in err
    assert run_cli(capsys, "workspaces")[1].splitlines() == ["(the single workspace)", "T0004"]


def test_adopt_keeps_the_workspaces_own_remembered_teams(
    cli_database: Database, capsys: Capture
) -> None:
    """Someone who used the bot in both: the workspace adopting keeps what it remembers."""
    health = make_team(cli_database, "Health", channel="CHEALTH")
    with cli_database.transaction() as session:
        remember_team(session=session, user_id="U0001", team_id=health)
    prices = make_team(cli_database.in_workspace("T0005"), "Prices")
    with cli_database.in_workspace("T0005").transaction() as session:
        remember_team(session=session, user_id="U0001", team_id=prices)
    code, out, _ = run_cli(capsys, "workspaces", "adopt", "T0005")
    assert code == 0 and "1 producer_team" in out
    with cli_database.in_workspace("T0005").transaction() as session:
        team = team_for_person(session=session, channel_id=None, user_id="U0001")
        assert team is not None and team.name == "Prices"


def test_with_oauth_only_an_installed_workspace_adopts_and_each_is_listed(
    cli_database: Database, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "client-secret")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret")
    store = installation_store(engine=cli_database.engine, client_id="111.222")
    for team_id in ("T0006", "T0007"):
        store.save(
            Installation(app_id="A0", team_id=team_id, bot_token=f"xoxb-{team_id}", user_id="U0")
        )
    make_team(cli_database, "Health", channel="CHEALTH")
    make_team(cli_database.in_workspace("T0007"), "Prices")
    assert run_cli(capsys, "workspaces")[1].splitlines() == [
        "(the single workspace): holds records",
        "T0006: installed, no records yet",
        "T0007: installed, holds records",
    ]
    code, _, err = run_cli(capsys, "workspaces", "adopt", "T0ZZZ")  # a typo
    assert code == 1 and "T0ZZZ has not installed engagebot" in err
    assert run_cli(capsys, "workspaces", "adopt", "T0006")[0] == 0


@pytest.mark.parametrize(
    "args",
    [
        ["--workspace", "not-a-team", "export", "teams"],
        ["--workspace", "T0001", "serve"],
        ["--workspace", "T0001", "workspaces"],
        ["workspaces", "adopt", "general"],
    ],
)
def test_a_wrong_workspace_is_one_line_and_exit_2(
    cli_database: Database, capsys: Capture, args: list[str]
) -> None:
    with pytest.raises(SystemExit) as exit:
        run_cli(capsys, *args)
    assert exit.value.code == 2
    assert "workspace" in capsys.readouterr().err


def test_an_import_writes_into_the_workspace_it_is_given(
    cli_database: Database, capsys: Capture, tmp_path: Path
) -> None:
    make_team(cli_database.in_workspace("T0001"), "Prices")
    rows = tmp_path / "engagements.csv"
    rows.write_text("occurred_on,team,summary\n2026-01-05,Prices,Met the user group\n")
    code, _, err = run_cli(capsys, "import", "engagements", str(rows))
    assert code == 1 and "Prices" in err  # no team Prices in the single workspace
    code, out, _ = run_cli(capsys, "--workspace", "T0001", "import", "engagements", str(rows))
    assert code == 0 and out == "Imported 1 engagement.\n"
    assert (
        "Met the user group" in run_cli(capsys, "--workspace", "T0001", "export", "engagements")[1]
    )
    assert "Met the user group" not in run_cli(capsys, "export", "engagements")[1]
