"""How fast `engagebot review --format json` answers for one team and one year.

    python bench/review_bench.py DATABASE_URL [DATABASE_URL ...] [--runs 15] [--queries]

For each database (made by bench/generate.py), it times, in this process and session:
- the baseline: one indexed COUNT of the team's engagements in the year, the cheapest
  query a review could be, so the ratio says how many "simple queries" a review costs;
- the review: `review_for` + the JSON rendering, exactly what the CLI does after start-up;
for the median-sized team (a typical team), one near 5,000 engagements in the year (what a
million over 200 teams would give each) and the largest. It prints the median and 95th
percentile of warm runs (after one run to warm the cache, which is also shown), and the
median CPU time of a review: this process's and, on a PostgreSQL server on this machine,
its server process's. CPU time hardly grows while other work holds the CPUs, so it
compares runs on a busy, shared machine, where the wall clock does not.

With --queries it also prints, for each team, the median CPU time of each of the review's
queries (each `storage.review` function `bot.reviews.figures` calls, timed around the call), to
show which one to work on next.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, text
from sqlmodel import col, select

import bot.reviews.figures
from bot.base.config import load_settings
from bot.reviews.figures import review_for
from bot.reviews.formats import FORMATS
from storage.database import Database
from storage.models import Engagement, ProducerTeam

YEAR = (date(2026, 1, 1), date(2026, 12, 31))
ZONE = ZoneInfo("Europe/London")
Clock = Callable[[], float]  # seconds
QUERIES = (
    "period_counts",
    "feedback_counts",
    "method_counts",
    "segments_seen",
    "organisation_counts",
    "top_organisations",
    "first_responses",
    "outputs_overdue",
    "changes_announced",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_urls", nargs="+")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--queries", action="store_true", help="time each query as well")
    args = parser.parse_args()
    print(
        "| database | team (engagements in the year) | baseline ms | review ms (p50 / p95) "
        "| first run ms | review / baseline | review CPU ms (p50) |"
    )
    print("|---|---|---|---|---|---|---|")
    for url in args.database_urls:
        database = Database(load_settings({"DATABASE_URL": url}).database_url)
        cpu = _cpu_clock(database)
        for label, team, size in _teams(database):
            row = f"{_name(url)} | {label} {team} ({size:,})"
            _measure(database, row, team, args.runs, cpu)
            if args.queries:
                _measure_queries(database, team, args.runs, cpu)
        database.dispose()


def _measure(database: Database, row: str, team: str, runs: int, cpu: Clock) -> None:
    baseline = statistics.median(_timings(runs, lambda: _count(database, team)))
    first, *warm = _timings(runs + 1, lambda: _review(database, team))
    p50, p95 = statistics.median(warm), _percentile(warm, 95)
    cpu_p50 = statistics.median(_timings(runs, lambda: _review(database, team), cpu))
    print(
        f"| {row} | {baseline:.1f} | {p50:.0f} / {p95:.0f} | {first:.0f} "
        f"| {p50 / baseline:.0f}x | {cpu_p50:.0f} |"
    )


def _measure_queries(database: Database, team: str, runs: int, cpu: Clock) -> None:
    with _timed_queries(cpu) as timings:
        _timings(runs, lambda: _review(database, team))
    medians = {name: statistics.median(times) for name, times in timings.items()}
    print("|  | CPU ms: " + ", ".join(f"{name} {ms:.0f}" for name, ms in medians.items()) + " |")


def _cpu_clock(database: Database) -> Clock:
    """Seconds of CPU used by this process and, on a PostgreSQL server on this machine, by
    the server process serving this benchmark's (one, pooled) connection. Unlike the wall
    clock it hardly moves while other work waits for the CPU, so it compares runs made on
    a busy machine."""
    if database.engine.dialect.name != "postgresql":
        return time.process_time
    with database.transaction() as session:
        server_pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    schedstat = Path(f"/proc/{server_pid}/schedstat")
    if not schedstat.exists():
        return lambda: float("nan")  # a server elsewhere: its CPU cannot be read

    def clock() -> float:
        # The first field of schedstat: nanoseconds the process has run on a CPU.
        return time.process_time() + int(schedstat.read_text().split()[0]) / 1e9

    return clock


@contextmanager
def _timed_queries(clock: Clock) -> Iterator[dict[str, list[float]]]:
    """Each query function `bot.reviews.figures` calls, timed (ms by `clock`) on every call while
    inside."""
    timings: dict[str, list[float]] = defaultdict(list)
    originals = {name: getattr(bot.reviews.figures, name) for name in QUERIES}

    def timed(name: str, query: Callable[..., Any]) -> Callable[..., Any]:
        def call(**kwargs: Any) -> Any:
            started = clock()
            result = query(**kwargs)
            timings[name].append((clock() - started) * 1000)
            return result

        return call

    for name, query in originals.items():
        setattr(bot.reviews.figures, name, timed(name, query))
    try:
        yield timings
    finally:
        for name, query in originals.items():
            setattr(bot.reviews.figures, name, query)


def _teams(database: Database) -> list[tuple[str, str, int]]:
    """The median-sized team, the one nearest 5,000 engagements in the year (1,000,000
    spread evenly over 200 teams), and the largest, by engagements in the year."""
    with database.transaction() as session:
        sizes = session.exec(
            select(ProducerTeam.name, func.count(col(Engagement.id)))
            .join(Engagement, col(Engagement.team_id) == ProducerTeam.id)
            .where(col(Engagement.occurred_on).between(*YEAR))
            .group_by(ProducerTeam.name)
            .order_by(func.count(col(Engagement.id)))
        ).all()
    even = min(sizes, key=lambda size: abs(size[1] - 5_000))
    return [("typical", *sizes[len(sizes) // 2]), ("near 5,000", *even), ("largest", *sizes[-1])]


def _count(database: Database, team_name: str) -> None:
    with database.transaction() as session:
        session.execute(
            text(
                "SELECT count(*) FROM engagement JOIN producer_team t ON t.id = team_id "
                "WHERE t.name = :team AND occurred_on BETWEEN :first AND :last"
            ),
            {"team": team_name, "first": YEAR[0], "last": YEAR[1]},
        ).one()


def _review(database: Database, team_name: str) -> None:
    with database.transaction() as session:
        review = review_for(
            session=session,
            team_name=team_name,
            period_from=YEAR[0],
            period_to=YEAR[1],
            now=datetime.now(UTC),
            default_zone=ZONE,
        )
    FORMATS["json"](review)


def _timings(runs: int, work: Callable[[], None], clock: Clock = time.perf_counter) -> list[float]:
    timings = []
    for _ in range(runs):
        started = clock()
        work()
        timings.append((clock() - started) * 1000)
    return timings


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def _name(url: str) -> str:
    return url.rsplit("/", 1)[-1]


if __name__ == "__main__":
    main()
