"""How long `engagebot --help` and `engagebot review --format json` take as whole commands:
the process started, its imports, the database read, the answer printed, the process gone.

    python bench/startup_bench.py --before /tmp/startup-before DATABASE_URL [DATABASE_URL ...]
        [--runs 15] [--team "Team 001"] [--from 2026-01-01 --to 2026-12-31] [--bytecode]

`--before` is another checkout of the code (`git archive main | tar -x -C DIR`), run the
same way through the same `engagebot` script with its own PYTHONPATH, so the two compare
in one session. Beside them, the floors, each a process of its own too:
- `python -c pass`: the interpreter alone;
- `python -c "import sqlalchemy"`: the least any command that reads the database imports;
- `import storage.database, bot.reviews.formats` (this checkout): everything the review
  imports (SQLAlchemy, SQLModel and pydantic, the tables and their mappers), reading
  nothing; the review's own time is then about the command's minus this.
With `--steps`, it also shows where the review's imports go: in a fresh process each time,
the time each step adds (SQLAlchemy, its ORM, SQLModel with pydantic, the tables, their
mappers, the rest of the database layer, the review's modules, the command line with its
settings, psycopg), medians over `--runs` processes.

Every command runs once to warm the caches, then `--runs` times, taking turns (one run of
each, then again), so a busy spell of the shared machine falls on all of them alike. It
prints the median and 90th percentile of the wall time and the median CPU time (user +
system, of the child process; not a PostgreSQL server's), and checks that both checkouts
print the same review.

Python compiles each module it imports unless it finds the compiled file: an installed
package has them (`pip install` writes them), but a checkout run with
PYTHONDONTWRITEBYTECODE=1 (as this machine's environment and the Dockerfile set) compiles
its own modules on every run. `--bytecode` runs every command as an installed package
would, its compiled files kept in a folder of their own (PYTHONPYCACHEPREFIX) that the
warm-up run fills.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
ENGAGEBOT = Path(sys.executable).parent / "engagebot"  # the installed entry point


@dataclass
class Command:
    name: str
    argv: list[str]
    env: dict[str, str]
    walls: list[float] = field(default_factory=list)  # ms
    cpus: list[float] = field(default_factory=list)  # ms
    output: bytes = b""

    def run(self, cwd: str) -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(self.argv, env=self.env, cwd=cwd, capture_output=True, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            sys.exit(f"{self.name} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
        self.output = done.stdout
        self.walls.append(wall * 1000)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        self.cpus.append(cpu * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_urls", nargs="*", metavar="DATABASE_URL")
    parser.add_argument("--before", type=Path, required=True, help="the code before")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--team", default="Team 001")
    parser.add_argument("--from", dest="period_from", default="2026-01-01")
    parser.add_argument("--to", dest="period_to", default="2026-12-31")
    parser.add_argument("--bytecode", action="store_true", help="keep compiled modules")
    parser.add_argument("--steps", action="store_true", help="where the imports go")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cwd:  # no .env of a checkout
        base = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("SLACK_", "DATABASE_URL", "PYTHONPATH", "PYTHONPYCACHE"))
        }
        if args.bytecode:
            base.pop("PYTHONDONTWRITEBYTECODE", None)
            base["PYTHONPYCACHEPREFIX"] = str(Path(cwd) / "bytecode")
            compiled = "compiled modules kept"
        else:
            compiled = f"PYTHONDONTWRITEBYTECODE={base.get('PYTHONDONTWRITEBYTECODE', '')}"
        commands = _commands(args, base)
        print(
            f"{args.runs} runs each after one to warm up; {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.1f} at the start; {compiled}; "
            f"{args.team}, {args.period_from} to {args.period_to}"
        )
        _measure(commands, args.runs, cwd)
        steps = _steps(args.runs, cwd, base) if args.steps else None
    print(f"load average {os.getloadavg()[0]:.1f} at the end\n")
    _check_same_reviews(commands)
    _report(commands)
    if steps:
        print("\n| the review's imports, step by step | ms p50 |\n|---|---|")
        for step, times in steps.items():
            print(f"| {step} | {statistics.median(times):.0f} |")


def _measure(commands: list[Command], runs: int, cwd: str) -> None:
    """One run of each to warm up, not counted; then `runs` rounds, each command in turn."""
    for command in commands:
        command.run(cwd)
        command.walls.clear()
        command.cpus.clear()
    for _ in range(runs):
        for command in commands:
            command.run(cwd)


def _commands(args: argparse.Namespace, base: dict[str, str]) -> list[Command]:
    trees = {"before": str(args.before.resolve()), "after": str(HERE)}
    python = sys.executable
    commands = [
        Command("python -c pass", [python, "-c", "pass"], base),
        Command("python -c 'import sqlalchemy'", [python, "-c", "import sqlalchemy"], base),
        Command(
            "the review's imports alone",
            [python, "-c", "import storage.database, bot.reviews.formats"],
            {**base, "PYTHONPATH": trees["after"]},
        ),
    ]
    for label, tree in trees.items():
        env = {**base, "PYTHONPATH": tree}
        commands.append(Command(f"engagebot --help, {label}", [str(ENGAGEBOT), "--help"], env))
    review = ["review", "--team", args.team, "--from", args.period_from, "--to", args.period_to]
    for url in args.database_urls:
        for label, tree in trees.items():
            env = {**base, "PYTHONPATH": tree, "DATABASE_URL": url}
            commands.append(
                Command(
                    f"review --format json, {_backend(url)}, {label}",
                    [str(ENGAGEBOT), *review, "--format", "json"],
                    env,
                )
            )
    return commands


# Each step imports what the one before did not (the review's imports, in the order the
# command makes them), and prints the milliseconds it took.
STEPS = """
import time
steps = [
    ("sqlalchemy", "import sqlalchemy"),
    ("sqlalchemy.orm", "import sqlalchemy.orm"),
    ("sqlmodel (and pydantic)", "import sqlmodel"),
    ("the tables (storage.models, with the dialects their indexes name)",
     "import storage.models"),
    ("their mappers, configured", "import sqlalchemy.orm; sqlalchemy.orm.configure_mappers()"),
    ("the rest of storage.database (hooks, audit, workspaces)", "import storage.database"),
    ("bot.reviews.figures, bot.reviews.formats", "import bot.reviews.figures, bot.reviews.formats"),
    ("bot.runtime.cli, bot.base.config (dotenv, logs), storage.console",
     "import bot.runtime.cli, bot.base.config, storage.console"),
    ("psycopg (PostgreSQL only)", "import psycopg"),
]
for name, code in steps:
    started = time.perf_counter()
    exec(code)
    print(f"{name}\t{(time.perf_counter() - started) * 1000}")
