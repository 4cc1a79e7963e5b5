"""How fast `engagebot serve` acknowledges `/engage log` under load, against a Bolt app that
only acknowledges.

    python bench/load_bench.py [--sqlite] [--requests 600] [--rounds 3] [--quick]

It starts the fake Slack (bot/runtime/console/slack_standin.py) in this process, makes a fresh
database (PostgreSQL, as in production, or SQLite with --sqlite) with one team whose home
channel the commands come from, then two servers as real processes, served the same way:
`engagebot serve` (HTTP mode, scheduler off) and bench/ack_only_app.py, the baseline.
At each concurrency (1, 8, 32) it warms both up, then alternates rounds between them
(baseline, engagebot, baseline, ...), each round `--requests` signed `/engage log <text>`
slash commands, form-encoded as Slack sends them, from distinct users with distinct texts,
each on a new connection. After each engagebot round it waits until every ephemeral reply
has reached the fake Slack, so the baseline never runs beside engagebot's leftover work.

Acknowledgement latency is the time from opening the connection to reading the whole
HTTP 200; throughput is acknowledgements a second over the rounds and, for engagebot, also
commands saved and replied to a second (each round timed to its last reply, since the
saving goes on after the acknowledgements). At the end it checks
that every request was answered 200 and, for engagebot, that every engagement is in the
database and every reply was posted to its response_url.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from run_database import add_database_arguments, fresh_database
from sqlmodel import func, select

from bot.runtime.console.payloads import encode, signed_headers, slash_command
from bot.runtime.console.slack_standin import SlackStandIn
from bot.teams.editing import TeamDraft, save_team
from storage.database import Database
from storage.models import Engagement

BENCH = Path(__file__).resolve().parent
SIGNING_SECRET = "bench-signing-secret"
CHANNEL = "CLOAD"
LEVELS = (1, 8, 32)
P99_TARGET_MS = 300.0  # at concurrency 32; Slack gives up after 3 s
THROUGHPUT_TARGET = 0.70  # of the baseline's
REPLY_WAIT_SECONDS = 120.0


@dataclass
class Sample:
    """What one app did at one concurrency, over all its rounds."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the rounds, without warm-up
    drain_seconds: list[float] = field(default_factory=list)  # last ack to last reply
    cpu_seconds: float = 0.0  # the server process's, till its replies were all posted

    def percentile(self, percent: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds

    @property
    def saved_throughput(self) -> float:
        """Commands saved and replied to a second: the rounds till their last reply."""
        return len(self.latencies_ms) / (self.seconds + sum(self.drain_seconds))

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu_seconds * 1000 / len(self.latencies_ms)


class Server:
    """One of the two apps, as a process of its own listening on `port`."""

    def __init__(self, name: str, command: list[str], environ: dict[str, str], workdir: Path):
        self.name = name
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"{name}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [*command, *([str(self.port)] if name == "baseline" else [])],
                env={**environ, "PORT": str(self.port)},
                cwd=workdir,  # no .env of the checkout
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.sent = 0

    def wait_until_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited: see {self.log}\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer /healthz in {timeout} s: see {self.log}")

    def cpu_seconds(self) -> float:
        """User and system CPU time of the process so far (Linux: /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser)
    parser.add_argument("--requests", type=int, default=600, help="per round, per app")
    parser.add_argument("--rounds", type=int, default=3, help="per concurrency, per app")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)))
    parser.add_argument("--quick", action="store_true", help="a smoke run: 60 requests, 1 round")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample engagebot with py-spy (pip install py-spy) into a collapsed-stacks file",
    )
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds = 60, 1
    levels = [int(level) for level in args.levels.split(",")]

    workdir = Path(tempfile.mkdtemp(prefix="engagebot-load-"))
    with (
        SlackStandIn() as slack,
        fresh_database(args, workdir, "load") as database_url,
    ):
        _make_team(database_url)
        environ = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "DATABASE_URL": database_url,
            "ENGAGEBOT_TIMEZONE": "Europe/London",
            "ENGAGEBOT_SCHEDULER": "off",
        }
        # The baseline's shape, one process, unless asked (`serve` runs one a core on
        # PostgreSQL): ENGAGEBOT_WORKERS=2 compares two with it.
        environ.setdefault("ENGAGEBOT_WORKERS", "1")
        engagebot_command = [str(Path(sys.executable).parent / "engagebot"), "serve"]
        servers = [
            Server("baseline", [sys.executable, str(BENCH / "ack_only_app.py")], environ, workdir),
            Server("engagebot", engagebot_command, environ, workdir),
        ]
        try:
            for server in servers:
                server.wait_until_healthy()
            with _profiled(servers[1], workdir, args.profile):
                results = _run(servers, slack, levels, args.requests, args.rounds)
            problems = _check(servers[1], slack, database_url)
        finally:
            for server in servers:
                server.stop()
    _report(results, levels, args, problems)
    if args.keep or args.profile:
        print(f"\nLogs (and the profile) in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    if problems:
        sys.exit(1)


def _run(
    servers: list[Server], slack: SlackStandIn, levels: list[int], requests: int, rounds: int
) -> dict[tuple[str, int], Sample]:
    results: dict[tuple[str, int], Sample] = {}
    for level in levels:
        for server in servers:
            _fire(server, slack, level, max(4 * level, 40), Sample())  # warm-up, not counted
        for server in servers:
            results[server.name, level] = Sample()
        for _ in range(rounds):
            for server in servers:
                _fire(server, slack, level, requests, results[server.name, level])
        print(f"concurrency {level}: done", file=sys.stderr)
    return results


def _fire(server: Server, slack: SlackStandIn, level: int, count: int, sample: Sample) -> None:
    """`count` requests from `level` threads at once; engagebot's replies awaited after."""
    first = server.sent
    server.sent += count
    numbers = iter(range(first, first + count))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            latency, status = _post_command(server, slack, number)
            with lock:
                sample.latencies_ms.append(latency)
                sample.statuses.append(status)

    cpu, started = server.cpu_seconds(), time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(level)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    acknowledged = time.perf_counter()
    sample.seconds += acknowledged - started
    if server.name == "engagebot":
        _wait_for_replies(slack, server.sent)
        sample.drain_seconds.append(time.perf_counter() - acknowledged)
    sample.cpu_seconds += server.cpu_seconds() - cpu


def _post_command(server: Server, slack: SlackStandIn, number: int) -> tuple[float, int]:
    """One signed `/engage log`, as Slack sends it: (ms to the whole answer, HTTP status)."""
    payload = slash_command(
        f"log Met the user group {server.name} {number} about CPI weights",
        user_id=f"U{number:07d}",
        channel_id=CHANNEL,
        response_url=slack.response_url(f"{server.name}-{number}"),
    )
    body, content_type = encode(payload)
    headers = signed_headers(SIGNING_SECRET, body, content_type)
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("POST", "/slack/events", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        status = answer.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return (time.perf_counter() - started) * 1000, status


def _wait_for_replies(slack: SlackStandIn, count: int) -> None:
    deadline = time.monotonic() + REPLY_WAIT_SECONDS
    while len(_engagebot_replies(slack)) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def _engagebot_replies(slack: SlackStandIn) -> set[str]:
    return {
        call.args["_name"]
        for call in slack.calls("response_url")
        if call.args["_name"].startswith("engagebot-")
    }


def _check(engagebot: Server, slack: SlackStandIn, database_url: str) -> list[str]:
    """What went wrong, if anything: replies, records, errors in engagebot's log."""
    problems = []
    replies = _engagebot_replies(slack)
    recorded = [
        call.args
        for call in slack.calls("response_url")
        if call.args["_name"].startswith("engagebot-") and "Logged" in str(call.args)
    ]
    if len(replies) != engagebot.sent or len(recorded) != engagebot.sent:
        problems.append(
            f"engagebot: {engagebot.sent} commands, {len(replies)} replies, "
            f"{len(recorded)} of them saying it was logged"
        )
    database = Database(database_url)
    with database.transaction() as session:
        engagements = session.exec(select(func.count()).select_from(Engagement)).one()
    database.dispose()
    if engagements != engagebot.sent:
        problems.append(f"engagebot: {engagebot.sent} commands, {engagements} engagements saved")
    errors = [line for line in engagebot.log.read_text().splitlines() if " ERROR " in line]
    if errors:
        problems.append(f"engagebot logged {len(errors)} errors, the first: {errors[0]}")
    return problems


def _report(
    results: dict[tuple[str, int], Sample], levels: list[int], args: argparse.Namespace,
    problems: list[str],
) -> None:  # fmt: skip
    database = "SQLite" if args.sqlite else "PostgreSQL"
    print(
        f"\n{database}; {args.rounds} round(s) of {args.requests} requests per app and "
        f"concurrency; load average before the end: {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| concurrency | app | ack p50 ms | p95 ms | p99 ms | max ms | req/s "
        "| throughput vs baseline | replies done after | saved and replied /s "
        "| server CPU ms a request |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for level in levels:
        baseline = results["baseline", level]
        for name in ("baseline", "engagebot"):
            sample = results[name, level]
            ratio = f"{sample.throughput / baseline.throughput:.0%}" if name != "baseline" else ""
            drain, saved = "", ""
            if sample.drain_seconds:
                drain = f"{statistics.median(sample.drain_seconds):.1f} s"
                saved = f"{sample.saved_throughput:.0f}"
            print(
                f"| {level} | {name} | {sample.percentile(50):.0f} | {sample.percentile(95):.0f} "
                f"| {sample.percentile(99):.0f} | {max(sample.latencies_ms):.0f} "
                f"| {sample.throughput:.0f} | {ratio} | {drain} | {saved} "
                f"| {sample.cpu_ms_per_request:.1f} |"
            )
    bad = sum(status != 200 for sample in results.values() for status in sample.statuses)
    print(f"\nAnswers other than 200: {bad}")
    top = max(levels)
    engagebot, baseline = results["engagebot", top], results["baseline", top]
    p99, ratio = engagebot.percentile(99), engagebot.throughput / baseline.throughput
    verdicts = [
        (f"p99 acknowledgement at concurrency {top} under {P99_TARGET_MS:.0f} ms",
         p99 < P99_TARGET_MS, f"{p99:.0f} ms"),
        (f"throughput at concurrency {top} at least {THROUGHPUT_TARGET:.0%} of the baseline's",
         ratio >= THROUGHPUT_TARGET, f"{ratio:.0%}"),
        ("every command answered 200", bad == 0, f"{bad} not"),
        ("every engagement saved and every reply posted", not problems,
         "; ".join(problems) or "yes"),
    ]  # fmt: skip
    for target, met, figure in verdicts:
        print(f"- {target}: {'met' if met else 'NOT met'} ({figure})")


def _make_team(database_url: str) -> None:
    """One team, whose home channel every command comes from, so each records at once."""
    database = Database(database_url)
    with database.transaction() as session:
        draft = TeamDraft("Prices", CHANNEL, "Consumer price inflation | high")
        save_team(session=session, draft=draft, user_id="UADMIN")
    database.dispose()


@contextmanager
def _profiled(server: Server, workdir: Path, profile: bool) -> Iterator[None]:
    """Sample `server` with py-spy while the block runs: the thread holding the GIL."""
    if not profile:
        yield
        return
    spy = subprocess.Popen(
        [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(server.process.pid),
         "--format", "raw", "--rate", "200", "--gil",
         "--output", str(workdir / "engagebot.collapsed")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes the file when interrupted
        spy.wait(timeout=60)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    main()
