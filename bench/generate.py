"""Fill a database with made-up but plausible engagement records, for the benchmarks.

    python bench/generate.py DATABASE_URL --engagements 1000000 --feedback 500000 --teams 200
    python bench/generate.py DATABASE_URL --realistic ...

Deterministic (seeded). Team sizes are skewed, as in a real office: a few large teams hold
many of the records, so the benchmark can measure the largest. Rows go in with SQLite's
executemany or PostgreSQL's COPY: a million engagements take a minute or two, not hours.

`--realistic` (the load bench's, `Realistic`) skews more than the team sizes: organisations
are Zipf-distributed (a few dominate), a third of the audience segments are never reached,
the days follow the statistical year's seasons, feedback has several decisions an item and
some of it is merged, and records are made by several people, a few of whom make most;
each team has a home channel (`CTEAM001`, ...), from which the load bench's commands come.
The default shape (`Shape`) draws exactly as before: the review bench's datasets stay the same.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

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
# The realistic shape's seasons: a weight per month, January first (quiet in August and
# December; busy around the spring and autumn releases and the new financial year).
MONTH_WEIGHTS = (8, 9, 12, 11, 9, 8, 7, 3, 10, 12, 11, 4)
RECORDERS = 60  # people recording in the realistic shape; Zipf-distributed
ZIPF_EXPONENT = 1.1


class Shape:
    """How the records are drawn: the review bench's (uniform days and organisations, one
    recorder, one decision an item), the same draws as always."""

    home_channels = False

    def __init__(self, rng: random.Random, segments: Sequence[int], organisations: int) -> None:
        self.rng = rng
        self.segments = list(segments)
        self.organisations = range(1, organisations + 1)

    def day(self) -> date:
        return FIRST_DAY + timedelta(days=self.rng.randrange(DAYS))

    def organisations_of(self, count: int) -> list[int]:
        return self.rng.choices(self.organisations, k=count)

    def loud_organisation(self) -> int:
        """A feedback item's organisation: a third from a hundred loud ones."""
        if self.rng.random() < 0.33:
            return self.rng.randint(1, 100)
        return self.rng.randint(1, len(self.organisations))

    def recorder(self) -> str:
        return "U0BENCH"

    def decider(self) -> str:
        return "U0LEAD"

    def history(self, status: str, decided: datetime) -> list[tuple[str, str, datetime]]:
        """The decisions that took an item from new to `status`: (from, to, when)."""
        return [("new", status, decided)]


