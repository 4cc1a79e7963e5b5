"""Changes, subscriptions, opportunities and their scheduled messages, tried in the console
as a person would: a script piped in, answered by what the console shows."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest

from bot.base.config import load_settings
from bot.runtime.console.session import Console
from bot.runtime.console.terminal import Terminal
from storage.clock import CLOCK

pytestmark = pytest.mark.any_date

# A line of the script: typed as is, or worked out from what the console showed so far.
Line = str | Callable[[str], str]


class Script(StringIO):
    """Standard input that types each line after reading the screen (button numbers)."""

    def __init__(self, lines: list[Line], screen: StringIO) -> None:
        super().__init__()
        self.lines, self.screen = lines, screen

    def readline(self, size: int = -1) -> str:
        if not self.lines:
            return ""
        line = self.lines.pop(0)
        return (line(self.screen.getvalue()) if callable(line) else line) + "\n"


def click(label: str) -> Callable[[str], str]:
    """`:click N` on the latest button called `label` on the screen."""
    button = re.compile(rf"^\[(\d+)\] {re.escape(label)}$", re.M)
    return lambda screen: f":click {button.findall(screen)[-1]}"


def run_at_noon(database_url: str, script: Callable[[date], list[Line]]) -> tuple[str, date]:
    """Run the console, its clock at noon tomorrow in London (so alerts due at 09:00 fall
    on the days the script moves to), with the script for that day; what it showed, and the day."""
    settings = load_settings({"DATABASE_URL": database_url})
    day = settings.today() + timedelta(days=1)
    noon = datetime.combine(day, time(12), tzinfo=settings.timezone)
    CLOCK.move_to(noon)
    screen = StringIO()
    Console(settings, Terminal(Script(script(day), screen), screen), "alice", "general").run()
    return screen.getvalue(), day


PROMPT = re.compile(r"^@\w+ #[\w-]+> ", re.M)


def answer_to(shown: str, typed: str) -> str:
    """What the console showed after the person typed `typed` at its prompt, up to the next."""
    start = shown.index(f"> {typed}\n")
    following = PROMPT.search(shown, start + 1)
    return shown[start : following.start() if following else len(shown)]


def test_a_change_its_alerts_and_an_opportunity_signed_up_to(database_url: str) -> None:
    def script(day: date) -> list[Line]:
        return [
            "/engage team", "Prices", "", "Consumer price inflation | high", "",
            ":in #stats-users",
            "/engage subscribe Prices",
            ":in #general",
            "/engage change",
            "",  # team: keep Prices
            "?", "1",  # the output
            "Regional CPI",
            "CPI by region.", "",
            (day + timedelta(days=10)).isoformat(),  # takes effect
            "",  # no feedback date
            "",  # nobody in particular affected
            "/engage opportunity",
            "Regional CPI workshop",
            (day + timedelta(days=5)).isoformat(),
            "Room 1",
            "",  # no description
            "2",  # places
            "?",  # which channels are there?
            "#general, #Stats-users, #events",  # a channel not met before is made
            ":as bob",
            ":in #events",
            click("I'd like to take part"),
            ":time +3d",
            ":time +1d",
            ":as alice",
            ":time +2d",
            ":messages",
            ":in #general",
            ":time +4d",
            ":read #stats-users",
        ]  # fmt: skip

    shown, day = run_at_noon(database_url, script)

    # The change goes to the home channel and to the subscribed one.
    announced = answer_to(shown, "/engage change")
    assert "📣 Upcoming change to Consumer price inflation (Prices)" in announced
    assert "(engagebot posted in #stats-users: :read #stats-users)" in announced
    assert "The notice is going to #general, #stats-users." in announced

    # The channel picker starts at this channel, lists those known, and takes names.
    picker = answer_to(shown, "/engage opportunity")
    assert "Post it to [#general]" in picker
    assert "Channels so far: #general, #stats-users." in picker
    assert "Posting Regional CPI workshop to #general, #stats-users, #events." in picker

    # Bob takes a place in #events; the copy he sees is edited, the others are noted.
    signed_up = answer_to(shown, ":click 2")
    assert "You have a place at Regional CPI workshop" in signed_up
    assert "(message 5, edited) engagebot:\n✋ Regional CPI workshop" in signed_up
    assert "1 of 2 places left" in signed_up
    assert "(engagebot edited message 3 in #general: :read #general)" in signed_up

    # Three days on, the week's reminder (bob is elsewhere); a day later, the organiser's,
    # as a direct message.
    week_ahead = answer_to(shown, ":time +3d")
    assert "(engagebot posted in #general: :read #general)" in week_ahead
    day_before = answer_to(shown, ":time +1d")
    assert "(engagebot sent a direct message to @alice: :as alice shows it)" in day_before
    as_alice = answer_to(shown, ":as alice")
    assert ", direct message:\n📅 Reminder: Regional CPI workshop is tomorrow" in as_alice
    assert "1 of 2 places taken:\n@bob" in as_alice

    # The day after the workshop, the prompt to log it; :messages shows both again.
    day_after = answer_to(shown, ":time +2d")
    assert "Log it as an engagement" in day_after and "Log this engagement" in day_after
    assert answer_to(shown, ":messages").count(", direct message:") == 2

    # On the day, the change is in effect, in every channel that heard of it.
    on_the_day = answer_to(shown, ":time +4d")
    assert f"in effect from today, {day + timedelta(days=10):%A} " in on_the_day
    assert "(engagebot posted in #stats-users: :read #stats-users)" in on_the_day
    read = answer_to(shown, ":read #stats-users")
    assert "📣 Upcoming change" in read
    assert "📅 Reminder: a change to Consumer price inflation takes effect in 7 days" in read
    assert "(message 4, edited) engagebot:\n✋ Regional CPI workshop" in read
    assert "in effect from today" in read


def test_team_settings_and_the_digest_channel(database_url: str) -> None:
    shown, _ = run_at_noon(
        database_url,
        lambda _day: [
            "/engage team", "Prices", "", "",
            "/engage team", "", "", "",
            "@bob, @alice",  # the members: alice, who created it, and bob
            "europe/paris",
            "7, 1",
            "#digest, #other",  # one channel only
            "#digest",
            "",  # how often: quarterly, once a channel is chosen
            "", "", "", "", "",  # no review channel; the default targets
            "",  # no public pages
            "/engage team", "", "", "", "", "", "",
            "",  # the digest channel kept
            "",
            "", "", "", "", "",
            "",
        ],
    )  # fmt: skip
    assert "Type one channel, e.g. #general." in shown
    saved = answer_to(shown, "#digest")
    assert "Members: @alice, @bob.\nTime zone: Europe/Paris. Reminders 7 and 1 days" in saved
    assert "“You said, we did” digest: quarterly in #digest." in saved
    assert "Post “You said, we did” to (optional) — " in shown
    assert shown.count("posted at 09:00 after each period. [#digest]") == 1
