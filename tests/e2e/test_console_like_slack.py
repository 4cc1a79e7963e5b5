"""The console behaves as Slack does: every button it shows can be pressed, people are
named as Slack names them, and the files the bot shares are kept private."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest

from bot.base.config import load_settings
from bot.runtime.console.session import Console
from bot.runtime.console.terminal import Terminal
from storage.database import Database
from tests.e2e.helpers import run_as_child, run_cli
from tests.e2e.web_forms import Visitor


class Person(Terminal):
    """Types the form answers it is given, in order, and :cancel in any other form."""

    def __init__(self) -> None:
        super().__init__(StringIO(), StringIO())
        self.answers: list[str] = []

    def ask(self, prompt: str, *, remember: bool = True) -> str:
        line = self.answers.pop(0) if self.answers else ":cancel"
        self.stdout.write(f"{prompt}{line}\n")
        return line

    def shown(self) -> str:
        return self.stdout.getvalue()  # type: ignore[attr-defined]


@pytest.fixture
def console(database_url: str) -> Iterator[Console]:
    person = Person()
    console = Console(load_settings({"DATABASE_URL": database_url}), person, "alice", "general")
    yield console
    console.close()


def type_in(console: Console, line: str, *answers: str) -> None:
    """Type `line` at the console's prompt, and `answers` in the form it opens."""
    person = console.terminal
    assert isinstance(person, Person)
    person.answers = list(answers)
    console.handle(line)
    assert not person.answers, f"the form of {line!r} asked fewer questions than expected"


def buttons_of(console: Console, line: str, *answers: str) -> range:
    """Show a screen by typing `line` (and `answers`): the numbers of the buttons it shows."""
    first = len(console.choices) + 1
    type_in(console, line, *answers)
    return range(first, len(console.choices) + 1)


def press_each(console: Console, numbers: range, sure: str = "y") -> list[str]:
    """Press each button, answering `sure` where it asks "Are you sure?"; each press must
    reach the app and be answered, unless not sure. Their labels."""
    labels = []
    for number in numbers:
        calls = len(console.slack.calls())
        choice = console.choices[number][0]
        asks = "confirm" in choice.action
        type_in(console, f":click {number}", *([sure] if asks else []))
        labels.append(choice.label)
        if asks and sure != "y":
            assert len(console.slack.calls()) == calls, f"{labels[-1]!r} acted unconfirmed"
        else:
            assert len(console.slack.calls()) > calls, f"{labels[-1]!r} was not answered"
    return labels


def test_every_button_of_the_main_screens_can_be_pressed(console: Console) -> None:
    day = console.settings.today()
    type_in(console, "/engage team", "Prices", "", "Consumer price inflation | high", "")
    feedback = buttons_of(console, "/engage feedback Regional figures please")
    type_in(console, "/engage feedback Monthly tables please")
    engagement = buttons_of(console, "/engage log Met the RSS")
    home = buttons_of(console, ":home")
    change = buttons_of(
        console,
        "/engage change",
        *("", "?", "1", "Regional CPI", "CPI by region.", ""),
        *((day + timedelta(days=10)).isoformat(), "", ""),
    )
    opportunity = buttons_of(
        console,
        "/engage opportunity",
        *("Regional CPI workshop", (day + timedelta(days=5)).isoformat(), "Online", ""),
        *("2", ""),
    )

    # Home first: under each entry Edit and Undo (not confirmed here, so the records stay for
    # the other screens' buttons), and a Decide button for each feedback item.
    assert press_each(console, home, sure="n") == [
        "Log an engagement",
        "Record feedback",
        *("Edit", "Undo"),
        *("Decide", "Edit", "Undo") * 2,
    ]
    assert press_each(console, feedback) == ["Add details", "Undo", "Decide"]
    assert press_each(console, engagement) == ["Add details", "Undo"]
    assert press_each(console, change) == ["Comment on this change"]
    assert press_each(console, opportunity) == ["I'd like to take part", "Withdraw"]
    assert "Traceback" not in console.terminal.shown()  # type: ignore[attr-defined]


def test_undo_on_home_asks_first_then_deletes(console: Console) -> None:
    type_in(console, "/engage team", "Prices", "", "Consumer price inflation | high", "")
    type_in(console, "/engage log Met the RSS")
    home = buttons_of(console, ":home")
    undo = next(n for n in home if console.choices[n][0].label == "Undo")

    type_in(console, f":click {undo}", "y")
    type_in(console, ":home")

    shown = console.terminal.shown()  # type: ignore[attr-defined]
    assert "Delete engagement #1? It goes from every list, count and export." in shown
    assert "Engagement #1 for Prices was deleted" in shown
    assert shown.count("Nothing yet.") == 1  # the Home tab, at last without it


