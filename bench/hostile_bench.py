"""How long /healthz takes to answer while `engagebot serve` is sent what anyone who can reach
/slack/events can send (issue #13: under any single request, within 100 ms), and how long a
SIGTERM takes to stop it with a body still trickling in.

    python bench/hostile_bench.py [--seconds 5] [--sizes 100000,1000000,4194304]
    python bench/hostile_bench.py --code /tmp/engagebot-before --sizes 10000,20000

It starts the fake Slack, then `engagebot serve` on a fresh SQLite file (scheduler off), and
for each scenario sends one hostile request after another, one at a time, for `--seconds`,
while another thread asks /healthz every 20 ms (tests/e2e/hostile.py, what the tests send):
unsigned bodies of each size, a body announced over the cap, a chunked body that goes past
it, a body trickling in a byte every 0.2 s, and a signed body that does not parse. It prints
/healthz's latency in each (p50, p95, max), then the seconds from SIGTERM to exit.

With --code, it serves another checkout instead (PYTHONPATH), e.g. the code before the
fix, and sends only the unsigned bodies: that code has no cap, so the others would wait.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from load_bench import SIGNING_SECRET, Server

from bot.runtime.console.payloads import signed_headers
from bot.runtime.console.slack_standin import SlackStandIn
from bot.runtime.signed_requests import MAX_BODY_BYTES
from storage.migrate import upgrade

# The hostile requests and the poller are the tests' own, so the bench measures what they send.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.e2e.hostile import (
    HealthPoller,
    answer_to_an_announced_body,
    answer_to_an_endless_chunked_body,
    post,
    trickling_body,
)

TARGET_MS = 100.0


def unsigned(size: int) -> Callable[[str], object]:
    body = ("text=" + "neverlogged" * (size // 11 + 1))[:size].encode()
    return lambda url: post(url, body)


def unreadable_but_signed(url: str) -> int:
    body = b"payload=%7Bnot+json"
    return post(url, body, signed_headers(SIGNING_SECRET, body))


def scenarios(sizes: list[int], all_kinds: bool) -> dict[str, Callable[[str], object]]:
    chosen: dict[str, Callable[[str], object]] = {
        "nothing else (at rest)": lambda _url: time.sleep(0.05)
    }
    chosen |= {f"unsigned body of {size:,} bytes": unsigned(size) for size in sizes}
    if all_kinds:
        chosen |= {
            "body announced over the cap (413)": lambda url: answer_to_an_announced_body(
                url, MAX_BODY_BYTES + 1
            ),
            "chunked body past the cap (413)": lambda url: answer_to_an_endless_chunked_body(
                url, 2 * MAX_BODY_BYTES
            ),
            "signed body that does not parse (400)": unreadable_but_signed,
        }
    return chosen


def measure(url: str, send: Callable[[str], object], seconds: float) -> tuple[list[float], int]:
    """/healthz latencies while `send` runs again and again for `seconds`; and how often."""
    sent = 0
    with HealthPoller(url) as health:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            send(url)
            sent += 1
    if health.failures:
        raise SystemExit(f"/healthz failed: {health.failures[0]}")
    return health.latencies_ms, sent


@contextmanager
def trickling_for(url: str, seconds: float) -> Iterator[HealthPoller]:
    with HealthPoller(url) as health, trickling_body(url):
        time.sleep(seconds)
        yield health


def row(name: str, latencies: list[float], sent: object) -> str:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    verdict = "yes" if ordered[-1] < TARGET_MS else "NO"
    return (
        f"| {name} | {sent} | {len(ordered)} | {statistics.median(ordered):.1f} | {p95:.1f} "
        f"| {ordered[-1]:.1f} | {verdict} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per scenario")
    parser.add_argument("--sizes", default=f"100000,1000000,{MAX_BODY_BYTES}")
    parser.add_argument("--code", type=Path, help="serve this checkout instead (PYTHONPATH)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="engagebot-hostile-"))
    database_url = f"sqlite:///{workdir / 'engagebot.sqlite'}"
    upgrade(database_url)
    with SlackStandIn() as slack:
        environ = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "DATABASE_URL": database_url,
            "ENGAGEBOT_SCHEDULER": "off",
            **({"PYTHONPATH": str(args.code)} if args.code else {}),
        }
        command = [str(Path(sys.executable).parent / "engagebot"), "serve"]
        server = Server("engagebot", command, environ, workdir)
        server.wait_until_healthy()
        print(f"\nload average at the start: {os.getloadavg()[0]:.1f}; log in {server.log}\n")
        print("| while the server is sent | requests | /healthz answers | p50 ms | p95 ms "
              f"| max ms | max under {TARGET_MS:.0f} ms |")  # fmt: skip
        print("|---|---|---|---|---|---|---|")
        for name, send in scenarios(sizes, all_kinds=args.code is None).items():
            latencies, sent = measure(server.url, send, args.seconds)
            print(row(name, latencies, sent), flush=True)
        trickle = trickling_for(server.url, args.seconds) if args.code is None else nullcontext()
        with trickle as health:
            if health is not None:
                print(row("a body trickling in, a byte each 0.2 s", health.latencies_ms, 1))
            asked = time.perf_counter()
            server.process.send_signal(signal.SIGTERM)
            server.process.wait(timeout=60)
            stopped = time.perf_counter() - asked
        print(f"\nSIGTERM to exit: {stopped:.2f} s (exit status {server.process.returncode})")


if __name__ == "__main__":
    main()
