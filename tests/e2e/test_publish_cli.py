"""`engagebot publish you-said-we-did`: the statement on standard output, and its errors."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.statements.you_said_we_did import latest_digest_period
from storage.clock import utc_now
from storage.database import Database
from tests.domain.test_statements import MARKDOWN, record, seed
from tests.e2e.helpers import run_cli


@pytest.fixture
def cli(cli_database: Database) -> Database:
    return cli_database


def publish(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "publish", "you-said-we-did", *args)


def test_the_statement_is_written_as_markdown(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(cli)
    code, out, err = publish(
        capsys, "--team", "prices", "--from", "2026-01-01", "--to", "2026-03-31"
    )
    assert (code, err) == (0, "")
    assert out == MARKDOWN


def test_the_statement_is_written_as_html(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(cli)
    code, out, err = publish(
        capsys, "--team", "Prices", "--from", "2026-02-01", "--to", "2026-02-28", "--format", "html"
    )
    assert (code, err) == (0, "")
    assert out.startswith("<!DOCTYPE html>") and out.endswith("</html>\n")
    assert "from 1 February 2026 to 28 February 2026." in out
    assert "Regional CPI *please*" in out and "Publish &lt;b&gt;" not in out  # January's


def test_the_period_is_the_last_full_quarter_by_default(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(cli)
    today = utc_now().astimezone(ZoneInfo("Europe/London")).date()
    start, end = latest_digest_period("quarterly", today)
    record(cli, "Said last quarter", end, ("timeliness",))
    record(cli, "Said this quarter", today, ("timeliness",))
    code, out, err = publish(capsys, "--team", "Prices")
    assert (code, err) == (0, "")
    assert f"Feedback received from {start.day} {start:%B %Y} to {end.day} {end:%B %Y}." in out
    assert "Said last quarter" in out and "Said this quarter" not in out


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--team", "Nobody"], "no team is called 'Nobody'"),
        (
            ["--team", "Prices", "--from", "2026-01-01"],
            "give both --from and --to, or neither for the last full calendar quarter",
        ),
        (
            ["--team", "Prices", "--from", "2026-03-01", "--to", "2026-01-31"],
            "the period ends (2026-01-31) before it starts (2026-03-01)",
        ),
    ],
)
def test_what_cannot_be_published_is_one_line_and_exit_2(
    cli: Database, capsys: pytest.CaptureFixture[str], args: list[str], error: str
) -> None:
    seed(cli)
    assert publish(capsys, *args) == (2, "", f"engagebot: {error}\n")


def test_a_malformed_date_is_refused_by_the_parser(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit:
        publish(capsys, "--team", "Prices", "--from", "1/1/2026", "--to", "2026-03-31")
    assert exit.value.code == 2
    assert "'1/1/2026' is not a date like 2026-01-31" in capsys.readouterr().err
