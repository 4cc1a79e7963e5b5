"""Moments and days: moments are UTC (from `storage/clock.py`, the one clock); days are
local to the team's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.clock import utc_now


def today(timezone: ZoneInfo, now: datetime | None = None) -> date:
    """The day it is in `timezone` at `now` (by default, now by the clock)."""
    return (now or utc_now()).astimezone(timezone).date()


def local_display(moment: datetime, timezone: ZoneInfo) -> str:
    return moment.astimezone(timezone).strftime("%d %b %Y %H:%M")


def zone_named(name: str | None, default: ZoneInfo) -> ZoneInfo:
    """A team's time zone: `name` if set (checked when saved), else the default."""
    return ZoneInfo(name) if name else default


def local_time(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """`hour`:00 on `day` in `zone`, as a UTC moment (right on either side of a clock change)."""
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def duration_words(span: timedelta) -> str:
    """A span in whole days and hours: "1 day", "9 days 3 hours", "2 hours"."""
    days, hours = divmod(int(span.total_seconds() // 3600), 24)
    words = [
        f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in ((days, "day"), (hours, "hour")) if n
    ]
    return " ".join(words) or "less than an hour"
