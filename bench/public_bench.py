"""The public site under readers: every page and feed of a team, 16 readers at once.

    python bench/public_bench.py DATABASE_URL [--seconds 20] [--readers 16] [--teams 1,100]

Gives each team named (by id) a public address (`team-001`, ...) in DATABASE_URL (a
dataset of `bench/generate.py`), serves the site as `engagebot site` does (cheroot, in a
process of its own, 16 threads), and times three runs of every page and feed of those
teams, each URL in turn by each reader on a kept-alive connection of its own:

- **uncached**: each GET with a query parameter no other has, so each one's ETag is new and
  its body made from the database: what every GET cost before the cache;
- **fresh**: plain GETs, with no validator: the body made once an ETag, then from the cache;
- **conditional**: GETs with the ETag of the reader's copy (If-None-Match): 304s.

And, before them, each URL's **first** GET, its body made (the cost after each write to the
team's records). Prints, per run and URL, the count, p50 and p99 in milliseconds, and the
server's CPU time a GET (which a busy machine hardly changes, where it does the latency).
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from itertools import count

from sqlalchemy import create_engine, text

PATHS = (
    "",  # the index
    "{a}/",
    "{a}/changes",
    "{a}/you-said-we-did",
    "{a}/users-and-uses",
    "{a}/opportunities",
    "{a}/changes.atom",
    "{a}/you-said-we-did.atom",
    "{a}/calendar.ics",
)
PREFIX = "/engage/"
SERVER = """
import sys
from zoneinfo import ZoneInfo
from bot.runtime.serving import HttpServer, WebApp
from handlers.web.site import PublicSite
from storage.database import Database
database = Database(sys.argv[1])
site = PublicSite(database, ZoneInfo("Europe/London"))
server = HttpServer(WebApp(database, None, public_site=site, public_path="/engage"),
                    host="127.0.0.1", port=int(sys.argv[2]), threads=16)
print("ready", flush=True)
server.serve_forever()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--teams", default="1,100")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    teams = [int(team) for team in args.teams.split(",")]
    addresses = publish(args.database_url, teams)
    paths = sorted({PREFIX + path.format(a=address) for address in addresses for path in PATHS})
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, args.database_url, str(args.port)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == b"ready"
        first = {path: timed_get(args.port, path, {})[0] for path in paths}
        print("first GET (body made), ms:")
        for path in paths:
            print(f"  {path:<40} {first[path]:8.1f}")
        for run in ("uncached", "fresh", "conditional"):
            before = cpu_seconds(server.pid)
            times = drive(args.port, paths, run, args.readers, args.seconds)
            report(run, times, cpu_seconds(server.pid) - before)
    finally:
        server.terminate()
        server.wait()


def publish(url: str, teams: list[int]) -> list[str]:
    """Give each team of `teams` an address: its ids, as `team-001`."""
    engine = create_engine(url)
    with engine.begin() as connection:
        for team in teams:
            connection.execute(
                text("UPDATE producer_team SET public_slug = :slug WHERE id = :id"),
                {"slug": f"team-{team:03d}", "id": team},
            )
    engine.dispose()
    return [f"team-{team:03d}" for team in teams]


def timed_get(
    port: int,
    path: str,
    headers: dict[str, str],
    connection: http.client.HTTPConnection | None = None,
) -> tuple[float, int, str]:
    """GET `path`: its milliseconds, status and ETag."""
    own = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    own.request("GET", path, headers=headers)
    answer = own.getresponse()
    answer.read()
    took = (time.perf_counter() - started) * 1000
    if connection is None:
        own.close()
    return took, answer.status, answer.headers.get("ETag", "")


def drive(
    port: int, paths: list[str], run: str, readers: int, seconds: float
) -> dict[str, list[float]]:
    """`readers` threads GETting `paths` in turn for `seconds`: each path's milliseconds."""
    times: dict[str, list[float]] = {path: [] for path in paths}
    unique = count()
    lock = threading.Lock()
    until = time.monotonic() + seconds

    def reader(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        etags = {path: timed_get(port, path, {}, connection)[2] for path in paths}
        turn = offset
        while time.monotonic() < until:
            path = paths[turn % len(paths)]
            turn += 1
            asked, headers = path, {}
            if run == "uncached":
                asked = f"{path}?n={next(unique)}"
            elif run == "conditional":
                headers = {"If-None-Match": etags[path]}
            took, status, _ = timed_get(port, asked, headers, connection)
            assert status == (304 if run == "conditional" else 200), (asked, status)
            with lock:
                times[path].append(took)
        connection.close()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def cpu_seconds(pid: int) -> float:
    """The CPU time the process `pid` has used (user and system), in seconds."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(run: str, times: dict[str, list[float]], cpu: float) -> None:
    every = sorted(took for found in times.values() for took in found)
    print(
        f"{run}: {len(every)} GETs, p50 {percentile(every, 50):.1f} ms,"
        f" p99 {percentile(every, 99):.1f} ms, server CPU {cpu * 1000 / len(every):.2f} ms a GET"
    )
    for path, found in times.items():
        found.sort()
        if found:
            print(
                f"  {path:<40} n={len(found):5d} p50 {statistics.median(found):7.1f}"
                f" p99 {percentile(found, 99):7.1f}"
            )


def percentile(values: list[float], rank: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(len(values) * rank / 100))]


if __name__ == "__main__":
    main()
