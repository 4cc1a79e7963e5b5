"""`serve`'s clock: APScheduler runs a scheduler tick every ENGAGEBOT_TICK_SECONDS, in the
one process that leads.

APScheduler only keeps time; what is due lives in the database (`bot/deliveries/scheduler.py`),
so a restart loses nothing and `engagebot tick` from cron does the same work. Every serving
process (each gunicorn worker, each replica) has a ticker; the database decides which one
ticks (`Leadership`, `storage/leadership.py`), so the planning is done once, not once a
process.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from bot.base.logs import new_request_id, request_context
from bot.deliveries.scheduler import Ticking, process_claimant
from storage.clock import utc_now
from storage.database import Database
from storage.leadership import lead, step_down

logger = logging.getLogger(__name__)

SCHEDULER_ROLE = "scheduler"
# The leader renews its lease at each tick: it may miss two (a slow tick, a database that
# did not answer) before another process takes over; and never less than LEAST_LEASE, or
# ticks a second apart (the tests') would hand over at any hiccup of a busy machine, or at
# a second's difference between two hosts' clocks.
LEASE_TICKS = 3
LEAST_LEASE = timedelta(seconds=10)


class Leadership:
    """Whether this process's ticker is the one that ticks: it holds the scheduler's lease
    in the database, renewed at each tick (`storage/leadership.py`)."""

    def __init__(self, database: Database, lease: timedelta) -> None:
        self._database = database
        self.lease = lease
        self.holder = process_claimant()
        self.leading = False

    @classmethod
    def every(cls, database: Database, tick_seconds: int) -> Leadership:
        """The leadership of a ticker that ticks every `tick_seconds`."""
        return cls(database, max(timedelta(seconds=LEASE_TICKS * tick_seconds), LEAST_LEASE))

    def take(self, now: datetime) -> bool:
        """Take or renew the lease as of `now`; whether this process leads."""
        with self._database.transaction() as session:
            leading = lead(
                session=session, role=SCHEDULER_ROLE, holder=self.holder, now=now, lease=self.lease
            )
        if leading and not self.leading:
            logger.info("this process (%s) ticks the scheduler now", self.holder)
        elif self.leading and not leading:
            logger.warning(
                "another process took over the scheduler; this one (%s) waits", self.holder
            )
        self.leading = leading
        return leading

    def give_up(self) -> None:
        """Hand the lease on, if held, so that another process ticks from its next tick."""
        if not self.leading:
            return
        self.leading = False
        with self._database.transaction() as session:
            handed = step_down(session=session, role=SCHEDULER_ROLE, holder=self.holder)
        if handed:
            logger.info("this process (%s) no longer ticks the scheduler", self.holder)


class Ticker:
    """Ticks `scheduler` every `every_seconds` while `leadership` says this process leads
    (with none, at every tick: a test's own ticker)."""

    def __init__(
        self, scheduler: Ticking, every_seconds: int, leadership: Leadership | None = None
    ) -> None:
        self._scheduler = scheduler
        self._leadership = leadership
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
        """Stop ticking (a tick under way finishes first), and hand the lead on."""
        self._background.shutdown(wait=True)
        if self._leadership is not None:
            try:
                self._leadership.give_up()
            except SQLAlchemyError as error:  # it expires on its own: only later
                logger.warning("could not hand the scheduler on: %s", error)

    def _tick(self) -> None:
        with request_context(new_request_id("tick")):
            try:
                now = utc_now()
                if self._leadership is None or self._leadership.take(now):
                    self._scheduler.tick(now)
            except Exception:  # the next tick tries again; nothing is lost (see Scheduler)
                logger.exception("scheduler tick failed")
