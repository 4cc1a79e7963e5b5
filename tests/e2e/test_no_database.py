"""Only `serve`, `console` and `db upgrade` create a database: every other command run where
there is none says where it looked and how to point it at the bot's, and creates nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.helpers import run_cli

# Every command but serve, console and db upgrade, with what it needs to get that far.
COMMANDS = [
    ("import", "engagements", "rows.csv"),
    ("export", "engagements"),
    ("export", "users-map", "--team", "Prices"),
    ("review", "--team", "Prices"),
    ("publish", "you-said-we-did", "--team", "Prices"),
    ("publish", "users-and-uses", "--team", "Prices"),
    ("audit",),
    ("deliveries",),
    ("erase", "--email", "sam@example.org"),
    ("tick",),
    ("workspaces",),
    ("workspaces", "adopt", "T0123ABCD"),
]


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with no database and no .env, DATABASE_URL unset (`tick` needs a token)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    (tmp_path / "rows.csv").write_text("occurred_on,team,summary\n2026-03-01,Prices,Met\n")
    return tmp_path


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_command_finding_no_database_creates_none_and_says_where_it_looked(
    elsewhere: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    code, out, err = run_cli(capsys, *command)
    looked = elsewhere / "engagebot.sqlite"
    assert (code, out) == (2, "")
    assert err == (
        f"engagebot: there is no database at {looked} (DATABASE_URL is not set, so engagebot "
        "looked in the folder it runs in): run it where the bot's database is, or set "
        "DATABASE_URL, in the environment or in .env, to the bot's database. Nothing was "
        "created; to start a new, empty database there, run `engagebot db upgrade`.\n"
    )
    assert sorted(path.name for path in elsewhere.iterdir()) == ["rows.csv"]


def test_a_database_url_naming_no_file_is_named_and_nothing_is_created(
    elsewhere: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = elsewhere / "typo" / "bot.sqlite"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{wrong}")
    code, _, err = run_cli(capsys, "export", "feedback")
    assert code == 2
    assert err.startswith(f"engagebot: there is no database at {wrong}, where DATABASE_URL ")
    assert not wrong.parent.exists()


def test_db_upgrade_creates_the_database_the_others_then_use(
    elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "db", "upgrade") == (0, "The database is up to date.\n", "")
    assert (elsewhere / "engagebot.sqlite").exists()
    code, out, _ = run_cli(capsys, "export", "engagements")
    assert code == 0 and out.startswith("id,occurred_on,team")
