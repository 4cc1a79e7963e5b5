"""Today and this month as a team sees them: moments are UTC, days are local."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def today(timezone: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(timezone).date()


def start_of_month_utc(timezone: ZoneInfo, now: datetime | None = None) -> datetime:
    """The UTC moment the current month began in `timezone`."""
    first = today(timezone, now).replace(day=1)
    return datetime.combine(first, time.min, tzinfo=timezone).astimezone(UTC)


def local_display(moment: datetime, timezone: ZoneInfo) -> str:
    return moment.astimezone(timezone).strftime("%d %b %Y %H:%M")
