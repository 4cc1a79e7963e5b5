"""`/engage` under sustained load: acknowledgements and completed commands a second, the
backlog's drain, peak memory, against a bare Bolt app of the same shape; and a kill -9.

    python bench/load_bench.py [--sqlite] [--levels 8,32,64] [--commands 3000] [--rounds 2]
    python bench/load_bench.py --kill          # kill -9 a serving process mid-run, restart
    python bench/load_bench.py --profile       # py-spy (on PATH) samples engagebot's processes

It starts the Slack stand-in (bot/runtime/console/slack_standin.py) in this process, makes a fresh
database (PostgreSQL, or SQLite with --sqlite) and fills it with a realistic office
(`bench/generate.py --realistic`: 20 teams of Zipf-skewed sizes, each with a home channel;
Zipf organisations, unreached segments, seasons, merges, several decisions an item, 60
recorders). Then two servers, real processes in the same shape: `engagebot serve --workers W
--threads T` (scheduler off) and the **baseline**, bench/ack_only_app.py (bare Bolt, its
/engage listener only acknowledging), W and T being engagebot's production setting on that
database (docs/operator/processes.md: 2 x 8 on PostgreSQL, as docker-compose.yml runs it;
1 x 8 on SQLite).

At each concurrency it warms both up, then takes turns (baseline, engagebot, baseline, ...),
each round `--commands` signed slash commands sent by bench/load_client.py (a process of its
own), each on its own connection, as Slack sends them: `/engage log` (four in five) and
`/engage feedback`, from the teams' home channels in proportion to their size, by the 60
recorders (Zipf), with varied texts. A round is sustained: the commands keep coming,
`concurrency` in flight, until all are sent. For engagebot the round then waits until every
command is saved and its reply has reached the stand-in's response_url.

Figures: acknowledgements a second (the round's commands over the time to the last 200) and
their latency; for engagebot, completed commands a second (over the time to the last
reply), the drain (last acknowledgement to last reply), and both servers' peak memory (the
resident memory of the server's processes together, sampled every 100 ms). At the end it
checks every command was answered 200, saved once (by its `source_key`) and replied to.

--kill runs engagebot alone at concurrency 32 (`--lease` shortens the inbox's), kills one of its
processes (a gunicorn worker, which the master restarts; with one process, the process,
started again) with SIGKILL a few seconds in, and checks that every command that got a 200
was saved exactly once and answered.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from generate import RECORDERS, Realistic, generate, home_channel, team_weights
from run_database import add_database_arguments, fresh_database
from sqlalchemy import create_engine, text

from bot.runtime.console.payloads import slash_command
from bot.runtime.console.slack_standin import SlackStandIn

BENCH = Path(__file__).resolve().parent
SIGNING_SECRET = "bench-signing-secret"
LEVELS = (8, 32, 64)
TEAMS = 20
# engagebot's production setting (docs/operator/processes.md, docker-compose.yml).
PRODUCTION = {"postgresql": (2, 8), "sqlite": (1, 8)}
# The targets (issue #14), at concurrency 32.
ACK_TARGET, P99_TARGET_MS, COMPLETION_TARGET = 0.85, 150.0, 0.50
DRAIN_LIMIT_SECONDS = 600.0
KILL_WAIT_SECONDS = 180.0  # for the last reply after a kill: the lease, then the backlog
# What commands are about, a few drawn for each.
SUBJECTS = (
    "CPI weights", "regional figures", "the earnings series", "the labour market survey",
    "response rates", "housing costs", "a user group seminar", "the consultation on methods",
    "council analysts", "a journalist's question about revisions", "the trade figures",
    "population estimates",
)  # fmt: skip


@dataclass
class Sample:
    """What one app did at one concurrency, over its rounds."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    ack_seconds: float = 0.0  # first sent to last answered, summed over the rounds
    done_seconds: float = 0.0  # first sent to last reply (engagebot)
    drains: list[float] = field(default_factory=list)  # last answer to last reply
    peak_mb: float = 0.0
    cpu_seconds: float = 0.0  # the server's, to the last answer (engagebot: to the last reply)
    loads: list[float] = field(default_factory=list)

    def percentile(self, percent: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]

    @property
    def acks(self) -> float:
        return len(self.latencies_ms) / self.ack_seconds

    @property
    def cpu_ms(self) -> float:
        """The server's CPU time a command."""
        return self.cpu_seconds * 1000 / len(self.latencies_ms)

    @property
    def completed(self) -> float:
        return len(self.latencies_ms) / self.done_seconds if self.done_seconds else 0.0


