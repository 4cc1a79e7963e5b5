"""Fill a database with made-up but plausible engagement records, for the benchmarks.

    python bench/generate.py DATABASE_URL --engagements 1000000 --feedback 500000 --teams 200

Deterministic (seeded). Team sizes are skewed, as in a real office: a few large teams hold
many of the records, so the benchmark can measure the largest. Rows go in with SQLite's
executemany or PostgreSQL's COPY: a million engagements take a minute or two, not hours.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, text

from bot.base.config import load_settings
from bot.base.vocabulary import EXPERTISE, FEEDBACK_CHANNELS, METHODS, PROFILES
from storage.migrate import upgrade
from storage.organisation_contacts import rebuild_contacts

FIRST_DAY = date(2024, 1, 1)
DAYS = 3 * 366  # three years of records, up to the end of 2026
STATUSES = ("new", "under_consideration", "planned", "done", "not_planned")
STATUS_WEIGHTS = (30, 15, 20, 25, 10)
BATCH = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--engagements", type=int, default=100_000)
    parser.add_argument("--feedback", type=int, default=50_000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--organisations", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    url = load_settings({"DATABASE_URL": args.database_url}).database_url
    started = time.perf_counter()
    upgrade(url)
    generate(url, args.engagements, args.feedback, args.teams, args.organisations, args.seed)
    print(f"generated in {time.perf_counter() - started:.0f} s")


def generate(
    url: str, engagements: int, feedback: int, teams: int, organisations: int, seed: int
) -> None:
    rng = random.Random(seed)
    engine = create_engine(url)
    with engine.begin() as connection:
        raw = connection.connection.dbapi_connection
        write = _copy_writer(raw) if engine.dialect.name == "postgresql" else _sqlite_writer(raw)
        segments = [row[0] for row in connection.execute(text("SELECT id FROM audience_segment"))]
        now = datetime(2027, 1, 1, tzinfo=UTC)
        # Zipf-like sizes: team k holds a share proportional to 1/(k+5).
        weights = [1 / (k + 5) for k in range(teams)]
        write(
            "producer_team",
            ("id", "name", "created_at", "updated_at"),
            ((t + 1, f"Team {t + 1:03d}", now, now) for t in range(teams)),
        )
        outputs: list[list[int]] = []
        output_rows = []
        # Added before the first engagement, so one never engaged is overdue in every review.
        added = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=UTC)
        next_output = 1
        for team in range(1, teams + 1):
            ids = list(range(next_output, next_output + rng.randint(3, 30)))
            next_output += len(ids)
            outputs.append(ids)
            for number, output_id in enumerate(ids):
                profile = rng.choice(list(PROFILES))
                output_rows.append((output_id, team, f"Output {number + 1}", profile, added))
        write("statistical_output", ("id", "team_id", "name", "profile", "created_at"), output_rows)
        write(
            "organisation",
            ("id", "name", "created_at"),
            ((o + 1, f"Organisation {o + 1:05d}", now) for o in range(organisations)),
        )
        team_of = rng.choices(range(1, teams + 1), weights, k=engagements)
        _engagements(write, rng, team_of, outputs, segments, organisations, teams, now)
        team_of = rng.choices(range(1, teams + 1), weights, k=feedback)
        _feedback(write, rng, team_of, outputs, segments, organisations, now)
        _changes(write, rng, teams, outputs, now)
        # Rows loaded past the ORM: the summary of first contacts is worked out once here.
        rebuild_contacts(connection=connection)
    # The planner's statistics, and on PostgreSQL the visibility map that lets index-only
    # scans skip the table: a live database has both from autovacuum.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(
            text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
        )
    engine.dispose()


def _engagements(
    write: Any,
    rng: random.Random,
    team_of: Sequence[int],
    outputs: Sequence[Sequence[int]],
    segments: Sequence[int],
    organisations: int,
    teams: int,
    now: datetime,
) -> None:
    rows, output_links, segment_links, organisation_links, partner_links = [], [], [], [], []
    methods, expertise = list(METHODS), list(EXPERTISE)
    for engagement_id, team in enumerate(team_of, start=1):
        occurred = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        rows.append(
            (
                engagement_id,
                team,
                occurred,
                rng.choice(methods),
                rng.choice(expertise),
                rng.randint(1, 40),
                f"Engagement {engagement_id}",
                "U0BENCH",
                now,
                now,
            )
        )
        # Each link carries its engagement's team and day (`EngagementCopy`).
        for output_id in set(rng.choices(outputs[team - 1], k=rng.randint(1, 2))):
            output_links.append((engagement_id, output_id, team, occurred))
        for segment_id in set(rng.choices(segments, k=rng.randint(1, 2))):
            segment_links.append((engagement_id, segment_id, team, occurred))
        for organisation in set(rng.choices(range(1, organisations + 1), k=rng.randint(0, 2))):
            organisation_links.append((engagement_id, organisation, team, occurred))
        if rng.random() < 0.05:
            partner_links.append((engagement_id, rng.randint(1, teams)))
    columns = ("id", "team_id", "occurred_on", "method", "expertise", "participants", "summary")
    write("engagement", (*columns, "logged_by", "created_at", "updated_at"), rows)
    copies = ("team_id", "occurred_on")
    write("engagement_output", ("engagement_id", "output_id", *copies), output_links)
    write("engagement_segment", ("engagement_id", "segment_id", *copies), segment_links)
    write(
        "engagement_organisation", ("engagement_id", "organisation_id", *copies), organisation_links
    )
    partners = {(e, t) for e, t in partner_links if t != team_of[e - 1]}
    write("engagement_partner", ("engagement_id", "team_id"), sorted(partners))


def _feedback(
    write: Any,
    rng: random.Random,
    team_of: Sequence[int],
    outputs: Sequence[Sequence[int]],
    segments: Sequence[int],
    organisations: int,
    now: datetime,
) -> None:
    rows, decisions = [], []
    channels = list(FEEDBACK_CHANNELS)
    for feedback_id, team in enumerate(team_of, start=1):
        received = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        # A few organisations are loud: a third of the items come from the first hundred.
        organisation = rng.randint(1, 100) if rng.random() < 0.33 else rng.randint(1, organisations)
        row = (
            feedback_id,
            team,
            received,
            organisation if rng.random() < 0.8 else None,
            rng.choice(segments),
            rng.choice(outputs[team - 1]),
            rng.choice(channels),
            f"Feedback {feedback_id}",
            False,
            status,
            "U0BENCH",
            now,
            now,
        )
        # (Drawn after the row's values, as before the first response was kept: the same
        # seed gives the same records.) A decided item's one decision is its first response.
        decided = None
        if status != "new":
            decided = datetime.combine(received, datetime.min.time(), UTC) + timedelta(
                days=rng.randint(1, 60), hours=10
            )
        rows.append((*row, decided))
        if decided is not None:
            note = None if status == "not_planned" and rng.random() < 0.2 else "Because"
            decisions.append((feedback_id, "new", status, note, "U0LEAD", decided))
    columns = ("id", "team_id", "received_on", "organisation_id", "segment_id", "output_id")
    more = ("channel", "text", "contact_agreed", "status", "recorded_by", "created_at")
    write("feedback", (*columns, *more, "updated_at", "first_response_at"), rows)
    write(
        "feedback_decision",
        ("feedback_id", "from_status", "to_status", "note", "decided_by", "decided_at"),
        decisions,
    )


def _changes(
    write: Any, rng: random.Random, teams: int, outputs: Sequence[Sequence[int]], now: datetime
) -> None:
    rows = []
    for change_id in range(1, teams * 10 + 1):
        team = rng.randint(1, teams)
        announced = datetime.combine(
            FIRST_DAY + timedelta(days=rng.randrange(DAYS)), datetime.min.time(), UTC
        )
        effective = announced.date() + timedelta(days=rng.randint(-5, 90))
        rows.append(
            (
                change_id,
                team,
                rng.choice(outputs[team - 1]),
                f"Change {change_id}",
                "What and why",
                effective,
                "announced",
                1,
                announced,
                announced,
            )
        )
    columns = ("id", "team_id", "output_id", "title", "description", "effective_on", "status")
    write("upcoming_change", (*columns, "revision", "created_at", "updated_at"), rows)


def _batches(rows: Iterable[Sequence[Any]]) -> Iterator[list[Sequence[Any]]]:
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _sqlite_writer(raw: Any) -> Any:
    def value(item: Any) -> Any:
        # As SQLAlchemy's DateTime stores it in SQLite (UTC, no offset); dates as ISO.
        if isinstance(item, datetime):
            return item.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return item.isoformat() if isinstance(item, date) else item

    def write(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        marks = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        for batch in _batches(rows):
            raw.executemany(statement, [[value(item) for item in row] for row in batch])

    return write


def _copy_writer(raw: Any) -> Any:
    def write(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        with raw.cursor() as cursor:  # COPY leaves serial sequences behind the ids written
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                if "id" in columns
                else "SELECT 1"
            )

    return write


if __name__ == "__main__":
    main()
