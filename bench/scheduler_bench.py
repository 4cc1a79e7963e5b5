"""The scheduler under Slack's rate limits: one alert to each of 1,000 subscribed channels,
429s injected, every channel posted to once and none twice.

    python bench/scheduler_bench.py [--sqlite] [--channels 1000] [--limited 30]
                                    [--stubborn 3] [--quick]

A fresh database (PostgreSQL by default, SQLite with --sqlite) holds one team with an
upcoming change and `--channels` channels subscribed to it (through `subscribe`, as
`/engage subscribe` does). The fake Slack answers the first chat.postMessage to `--limited`
channels with HTTP 429 and `Retry-After: 1`, which the client waits out and retries; to
`--stubborn` more it answers 429 four times running, more than the client retries, so those
deliveries wait in the queue for a later tick. The bench ticks as the change's 28-day
reminder falls due, then every two minutes until nothing is
pending, with the production setting of one post a second per channel
(ENGAGEBOT_CHANNEL_PACE_SECONDS=1). It reports the time, the posts and the 429s, and
checks from the fake Slack's record that each channel got the alert exactly once.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from run_database import add_database_arguments, fresh_database
from sqlmodel import func, select

from bot.app import build_scheduler
from bot.config import load_settings
from bot.console.slack_standin import SlackStandIn
from bot.scheduling import Scheduler
from bot.subscriptions import Target, subscribe
from bot.teams import TeamDraft, save_team
from storage.database import Database
from storage.deliveries import PENDING
from storage.models import Delivery, UpcomingChange

ANNOUNCED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
EFFECTIVE = date(2027, 1, 15)
FIRST_TICK = datetime(2026, 12, 18, 9, 0, tzinfo=UTC)  # 09:00 in London, 28 days before
RETRY_EVERY = timedelta(minutes=2)  # as a cron job might tick
MAX_TICKS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--limited", type=int, default=30, help="channels given one 429")
    parser.add_argument("--stubborn", type=int, default=3, help="channels given four 429s")
    parser.add_argument("--quick", action="store_true", help="100 channels, 5 + 1 limited")
    args = parser.parse_args()
    if args.quick:
        args.channels, args.limited, args.stubborn = 100, 5, 1

    workdir = Path(tempfile.mkdtemp(prefix="engagebot-scheduler-"))
    with (
        SlackStandIn() as slack,
        fresh_database(args, workdir, "scheduler") as database_url,
    ):
        channels = [f"CSUB{number:05d}" for number in range(args.channels)]
        database = Database(database_url)
        _announce_to(database, channels)
        _inject_429s(slack, channels, args.limited, args.stubborn)
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_API_URL": slack.url,
                "DATABASE_URL": database_url,
                "ENGAGEBOT_TIMEZONE": "Europe/London",
                "ENGAGEBOT_CHANNEL_PACE_SECONDS": "1",
            }
        )
        scheduler = build_scheduler(settings, database)
        started = time.perf_counter()
        ticks = _tick_until_done(scheduler, database)
        elapsed = time.perf_counter() - started
        problems = _check(slack, database, channels)
        _report(args, ticks, elapsed, slack, problems)
        database.dispose()
    shutil.rmtree(workdir, ignore_errors=True)
    if problems:
        sys.exit(1)


def _announce_to(database: Database, channels: list[str]) -> None:
    """A team without a home channel (so only the subscribers hear), its change, and the
    channels subscribed to the whole team."""
    with database.transaction() as session:
        team = save_team(
            session=session,
            draft=TeamDraft("Prices", None, "Consumer price inflation | high"),
            user_id="UADMIN",
        )
        for channel in channels:
            subscribe(session=session, channel_id=channel, target=Target(team), user_id="U1")
        session.add(
            UpcomingChange(
                team_id=team.id,  # type: ignore[arg-type]
                output_id=team.outputs[0].id,  # type: ignore[arg-type]
                title="CPI weights rebased",
                description="From January the basket's weights use 2026 spending.",
                effective_on=EFFECTIVE,
                created_by="ULEAD",
                created_at=ANNOUNCED,
                updated_at=ANNOUNCED,
            )
        )


def _inject_429s(slack: SlackStandIn, channels: list[str], limited: int, stubborn: int) -> None:
    """Spread over the run: one 429 for `limited` channels, four for `stubborn` ones."""
    step = max(1, len(channels) // max(1, limited + stubborn))
    chosen = channels[::step][: limited + stubborn]
    for number, channel in enumerate(chosen):
        slack.fail_next(
            "chat.postMessage",
            "ratelimited",
            status=429,
            headers={"Retry-After": "1"},
            times=4 if number < stubborn else 1,
            channel=channel,
        )


def _tick_until_done(scheduler: Scheduler, database: Database) -> list[tuple[datetime, str, float]]:
    """Tick at the reminder's moment, then every RETRY_EVERY while anything is pending."""
    ticks = []
    moment = FIRST_TICK
    for _ in range(MAX_TICKS):
        started = time.perf_counter()
        outcome = scheduler.tick(moment)
        ticks.append((moment, str(outcome), time.perf_counter() - started))
        with database.transaction() as session:
            pending = session.exec(
                select(func.count()).select_from(Delivery).where(Delivery.status == PENDING)
            ).one()
        if not pending:
            break
        moment += RETRY_EVERY
    return ticks


def _check(slack: SlackStandIn, database: Database, channels: list[str]) -> list[str]:
    """Each channel posted to exactly once (Slack said ok once), every delivery sent."""
    accepted = collections.Counter(
        call.args["channel"]
        for call in slack.calls("chat.postMessage")
        if call.response.get("ok")
    )  # fmt: skip
    problems = []
    missing = [channel for channel in channels if accepted[channel] == 0]
    twice = [channel for channel, count in accepted.items() if count > 1]
    strangers = set(accepted) - set(channels)
    if missing:
        problems.append(f"{len(missing)} channels got no alert, e.g. {missing[:3]}")
    if twice:
        problems.append(f"{len(twice)} channels got the alert more than once, e.g. {twice[:3]}")
    if strangers:
        problems.append(f"posts to channels not subscribed: {sorted(strangers)[:3]}")
    with database.transaction() as session:
        statuses = collections.Counter(session.exec(select(Delivery.status)).all())
    if statuses != {"sent": len(channels)}:
        problems.append(f"deliveries: {dict(statuses)}, expected {len(channels)} sent")
    return problems


def _report(
    args: argparse.Namespace,
    ticks: list[tuple[datetime, str, float]],
    elapsed: float,
    slack: SlackStandIn,
    problems: list[str],
) -> None:
    attempts = slack.calls("chat.postMessage")
    limited = sum(1 for call in attempts if call.response.get("error") == "ratelimited")
    database = "SQLite" if args.sqlite else "PostgreSQL"
    print(
        f"{database}: {args.channels} channels, {args.limited} given one 429 and "
        f"{args.stubborn} four 429s running (Retry-After: 1 s), one post a second per channel"
    )
    for moment, outcome, seconds in ticks:
        print(f"- tick as of {moment:%Y-%m-%d %H:%M} UTC: {outcome} in {seconds:.1f} s")
    ok = len(attempts) - limited
    print(
        f"Total {elapsed:.1f} s: {len(attempts)} chat.postMessage calls, {ok} accepted, "
        f"{limited} answered 429; {ok / elapsed:.0f} posts a second overall"
    )
    print(f"- every channel alerted exactly once: {'yes' if not problems else 'NO'}")
    for problem in problems:
        print(f"  {problem}")


if __name__ == "__main__":
    main()
