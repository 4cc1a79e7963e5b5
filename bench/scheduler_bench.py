"""The scheduler's fan-out under Slack's rate limits: one alert to each of 1,000 subscribed
channels, as fast as the limits allow, every channel posted to once and none twice.

    python bench/scheduler_bench.py [--sqlite] [--channels 1000] [--workspace-rate 10]
                                    [--every 5] [--threads N] [--quick]

A fresh database (PostgreSQL by default, SQLite with --sqlite) holds one team with an
upcoming change and `--channels` channels subscribed to it (through `subscribe`, as
`/engage subscribe` does). The fake Slack enforces Slack's limits on chat.postMessage
(bench/slack_limits.py): one message a second in a channel, `--workspace-rate` a second in
the workspace, and of the posts those let through every `--every`-th refused all the same,
each refusal a 429 with its Retry-After. The bench ticks as the change's 28-day reminder
falls due (then every two minutes of schedule time while any is pending, as a cron job
might), with the production settings: one post a second per channel and
ENGAGEBOT_SENDING_THREADS channels at once (`--threads` to compare). It reports the time
against the least the limits allow, the posts and the 429s, and checks from the fake
Slack's record that each channel got the alert exactly once and every delivery is sent.
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
from slack_limits import SlackLimits
from sqlmodel import func, select

from bot.base.config import load_settings
from bot.changes.subscriptions import Target, subscribe
from bot.deliveries.scheduler import Scheduler
from bot.runtime.app import build_scheduler
from bot.teams.editing import TeamDraft, save_team
from storage.database import Database
from storage.deliveries import PENDING
from storage.models import Delivery, UpcomingChange
from tests.fake_slack import FakeSlack

ANNOUNCED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
EFFECTIVE = date(2027, 1, 15)
FIRST_TICK = datetime(2026, 12, 18, 9, 0, tzinfo=UTC)  # 09:00 in London, 28 days before
RETRY_EVERY = timedelta(minutes=2)  # as a cron job might tick
MAX_TICKS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument(
        "--workspace-rate", type=float, default=10, help="posts a second the workspace takes"
    )
    parser.add_argument("--every", type=int, default=5, help="every N-th post refused anyway")
    parser.add_argument("--threads", help="ENGAGEBOT_SENDING_THREADS (default: the setting's)")
    parser.add_argument("--quick", action="store_true", help="100 channels")
    args = parser.parse_args()
    if args.quick:
        args.channels = 100

    workdir = Path(tempfile.mkdtemp(prefix="engagebot-scheduler-"))
    with (
        FakeSlack() as slack,
        fresh_database(args, workdir, "scheduler") as database_url,
    ):
        channels = [f"CSUB{number:05d}" for number in range(args.channels)]
        database = Database(database_url)
        _announce_to(database, channels)
        limits = SlackLimits(per_second=args.workspace_rate, every=args.every)
        slack.limit_rate("chat.postMessage", limits)
        environment = {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_API_URL": slack.url,
            "DATABASE_URL": database_url,
            "ENGAGEBOT_TIMEZONE": "Europe/London",
            "ENGAGEBOT_CHANNEL_PACE_SECONDS": "1",
        }
        if args.threads:
            environment["ENGAGEBOT_SENDING_THREADS"] = args.threads
        settings = load_settings(environment)
        scheduler = build_scheduler(settings, database)
        started = time.perf_counter()
        ticks = _tick_until_done(scheduler, database)
        elapsed = time.perf_counter() - started
        problems = _check(slack, database, channels)
        _report(args, settings.sending_threads, limits, ticks, elapsed, slack, problems)
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


def _check(slack: FakeSlack, database: Database, channels: list[str]) -> list[str]:
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
    threads: int,
    limits: SlackLimits,
    ticks: list[tuple[datetime, str, float]],
    elapsed: float,
    slack: FakeSlack,
    problems: list[str],
) -> None:
    attempts = slack.calls("chat.postMessage")
    limited = sum(1 for call in attempts if call.response.get("error") == "ratelimited")
    database = "SQLite" if args.sqlite else "PostgreSQL"
    least = limits.least_seconds(args.channels)
    print(
        f"{database}: {args.channels} channels, {threads} at once; Slack takes 1 post a second "
        f"a channel, {args.workspace_rate:g} a second in the workspace, and refuses every "
        f"{args.every}th of those anyway"
    )
    for moment, outcome, seconds in ticks:
        print(f"- tick as of {moment:%Y-%m-%d %H:%M} UTC: {outcome} in {seconds:.1f} s")
    ok = len(attempts) - limited
    refused = ", ".join(f"{count} by the {rule} rule" for rule, count in limits.refused.items())
    print(
        f"Total {elapsed:.1f} s: {len(attempts)} chat.postMessage calls, {ok} accepted, "
        f"{limited} answered 429 ({refused})"
    )
    print(
        f"- the least the limits allow: {least:.1f} s; this run took {elapsed / least:.2f} "
        "times that"
    )
    print(f"- every channel alerted exactly once: {'yes' if not problems else 'NO'}")
    for problem in problems:
        print(f"  {problem}")


if __name__ == "__main__":
    main()