def identities(console: Console) -> set[str]:
    """The names of every person and channel the console has made up an id for."""
    return set(console._names().values())


def test_people_are_named_as_slack_names_them(console: Console) -> None:
    type_in(console, ":as Bob Smith")
    type_in(console, ":as @@carol")
    type_in(console, ":as @Bob.Smith")

    shown = console.terminal.shown()  # type: ignore[attr-defined]
    refusal = "Say who, as Slack names people: :as bob.smith (letters, digits, '.', '-' and '_')"
    assert shown.count(refusal + "\n") == 2
    assert "You are now @bob.smith." in shown
    assert identities(console) == {"alice", "general", "bob.smith"}


def test_a_people_field_takes_only_names_slack_allows_and_no_console_commands(
    console: Console,
) -> None:
    type_in(console, "/engage team", "Prices", "", "")
    type_in(
        console,
        "/engage team",
        *("", "", ""),  # keep the name, home channel and outputs
        "Not A Person!",
        "@alice, @@carol",
        ":in #brandnew",
        ":cancel",
    )

    shown = console.terminal.shown()  # type: ignore[attr-defined]
    rule = "  Slack usernames are letters, digits, '.', '-' and '_', at most 21 of them.\n"
    assert shown.count(rule) == 2
    assert "  :in is a console command: finish the form first, or :cancel it.\n" in shown
    assert "(form cancelled; nothing was sent)" in shown
    assert identities(console) == {"alice", "general"}


def test_the_console_starts_only_as_someone_slack_could_name(
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = load_settings({"DATABASE_URL": database_url})
    with pytest.raises(ValueError, match="Slack usernames are letters"):
        Console(settings, Person(), "Not A Person!", "general")
    env = {**os.environ, "DATABASE_URL": database_url}
    refused = run_as_child(capsys, monkeypatch, ["console", "--user", "Bob Smith"], env, tmp_path)
    assert refused.returncode == 2
    assert refused.stderr == (
        "engagebot: --user 'Bob Smith': "
        "Slack usernames are letters, digits, '.', '-' and '_', at most 21 of them.\n"
    )


def test_the_bot_knows_the_names_of_the_people_of_earlier_runs(database_url: str) -> None:
    first = Console(load_settings({"DATABASE_URL": database_url}), Person(), "alice", "general")
    type_in(first, "/engage team", "Prices", "", "")
    type_in(first, "/engage log Met the RSS")
    first.close()
    console = Console(load_settings({"DATABASE_URL": database_url}), Person(), "bob", "general")
    type_in(console, "/engage export")
    console.close()

    (engagements, _feedback) = console.slack.uploaded_files()
    assert "alice (U0000001)" in engagements.content.decode("utf-8-sig")


def test_engagebot_export_names_the_consoles_people(
    console: Console, cli_database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    type_in(console, "/engage team", "Prices", "", "")
    type_in(console, "/engage log Met the RSS")

    code, out, err = run_cli(capsys, "export", "engagements")

    assert (code, err) == (0, "")  # no Slack to ask: the console knows its people
    assert "alice (U0000001)" in out


def test_files_the_bot_shares_are_saved_for_the_person_alone(
    console: Console, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    type_in(console, "/engage team", "Prices", "", "")
    type_in(console, "/engage feedback Regional figures please")
    type_in(console, "/engage export personal")

    shown = console.terminal.shown()  # type: ignore[attr-defined]
    saved = [Path(path) for path in re.findall(r", saved as (\S+\.csv)\n", shown)]
    folder = tmp_path / "cache" / "engagebot" / "console"
    assert [path.parent for path in saved] == [folder, folder], shown
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [stat.S_IMODE(path.stat().st_mode) for path in saved] == [0o600, 0o600]
    assert "Regional figures please" in saved[1].read_text(encoding="utf-8-sig")


def test_the_public_site_runs_beside_it_and_what_it_is_sent_reaches_the_console(
    console: Console,
) -> None:
    type_in(console, "/engage team", "Prices", "", "Consumer price inflation | high", "")
    # Editing the team asks its public pages' address last.
    type_in(console, "/engage team Prices", *[""] * 13, "prices")
    index = Visitor().get(console.site.url)
    assert index.status == 200 and "Prices" in index.body
    visitor = Visitor()
    visitor.get(f"{console.site.url}prices/feedback")
    sent = visitor.post(f"{console.site.url}prices/feedback", {"text": "Regional CPI, please"})
    assert sent.status == 303

    type_in(console, ":tick")

    shown = console.terminal.shown()  # type: ignore[attr-defined]
    assert "Feedback #1 from the public site" in shown and "Regional CPI, please" in shown
