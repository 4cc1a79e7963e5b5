"""`serve`'s clock: APScheduler runs a scheduler tick every ENGAGEBOT_TICK_SECONDS.

APScheduler only keeps time; what is due lives in the database (`bot/scheduling.py`),
so a restart loses nothing and `engagebot tick` from cron does the same work.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.logs import new_request_id, request_context
from bot.scheduling import Ticking
from storage.clock import utc_now

logger = logging.getLogger(__name__)


class Ticker:
    def __init__(self, scheduler: Ticking, every_seconds: int) -> None:
        self._scheduler = scheduler
        self._background = BackgroundScheduler(timezone=UTC)
        self._background.add_job(
            self._tick,
            IntervalTrigger(seconds=every_seconds),
            # APScheduler times its runs by the real clock; each tick is told the moment
            # by ours (`utc_now`). The first runs at once: catch up at start.
            next_run_time=datetime.now(UTC),
            max_instances=1,  # a slow tick is not overlapped by the next
            coalesce=True,  # ticks missed while one ran become one
        )

    def start(self) -> None:
        self._background.start()

    def stop(self) -> None:
        """Stop ticking; a tick under way finishes first."""
        self._background.shutdown(wait=True)

    def _tick(self) -> None:
        with request_context(new_request_id("tick")):
            try:
                self._scheduler.tick(utc_now())
            except Exception:  # the next tick tries again; nothing is lost (see Scheduler)
                logger.exception("scheduler tick failed")
