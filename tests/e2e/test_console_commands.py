"""The console's own commands, run in-process with a scripted terminal."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.base.config import load_settings
from bot.runtime.console.session import Console
from bot.runtime.console.terminal import Terminal
from storage.clock import Clock
from storage.database import Database
from storage.models import Engagement, Feedback
from tests.e2e.helpers import run_cli

pytestmark = pytest.mark.any_date


def run_console(database_url: str, *lines: str, user: str = "alice") -> str:
    terminal = Terminal(StringIO("\n".join(lines) + "\n"), StringIO())
    settings = load_settings({"DATABASE_URL": database_url})
    Console(settings, terminal, user=user, channel="general").run()
    return terminal.stdout.getvalue()  # type: ignore[attr-defined]


def test_help_and_unknown_commands(database_url: str) -> None:
    shown = run_console(database_url, ":help", ":frob", "/giphy cats")
    assert ":click N" in shown and ":time +7d" in shown
    assert "Unknown console command :frob" in shown
    assert "/giphy is not a command here; engagebot answers /engage." in shown


def test_people_and_channels_switch(database_url: str) -> None:
    shown = run_console(
        database_url,
        "/engage team",
        "Prices",
        "",
        "",
        "/engage log Met the RSS",
        ":as bob",
        ":click 2",
        ":in #other",
        "hello from bob",
        ":read #general",
        ":read",
    )
    assert "You are now @bob." in shown
    assert "That message was only visible to @alice." in shown
    assert "You are now in #other." in shown
    assert "@bob #other> hello from bob\n  (message 1)" in shown
    assert "No messages there yet." in shown  # #general had none
    assert "(message 1) bob:\nhello from bob" in shown


def test_a_form_can_be_cancelled_and_required_fields_are_enforced(database_url: str) -> None:
    shown = run_console(
        database_url,
        "/engage team",
        "",
        "Prices",
        "",
        "",  # an empty name is refused before sending
        "/engage log",
        ":cancel",
        ":click 9",
        ":shortcut record_feedback 7",
    )
    assert "This field is required." in shown
    assert "Created team Prices" in shown
    assert "(form cancelled; nothing was sent)" in shown
    assert "Give the number of a button shown earlier" in shown
    assert "Give the number of a message shown earlier" in shown


def test_the_clock_moves_and_the_scheduler_runs(database_url: str) -> None:
    shown = run_console(database_url, ":time +7d", ":time soon", ":tick")
    assert "The console's clock reads" in shown
    assert "Move the clock forward like this: :time +7d" in shown
    assert shown.count("Ran the scheduler:") == 2


def test_the_clock_moves_what_the_bot_calls_today(database_url: str) -> None:
    shown = run_console(database_url, ":time +2d", "/engage log")
    settings = load_settings({})
    expected = settings.today().toordinal() + 2
    day = shown.split("Date [", 1)[1][:10]
    assert date.fromisoformat(day).toordinal() == expected


def test_the_console_keeps_its_clock_with_its_database(database_url: str, clock: Clock) -> None:
    started = clock.now()
    first = run_console(database_url, "/engage team", "Prices", "", "", ":time +30d", "/engage log")
    assert "30 days ahead of real time (moved with :time, and kept with this database)" in first
    assert clock.now() - started < timedelta(minutes=1)  # the process's clock is given back
    # The next run goes on from where this database's clock was moved, and says so.
    later = run_console(database_url, "/engage log Met the RSS")
    moved = (started + timedelta(days=30)).astimezone(ZoneInfo("Europe/London"))
    assert f"The console's clock reads {moved:%a %d %b %Y}" in later
    assert "30 days ahead of real time" in later
    with Database(database_url).transaction() as session:
        engagement = session.exec(select(Engagement)).one()
    # Every default reads the same clock: the record was made a month on.
    assert engagement.created_at - started >= timedelta(days=30)
    assert engagement.occurred_on == moved.date()


def test_the_clock_moves_a_year_at_most_and_the_database_opens_again(database_url: str) -> None:
    shown = run_console(database_url, ":time +500000w", ":time +53w", ":time +52w")
    assert shown.count("The clock moves at most a year at a time (:time +52w)") == 2
    assert "364 days ahead of real time" in shown
    again = run_console(database_url, *[":time +52w"] * 5)
    assert "The clock moves at most a year at a time" in again  # five years in all, no more
    assert "Traceback" not in run_console(database_url, ":tick")


def test_the_command_line_goes_on_from_the_consoles_clock(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], clock: Clock
) -> None:
    run_console(database_url, "/engage team", "Prices", "", "", ":time +40d")
    moved = (clock.now() + timedelta(days=40)).astimezone(ZoneInfo("Europe/London")).date()
    rows = tmp_path / "rows.csv"
    rows.write_text(f"occurred_on,team,summary\n{moved},Prices,Met the RSS\n")
    os.environ["DATABASE_URL"] = database_url
    try:
        code, out, err = run_cli(capsys, "import", "engagements", str(rows))
    finally:
        del os.environ["DATABASE_URL"]
    assert (code, out) == (0, "Imported 1 engagement.\n")  # not "in the future"
    assert "the console moved this database's clock 40 days ahead; using it" in err


class CtrlC(StringIO):
    """Standard input on which the person presses Ctrl-C at the given lines."""

    def __init__(self, lines: list[str | None]) -> None:
        super().__init__()
        self.lines = lines

    def readline(self, size: int = -1) -> str:
        if not self.lines:
            return ""
        line = self.lines.pop(0)
        if line is None:
            raise KeyboardInterrupt
        return line + "\n"


def test_ctrl_c_cancels_a_form_or_drops_a_line_and_never_crashes(database_url: str) -> None:
    terminal = Terminal(CtrlC(["/engage team", None, None, ":help"]), StringIO())
    Console(load_settings({"DATABASE_URL": database_url}), terminal, "alice", "general").run()
    shown = terminal.stdout.getvalue()  # type: ignore[attr-defined]
    assert "(form cancelled; nothing was sent)" in shown
    assert "(Ctrl-C: the line was dropped; :quit or Ctrl-D leaves)" in shown
    assert ":click N" in shown


def test_only_its_reader_can_click_an_ephemeral_message(database_url: str) -> None:
    shown = run_console(
        database_url, "/engage team", "Prices", "", "", "/engage log Mine", ":as bob", ":click 1"
    )
    assert "That message was only visible to @alice." in shown
    assert "── Engagement #1 ──" not in shown


def test_channel_names_follow_slacks_rules(database_url: str) -> None:
    shown = run_console(
        database_url, ":in # spaced name", "/engage team", "Prices", "/engage x", "prices", ""
    )
    assert "Say where, as Slack names channels" in shown
    assert "Slack channel names are lower-case letters, digits, - and _." in shown
    assert "Home channel: #prices." in shown


def test_a_decision_reaches_the_recorder_as_a_direct_message(database_url: str) -> None:
    shown = run_console(
        database_url,
        "/engage team", "Prices", "", "",
        "/engage feedback Regional figures please",
        ":as lead",
        "/engage feedback list",
        ":click 4",  # Decide, in the list
        "2",  # planned (the form leaves out the current status, new)
        "In the spring release",
        "",
        ":as alice",
    )  # fmt: skip
    assert "(engagebot sent a direct message to @alice: :as alice shows it)" in shown
    after = shown[shown.rindex("You are now @alice.") :]
    assert "moved feedback #1 you recorded from New to Planned." in after
    assert "In the spring release" in after


def test_a_file_the_bot_shares_is_saved_where_the_person_can_open_it(database_url: str) -> None:
    shown = run_console(
        database_url,
        "/engage team",
        "Prices",
        "",
        "CPI | high",
        "",
        "/engage log Met the ONS user group",
        "/engage export",
    )
    saved = re.search(r"Prices: engagements, .* saved as (\S+\.csv)", shown)
    assert saved is not None, shown
    assert "Met the ONS user group" in Path(saved[1]).read_text(encoding="utf-8-sig")
    assert "📥 Sent you Prices's records in a direct message" in shown


def test_a_yes_or_no_question_asks_again_until_answered(database_url: str) -> None:
    shown = run_console(
        database_url,
        "/engage team", "Prices", "", "",
        "/engage feedback", "", "", "", "", "", "", "Regional tables please", "", "",
        "sure thing",  # neither yes nor no: asked again, nothing assumed
        "Y",
        "Jane Doe", "jane@example.org",
    )  # fmt: skip
    assert shown.count("They agreed to be contacted about this? (y/n)") == 2
    assert "Answer y or n (or press Enter to leave it as it is)." in shown
    assert "Recorded feedback #1 for Prices." in shown
    database = Database(database_url)
    with database.transaction() as session:
        item = session.get(Feedback, 1)
        assert item is not None and item.contact_agreed is True
    database.dispose()