class Realistic(Shape):
    """The load bench's shape (see the module's docstring)."""

    home_channels = True
    # The way an item goes: its decisions from new to its status, one step at a time.
    PATHS: ClassVar[dict[str, tuple[str, ...]]] = {
        "under_consideration": ("under_consideration",),
        "planned": ("under_consideration", "planned"),
        "done": ("under_consideration", "planned", "done"),
        "not_planned": ("under_consideration", "not_planned"),
    }

    def __init__(self, rng: random.Random, segments: Sequence[int], organisations: int) -> None:
        # A third of the segments are never reached (the shuffle decides which).
        reached = list(segments)
        rng.shuffle(reached)
        super().__init__(rng, reached[: max(1, 2 * len(reached) // 3)], organisations)
        self._organisation_weights = _zipf_cumulative(organisations)
        self._recorder_weights = _zipf_cumulative(RECORDERS)
        self._days = [FIRST_DAY + timedelta(days=day) for day in range(DAYS)]
        self._day_weights = list(
            itertools.accumulate(MONTH_WEIGHTS[day.month - 1] for day in self._days)
        )

    def day(self) -> date:
        return self.rng.choices(self._days, cum_weights=self._day_weights)[0]

    def organisations_of(self, count: int) -> list[int]:
        return self.rng.choices(self.organisations, cum_weights=self._organisation_weights, k=count)

    def loud_organisation(self) -> int:
        return self.organisations_of(1)[0]

    def recorder(self) -> str:
        number = self.rng.choices(range(RECORDERS), cum_weights=self._recorder_weights)[0]
        return f"UREC{number:04d}"

    def decider(self) -> str:
        return self.recorder()

    def history(self, status: str, decided: datetime) -> list[tuple[str, str, datetime]]:
        steps, moment, before = [], decided, "new"
        for after in self.PATHS[status]:
            steps.append((before, after, moment))
            before, moment = after, moment + timedelta(days=self.rng.randint(1, 30))
        return steps


def _zipf_cumulative(count: int) -> list[float]:
    return list(itertools.accumulate(1 / rank**ZIPF_EXPONENT for rank in range(1, count + 1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--engagements", type=int, default=100_000)
    parser.add_argument("--feedback", type=int, default=50_000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--organisations", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--realistic", action="store_true", help="the load bench's shape")
    args = parser.parse_args()
    url = load_settings({"DATABASE_URL": args.database_url}).database_url
    started = time.perf_counter()
    upgrade(url)
    generate(
        url,
        args.engagements,
        args.feedback,
        args.teams,
        args.organisations,
        args.seed,
        shape=Realistic if args.realistic else Shape,
    )
    print(f"generated in {time.perf_counter() - started:.0f} s")


def generate(
    url: str,
    engagements: int,
    feedback: int,
    teams: int,
    organisations: int,
    seed: int,
    *,
    shape: type[Shape] = Shape,
) -> None:
    rng = random.Random(seed)
    engine = create_engine(url)
    with engine.begin() as connection:
        raw = connection.connection.dbapi_connection
        write = _copy_writer(raw) if engine.dialect.name == "postgresql" else _sqlite_writer(raw)
        segments = [row[0] for row in connection.execute(text("SELECT id FROM audience_segment"))]
        drawn = shape(rng, segments, organisations)
        now = datetime(2027, 1, 1, tzinfo=UTC)
        # Zipf-like sizes: team k holds a share proportional to 1/(k+5).
        weights = team_weights(teams)
        columns = ("id", "name", "created_at", "updated_at")
        team_rows = [(t + 1, f"Team {t + 1:03d}", now, now) for t in range(teams)]
        if drawn.home_channels:
            columns += ("home_channel_id",)
            team_rows = [(*row, home_channel(row[0])) for row in team_rows]
        write("producer_team", columns, team_rows)
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
        _engagements(write, drawn, team_of, outputs, teams, now)
        team_of = rng.choices(range(1, teams + 1), weights, k=feedback)
        _feedback(write, drawn, team_of, outputs, now)
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


def team_weights(teams: int) -> list[float]:
    """Each team's share of the records: team k's proportional to 1/(k+5)."""
    return [1 / (k + 5) for k in range(teams)]


def home_channel(team_id: int) -> str:
    """The realistic shape's home channel of team `team_id`."""
    return f"CTEAM{team_id:03d}"


def _engagements(
    write: Any,
    drawn: Shape,
    team_of: Sequence[int],
    outputs: Sequence[Sequence[int]],
    teams: int,
    now: datetime,
) -> None:
    rng, segments = drawn.rng, drawn.segments
    rows, output_links, segment_links, organisation_links, partner_links = [], [], [], [], []
    methods, expertise = list(METHODS), list(EXPERTISE)
    for engagement_id, team in enumerate(team_of, start=1):
        occurred = drawn.day()
        rows.append(
            (
                engagement_id,
                team,
                occurred,
                rng.choice(methods),
                rng.choice(expertise),
                rng.randint(1, 40),
                f"Engagement {engagement_id}",
                drawn.recorder(),
                now,
                now,
            )
        )
        # Each link carries its engagement's team and day (`EngagementCopy`).
        for output_id in set(rng.choices(outputs[team - 1], k=rng.randint(1, 2))):
            output_links.append((engagement_id, output_id, team, occurred))
        for segment_id in set(rng.choices(segments, k=rng.randint(1, 2))):
            segment_links.append((engagement_id, segment_id, team, occurred))
        for organisation in set(drawn.organisations_of(rng.randint(0, 2))):
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
    drawn: Shape,
    team_of: Sequence[int],
    outputs: Sequence[Sequence[int]],
    now: datetime,
) -> None:
    rng, segments = drawn.rng, drawn.segments
    rows, decisions = [], []
    channels = list(FEEDBACK_CHANNELS)
    for feedback_id, team in enumerate(team_of, start=1):
        received = drawn.day()
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        organisation = drawn.loud_organisation()
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
            drawn.recorder(),
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
        rows.append((*row, decided, None))
        if decided is not None:
            note = None if status == "not_planned" and rng.random() < 0.2 else "Because"
            for before, after, moment in drawn.history(status, decided):
                decisions.append((feedback_id, before, after, note, drawn.decider(), moment, None))
    if isinstance(drawn, Realistic):
        _merge_some(drawn, rows, decisions)
    columns = ("id", "team_id", "received_on", "organisation_id", "segment_id", "output_id")
    more = ("channel", "text", "contact_agreed", "status", "recorded_by", "created_at")
    write("feedback", (*columns, *more, "updated_at", "first_response_at", "merged_into_id"), rows)
    write(
        "feedback_decision",
        (
            "feedback_id",
            "from_status",
            "to_status",
            "note",
            "decided_by",
            "decided_at",
            "merged_id",
        ),
        decisions,
    )


MERGED_SHARE = 0.05  # of the realistic shape's new items: merged into an earlier item


def _merge_some(drawn: Realistic, rows: list[Any], decisions: list[Any]) -> None:
    """Merge some new items into an earlier item of their team (as `/engage feedback merge`
    does: the merged item points at the kept one, whose history notes the merge)."""
    by_team: dict[int, int] = {}  # each team's latest item not merged away
    status, merged_into = 9, -1  # the row's columns
    for index, row in enumerate(rows):
        feedback_id, team = row[0], row[1]
        kept = by_team.get(team)
        if kept is None or row[status] != "new" or drawn.rng.random() >= MERGED_SHARE:
            by_team[team] = feedback_id
            continue
        rows[index] = (*row[:merged_into], kept)
        moment = datetime.combine(row[2], datetime.min.time(), UTC) + timedelta(hours=12)
        state = rows[kept - 1][status]
        decisions.append((kept, state, state, None, drawn.decider(), moment, feedback_id))


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
