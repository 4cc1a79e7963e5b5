"""`engagebot` imports only what the command it runs needs: `--help` neither the database
nor Slack's libraries, `review` not what serves Slack or draws charts (issue #14: start-up
was most of a review's time). Which modules, not how long: the time is in bench/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from storage.clock import utc_now
from storage.database import Database
from tests.e2e.helpers import make_team

ROOT = Path(__file__).resolve().parents[2]
# Run `engagebot ARGS` in a fresh interpreter, on the test's clock (as tests/clocked.py
# does), then write which of the packages asked about (argv[1], a JSON list) it imported.
CHILD = """
import json, sys
from datetime import datetime
sys.path.insert(0, sys.argv[1])
from storage.clock import CLOCK
CLOCK.move_to(datetime.fromisoformat(sys.argv[2]))
from bot.runtime.cli import main
asked, args = json.loads(sys.argv[3]), sys.argv[4:]
try:
    code = main(args)
except SystemExit as exit:
    code = exit.code
imported = {name.split(".")[0] for name in sys.modules} | set(sys.modules)
print(json.dumps({"code": code, "imported": sorted(set(asked) & imported)}), file=sys.stderr)
"""
# What serves Slack, draws a chart, migrates or schedules: no report needs any of it.
SERVING = [
    "slack_bolt",
    "slack_sdk",
    "matplotlib",
    "alembic",
    "apscheduler",
    "cheroot",
    "handlers",
    "bot.runtime.app",
    "bot.runtime.serving",
    "bot.reviews.chart",
]
# What reads the database: only a command that reads it needs it, and --help reads nothing.
DATABASE = ["sqlalchemy", "sqlmodel", "pydantic", "psycopg", "dotenv", "storage.models"]


def run(*args: str, asked: list[str]) -> tuple[int, str, list[str]]:
    """Exit code, standard output, and which of `asked` `engagebot ARGS` imported."""
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), utc_now().isoformat(), json.dumps(asked), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(child.stderr.strip().splitlines()[-1])
    return report["code"], child.stdout, report["imported"]


def test_help_imports_neither_the_database_nor_slack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    code, out, imported = run("--help", asked=SERVING + DATABASE)
    assert code == 0
    assert "review" in out and "serve" in out
    assert imported == []


def test_a_commands_help_imports_nothing_heavy_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, imported = run("review", "--help", asked=SERVING + DATABASE)
    assert code == 0
    assert "--team NAME" in out
    assert imported == []


def test_review_imports_the_database_but_nothing_of_serving_or_charts(
    cli_database: Database,
) -> None:
    make_team(cli_database, "Prices")
    code, out, imported = run(
        "review", "--team", "Prices", "--format", "json", asked=[*SERVING, "sqlmodel"]
    )
    assert code == 0
    assert json.loads(out)["team"] == "Prices"
    assert imported == ["sqlmodel"]


def test_export_and_audit_ask_slack_for_names_without_loading_the_bolt_app(
    cli_database: Database,
) -> None:
    make_team(cli_database, "Prices")
    asked = [name for name in SERVING if name != "slack_sdk"]  # its WebClient asks for names
    code, out, imported = run("export", "teams", "--format", "json", asked=asked)
    assert (code, imported) == (0, [])
    assert json.loads(out)[0]["name"] == "Prices"
    code, out, imported = run("audit", asked=asked)
    assert (code, imported) == (0, [])
    assert "producer_team" in out