"""


def _steps(runs: int, cwd: str, base: dict[str, str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    env = {**base, "PYTHONPATH": str(HERE)}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", STEPS], env=env, cwd=cwd, capture_output=True, check=True
        )
        for line in done.stdout.decode().splitlines():
            name, ms = line.split("\t")
            times.setdefault(name, []).append(float(ms))
    return times


def _backend(url: str) -> str:
    return "SQLite" if url.startswith("sqlite") else "PostgreSQL"


def _check_same_reviews(commands: list[Command]) -> None:
    reviews = {c.name: c.output for c in commands if c.name.startswith("review")}
    for name, output in reviews.items():
        if name.endswith(", after") and output != reviews[name.replace(", after", ", before")]:
            sys.exit(f"{name}: this checkout's review differs from the code before's")


def _report(commands: list[Command]) -> None:
    by_name = {command.name: command for command in commands}
    floor = statistics.median(by_name["python -c pass"].walls)
    print(
        "| command | wall ms p50 / p90 | CPU ms p50 | wall / python -c pass "
        "| after / before, wall | CPU |"
    )
    print("|---|---|---|---|---|---|")
    for command in commands:
        wall = statistics.median(command.walls)
        p90 = statistics.quantiles(command.walls, n=10)[-1]
        cpu = statistics.median(command.cpus)
        against = " | "
        if command.name.endswith(", after"):
            before = by_name[command.name.replace(", after", ", before")]
            against = (
                f"{wall / statistics.median(before.walls):.2f} | "
                f"{cpu / statistics.median(before.cpus):.2f}"
            )
        print(
            f"| {command.name} | {wall:.0f} / {p90:.0f} | {cpu:.0f} | {wall / floor:.1f} "
            f"| {against} |"
        )


if __name__ == "__main__":
    main()
