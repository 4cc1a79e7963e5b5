"""One clock: every moment a record is stamped with reads `storage/clock.py`, and nothing
else in the application reads the real clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import SQLModel

from storage.clock import Clock

SECONDS = timedelta(seconds=5)
ROOT = Path(__file__).resolve().parents[2]
REAL_CLOCK = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time(_ns)?)\(")
# Where reading the real clock is right, and why.
ALLOWED = {
    "storage/clock.py": "the clock itself",
    "bot/runtime/ticker.py": "APScheduler times its runs by the real clock; each tick is told ours",
    "bot/runtime/console/payloads.py": "a request's signature timestamp, which Bolt checks by it",
    "bot/runtime/signed_requests.py": (
        "checks a request's signature timestamp, which Slack sets by it"
    ),
}


def test_every_default_moment_of_every_table_reads_the_clock(clock: Clock) -> None:
    clock.move_to(datetime(2031, 5, 6, 7, 8, tzinfo=UTC))
    stamped = {
        f"{model.__name__}.{name}": field.default_factory()  # type: ignore[call-arg]
        for model in SQLModel.__subclasses__()
        if getattr(model, "__table__", None) is not None
        for name, field in model.model_fields.items()
        if field.default_factory is not None
    }
    assert "Engagement.created_at" in stamped and "AuditEntry.at" in stamped
    off = {
        name: moment
        for name, moment in stamped.items()
        if abs(moment - clock.now()) > timedelta(seconds=5)
    }
    assert off == {}


def test_nothing_else_reads_the_real_clock() -> None:
    readers = {
        f"{path.relative_to(ROOT)}:{number}"
        for package in ("bot", "handlers", "storage")
        for path in (ROOT / package).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if REAL_CLOCK.search(line) and str(path.relative_to(ROOT)) not in ALLOWED
    }
    assert readers == set()
