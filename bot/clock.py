"""What time it is: real time, or the console's, which can be moved forward.

Moments are UTC; days are local to the team's time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    """The current moment, shifted by `offset` (only the console ever shifts it)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def today(timezone: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(timezone).date()


def local_display(moment: datetime, timezone: ZoneInfo) -> str:
    return moment.astimezone(timezone).strftime("%d %b %Y %H:%M")