class Server:
    """One of the two apps, as a process (and its workers) listening on a port of its own."""

    def __init__(
        self, name: str, command: list[str], environ: dict[str, str], workdir: Path
    ) -> None:
        self.name, self.command, self.environ, self.workdir = name, command, environ, workdir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"{name}.log"
        self.sent = 0
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as log:
            return subprocess.Popen(
                self.command,
                env={**self.environ, "PORT": str(self.port)},
                cwd=self.workdir,  # no .env of the checkout
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def restart(self) -> None:
        self.process.wait()
        self.process = self._start()
        self.wait_until_healthy()

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

    def pids(self) -> list[int]:
        """The process and its children (gunicorn's workers)."""
        pids, found = [self.process.pid], 0
        while found < len(pids):
            pid, found = pids[found], found + 1
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                with suppress(OSError):
                    pids.extend(int(child) for child in task.read_text().split())
        return pids

    def cpu_seconds(self) -> float:
        """The CPU time its processes have used so far (Linux: /proc)."""
        ticks = 0
        for pid in self.pids():
            with suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def resident_mb(self) -> float:
        total = 0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser)
    parser.add_argument("--commands", type=int, default=3000, help="a round, an app")
    parser.add_argument("--rounds", type=int, default=2, help="each app's, at each concurrency")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)))
    parser.add_argument("--workers", type=int, help="processes (default: production's)")
    parser.add_argument("--threads", type=int, help="threads a process (default: production's)")
    parser.add_argument("--engagements", type=int, default=20_000, help="loaded before the run")
    parser.add_argument("--kill", action="store_true", help="kill -9 a serving process mid-run")
    parser.add_argument("--lease", type=int, help="ENGAGEBOT_INBOX_LEASE_SECONDS (default 60)")
    parser.add_argument("--profile", action="store_true", help="py-spy engagebot's processes")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 300 commands, 1 round")
    args = parser.parse_args()
    if args.quick:
        args.commands, args.rounds = 300, 1
    levels = [int(level) for level in args.levels.split(",")]
    workers, threads = PRODUCTION["sqlite" if args.sqlite else "postgresql"]
    workers, threads = args.workers or workers, args.threads or threads

    workdir = Path(tempfile.mkdtemp(prefix="engagebot-load-"))
    with SlackStandIn() as slack, fresh_database(args, workdir, "load") as database_url:
        started = time.perf_counter()
        generate(database_url, args.engagements, args.engagements // 2, TEAMS, 2_000, 2026,
                 shape=Realistic)  # fmt: skip
        print(f"loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        environ = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "DATABASE_URL": database_url,
            "ENGAGEBOT_TIMEZONE": "Europe/London",
            "ENGAGEBOT_SCHEDULER": "off",
            **({"ENGAGEBOT_INBOX_LEASE_SECONDS": str(args.lease)} if args.lease else {}),
        }
        engagebot = Server(
            "engagebot",
            [str(Path(sys.executable).parent / "engagebot"), "serve",
             "--workers", str(workers), "--threads", str(threads)],
            environ, workdir,
        )  # fmt: skip
        servers = [engagebot]
        if not args.kill:
            baseline_command = [sys.executable, str(BENCH / "ack_only_app.py")]
            servers.insert(0, Server("baseline", [*baseline_command, str(workers), str(threads)],
                                     environ, workdir))  # fmt: skip
        try:
            for server in servers:
                server.wait_until_healthy()
            if args.kill:
                _kill_run(engagebot, slack, args.commands, database_url, args.lease or 60)
                return
            with _profiled(engagebot, workdir, args.profile):
                results = _run(servers, slack, levels, args.commands, args.rounds)
            problems = _check(engagebot, slack, database_url)
        finally:
            for server in servers:
                server.stop()
    _report(results, levels, args, workers, threads, problems)
    if args.keep or args.profile or problems:
        print(f"\nLogs (and the profile) in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    if problems:
        sys.exit(1)


def _run(
    servers: list[Server], slack: SlackStandIn, levels: list[int], commands: int, rounds: int
) -> dict[tuple[str, int], Sample]:
    results: dict[tuple[str, int], Sample] = {}
    for level in levels:
        for server in servers:
            _round(server, slack, level, max(4 * level, 100), Sample())  # warm-up, not counted
            results[server.name, level] = Sample()
        for number in range(rounds):
            for server in servers:
                _round(server, slack, level, commands, results[server.name, level])
            print(f"concurrency {level}: round {number + 1} done", file=sys.stderr)
    return results


def _round(server: Server, slack: SlackStandIn, level: int, count: int, sample: Sample) -> None:
    """`count` commands, `level` at a time; engagebot's replies awaited after."""
    commands = _commands(server, slack, count)
    peak = _PeakMemory(server)
    cpu = server.cpu_seconds()
    with peak:
        answers = _send(server, level, commands)
        first_sent = min(sent for _, _, sent, _ in answers)
        last_answer = max(answered for _, _, _, answered in answers)
        if server.name == "engagebot":
            names = {name for name, status, _, _ in answers if status == 200}
            last_reply = _wait_for_replies(slack, names)
            sample.done_seconds += last_reply - first_sent
            sample.drains.append(last_reply - last_answer)
    sample.cpu_seconds += server.cpu_seconds() - cpu
    sample.ack_seconds += last_answer - first_sent
    sample.latencies_ms += [(answered - sent) * 1000 for _, _, sent, answered in answers]
    sample.statuses += [status for _, status, _, _ in answers]
    sample.peak_mb = max(sample.peak_mb, peak.mb)
    sample.loads.append(os.getloadavg()[0])


def _commands(server: Server, slack: SlackStandIn, count: int) -> list[tuple[str, dict[str, str]]]:
    """The next `count` commands for `server`: realistic teams, people and texts."""
    rng = random.Random(f"{server.name}-{server.sent}")
    teams = rng.choices(range(1, TEAMS + 1), team_weights(TEAMS), k=count)
    commands = []
    for team in teams:
        number = server.sent
        server.sent += 1
        name = f"{server.name}-{number}"
        words = ", ".join(rng.sample(SUBJECTS, rng.randint(1, 6)))
        # The recorders the data has, a few making most (generate.py: RECORDERS).
        recorder = min(int(rng.paretovariate(1.1)), RECORDERS) - 1
        fields = slash_command(
            f"{'feedback' if rng.random() < 0.2 else 'log'} {name}: {words}",
            user_id=f"UREC{recorder:04d}",
            channel_id=home_channel(team),
            response_url=slack.response_url(name),
            trigger_id=f"{number}.{server.name}.{rng.getrandbits(40):x}",
        )
        commands.append((name, fields))
    return commands


def _send(
    server: Server, level: int, commands: list[tuple[str, dict[str, str]]]
) -> list[tuple[str, int, float, float]]:
    client = subprocess.run(
        [sys.executable, str(BENCH / "load_client.py"), f"{server.url}/slack/events", str(level),
         SIGNING_SECRET],
        input=json.dumps(commands).encode(),
        capture_output=True,
        check=True,
    )  # fmt: skip
    return [tuple(answer) for answer in json.loads(client.stdout)]  # type: ignore[misc]


def _wait_for_replies(
    slack: SlackStandIn, names: set[str], limit: float = DRAIN_LIMIT_SECONDS
) -> float:
    """When the last of `names` was replied to (monotonic), waiting up to `limit` s."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        arrived = _replies(slack, names)
        if len(arrived) == len(names):
            return max(arrived.values(), default=time.monotonic())
        time.sleep(0.05)
    print(f"  {len(names) - len(_replies(slack, names))} replies still missing", file=sys.stderr)
    return time.monotonic()


def _replies(slack: SlackStandIn, names: set[str]) -> dict[str, float]:
    """The first reply to each of `names` that has one: when it arrived."""
    arrived: dict[str, float] = {}
    for call in slack.calls("response_url"):
        name = call.args["_name"]
        if name in names and name not in arrived:
            arrived[name] = call.arrived
    return arrived


class _PeakMemory:
    """The most resident memory a server's processes held together while the block ran."""

    def __init__(self, server: Server) -> None:
        self.server, self.mb = server, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> _PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.mb = max(self.mb, self.server.resident_mb())


def _check(engagebot: Server, slack: SlackStandIn, database_url: str) -> list[str]:
    """What went wrong, if anything: replies, records, errors in engagebot's log."""
    names = {f"engagebot-{number}" for number in range(engagebot.sent)}
    problems = _exactly_once(slack, database_url, names)
    errors = [line for line in engagebot.log.read_text().splitlines() if " ERROR " in line]
    if errors:
        problems.append(f"engagebot logged {len(errors)} errors, the first: {errors[0]}")
    return problems


def _exactly_once(slack: SlackStandIn, database_url: str, names: set[str]) -> list[str]:
    """Each command of `names` saved once (its source_key holds its trigger id) and answered
    once."""
    problems = []
    saved = _saved(database_url)
    replies: dict[str, int] = {}
    for call in slack.calls("response_url"):
        if call.args["_name"] in names:
            said = str(call.args.get("text", ""))
            if "Logged" in said or "Recorded" in said:
                replies[call.args["_name"]] = replies.get(call.args["_name"], 0) + 1
    unsaved = [name for name in names if saved.get(name, 0) == 0]
    twice_saved = [name for name in names if saved.get(name, 0) > 1]
    unanswered = [name for name in names if name not in replies]
    twice_answered = [name for name in names if replies.get(name, 0) > 1]
    failures = {"not saved": unsaved, "saved twice": twice_saved,
                "not answered": unanswered, "answered twice": twice_answered}  # fmt: skip
    for what, found in failures.items():
        if found:
            problems.append(f"{len(found)} of {len(names)} {what}, e.g. {sorted(found)[:3]}")
    return problems


def _saved(database_url: str) -> dict[str, int]:
    """How many records each command made (engagements and feedback), by the command's name,
    read from the trigger id in `source_key` (`command:USER:NUMBER.APP.TOKEN`)."""
    engine = create_engine(database_url)
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for table in ("engagement", "feedback"):
            rows = connection.execute(
                text(f"SELECT source_key FROM {table} WHERE source_key LIKE 'command:%'")
            )
            for (key,) in rows:
                number, app, _token = key.rsplit(":", 1)[1].split(".")
                counts[f"{app}-{number}"] = counts.get(f"{app}-{number}", 0) + 1
    engine.dispose()
    return counts


def _kill_run(
    engagebot: Server, slack: SlackStandIn, commands: int, database_url: str, lease: int
) -> None:
    """`commands` at concurrency 32; a serving process killed with SIGKILL 3 s in and
    started again (gunicorn's master restarts a worker); then every 200 checked."""
    answers: list[tuple[str, int, float, float]] = []
    sender = threading.Thread(
        target=lambda: answers.extend(_send(engagebot, 32, _commands(engagebot, slack, commands)))
    )
    sender.start()
    time.sleep(3)
    children = engagebot.pids()[1:]
    victim = children[0] if children else engagebot.process.pid
    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic()
    print(f"killed {victim} ({'a worker' if children else 'the process'})", file=sys.stderr)
    if not children:
        engagebot.restart()
    sender.join()
    acknowledged = {name for name, status, _, _ in answers if status == 200}
    before = sum(1 for _, status, _, answered in answers if status == 200 and answered < killed_at)
    last_reply = _wait_for_replies(slack, acknowledged, limit=KILL_WAIT_SECONDS)
    problems = _exactly_once(slack, database_url, acknowledged)
    engagebot.stop()
    print(
        f"\n--kill on {'SQLite' if 'sqlite' in database_url else 'PostgreSQL'}: {commands} "
        f"commands at concurrency 32, {len(acknowledged)} answered 200 ({before} before the "
        f"kill), {commands - len(acknowledged)} refused or cut off; the last reply "
        f"{last_reply - killed_at:.1f} s after the kill (lease {lease} s)"
    )
    print("- every 200 saved exactly once and answered: "
          + ("yes" if not problems else "NO: " + "; ".join(problems)))  # fmt: skip
    if problems:
        sys.exit(1)


def _report(
    results: dict[tuple[str, int], Sample], levels: list[int], args: argparse.Namespace,
    workers: int, threads: int, problems: list[str],
) -> None:  # fmt: skip
    database = "SQLite" if args.sqlite else "PostgreSQL"
    loads = [load for sample in results.values() for load in sample.loads]
    print(
        f"\n{database}, both servers {workers} process(es) x {threads} threads; {args.rounds} "
        f"round(s) of {args.commands} commands an app and concurrency, taking turns; load "
        f"average {min(loads):.1f} to {max(loads):.1f}\n"
    )
    print(
        "| concurrency | app | acks/s | vs bare Bolt | ack p50 ms | p95 | p99 | max "
        "| completed/s | vs bare Bolt's acks | drain s | peak MB | CPU ms a command |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for level in levels:
        baseline = results["baseline", level]
        for name in ("baseline", "engagebot"):
            sample = results[name, level]
            ratio = completed = completed_ratio = drain = ""
            if name == "engagebot":
                ratio = f"{sample.acks / baseline.acks:.2f}"
                completed = f"{sample.completed:.0f}"
                completed_ratio = f"{sample.completed / baseline.acks:.2f}"
                drain = f"{statistics.median(sample.drains):.1f}"
            print(
                f"| {level} | {name} | {sample.acks:.0f} | {ratio} | {sample.percentile(50):.0f} "
                f"| {sample.percentile(95):.0f} | {sample.percentile(99):.0f} "
                f"| {max(sample.latencies_ms):.0f} | {completed} | {completed_ratio} | {drain} "
                f"| {sample.peak_mb:.0f} | {sample.cpu_ms:.1f} |"
            )
    bad = sum(status != 200 for sample in results.values() for status in sample.statuses)
    print(f"\nAnswers other than 200: {bad}")
    if 32 in levels:
        engagebot, baseline = results["engagebot", 32], results["baseline", 32]
        acks, p99 = engagebot.acks / baseline.acks, engagebot.percentile(99)
        completed = engagebot.completed / baseline.acks
        verdicts = [
            (f"acks at 32 at least {ACK_TARGET:.0%} of bare Bolt's", acks >= ACK_TARGET,
             f"{acks:.2f}"),
            (f"ack p99 at 32 at most {P99_TARGET_MS:.0f} ms", p99 <= P99_TARGET_MS,
             f"{p99:.0f} ms"),
            (f"completed at 32 at least {COMPLETION_TARGET:.0%} of bare Bolt's acks",
             completed >= COMPLETION_TARGET, f"{completed:.2f}"),
        ]  # fmt: skip
        for target, met, figure in verdicts:
            print(f"- {target}: {'met' if met else 'NOT met'} ({figure})")
    print("- every command answered 200, saved once and replied to: "
          + ("yes" if not problems and not bad else "NO: " + "; ".join(problems)))  # fmt: skip


@contextmanager
def _profiled(server: Server, workdir: Path, profile: bool) -> Iterator[None]:
    """Sample `server`'s processes with py-spy while the block runs: the thread holding the
    interpreter lock, so the samples are where the CPU goes."""
    if not profile:
        yield
        return
    spy = subprocess.Popen(
        [shutil.which("py-spy") or "py-spy", "record", "--pid", str(server.process.pid),
         "--subprocesses", "--gil", "--format", "raw", "--rate", "100",
         "--output", str(workdir / "engagebot.collapsed")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes the file when interrupted
        spy.wait(timeout=120)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    main()
