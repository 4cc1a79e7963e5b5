"""What time it is: real time, or the console's, which can be moved forward.

Moments are UTC; days are local to the team's time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
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


def zone_named(name: str | None, default: ZoneInfo) -> ZoneInfo:
    """A team's time zone: `name` if set (checked when saved), else the default."""
    return ZoneInfo(name) if name else default


def local_time(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """`hour`:00 on `day` in `zone`, as a UTC moment (right on either side of a clock change)."""
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)
