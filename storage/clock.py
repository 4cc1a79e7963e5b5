"""The one source of "now" for the whole process.

Every save, every default and every scheduler tick reads `utc_now()`; nothing else reads the
real clock. It sits at the bottom of the layers so that the tables' defaults can read it
too. Real time runs through it unchanged, except where something moves it: the console
(`:time`, kept with its database) and the tests (an autouse fixture in tests/conftest.py),
so a record's `created_at` and the scheduler always agree on what time it is.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Real UTC time, shifted by `offset`. Moving it shifts every later reading alike, so
    time still runs on (leases expire, waits end) from the moment it was moved to."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def move_to(self, moment: datetime) -> None:
        """From now on, the clock reads `moment` and runs on from there."""
        self.offset = moment - datetime.now(UTC)

    def move_by(self, step: timedelta) -> None:
        self.offset += step


CLOCK = Clock()


def utc_now() -> datetime:
    """What time it is, as an aware UTC moment, by the process's clock."""
    return CLOCK.now()
