"""Tickers sharing one database (`bot/runtime/ticker.py`), on SQLite and PostgreSQL: of three,
exactly one ticks; stopped cleanly, it hands the lease on, and another ticks from its next
tick, long before the lease (an hour here) could have run out."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta

from bot.deliveries.scheduler import Outcome
from bot.runtime.ticker import Leadership, Ticker
from storage.database import Database

LEASE = timedelta(hours=1)


class Recorded:
    """What a ticker drives, noting each tick under the ticker's name."""

    def __init__(self, name: str, ticks: Counter[str], ticked: threading.Condition) -> None:
        self.name, self.ticks, self.ticked = name, ticks, ticked

    def tick(self, at: datetime) -> Outcome:
        with self.ticked:
            self.ticks[self.name] += 1
            self.ticked.notify_all()
        return Outcome()


def test_one_of_three_tickers_ticks_and_hands_on_when_it_stops(database: Database) -> None:
    ticks: Counter[str] = Counter()
    ticked = threading.Condition()
    tickers = {
        name: Ticker(Recorded(name, ticks, ticked), 1, Leadership(database, LEASE))
        for name in ("a", "b", "c")
    }
    for ticker in tickers.values():
        ticker.start()
    try:
        with ticked:
            assert ticked.wait_for(lambda: ticks.total() >= 3, timeout=30)
            (leader,) = ticks
        tickers.pop(leader).stop()
        with ticked:
            assert ticked.wait_for(lambda: len(ticks) == 2 and ticks.total() >= 6, timeout=30)
        assert len([name for name in ticks if name != leader]) == 1
    finally:
        for ticker in tickers.values():
            ticker.stop()
