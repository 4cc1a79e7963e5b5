"""CPU time a `/engage` command costs, in one process: the acknowledgement, and the work to
its reply. A steadier measure than the load bench's rates on a busy machine.

    python bench/command_cpu.py [--sqlite] [--commands 1000] [--profile FILE]

It makes a fresh database with a realistic office (as `load_bench.py` does, smaller),
builds what one `engagebot serve` process serves (`bot/runtime/cli.py: _served`: the app,
its inbox and command threads) and the load bench's baseline (bare Bolt acknowledging only),
and pushes signed slash commands through each one's WSGI application (`WebApp`) in this
process, no HTTP server between, from 8 threads at once. It reports the process's CPU time
(all its threads) a command: for the baseline to the last acknowledgement; for engagebot to
the last acknowledgement and to the last reply at the Slack stand-in (which runs in this
process too: its share is in both apps' figures, answering the replies in engagebot's).
With --profile, py-spy (on PATH) samples the process while engagebot's commands run.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from generate import Realistic, generate
from load_bench import SIGNING_SECRET, TEAMS, _commands, _replies
from run_database import add_database_arguments, fresh_database
from slack_bolt import Ack, App

from bot.base.config import load_settings
from bot.base.slack_web import slack_client
from bot.runtime.cli import _served
from bot.runtime.console.payloads import encode, signed_headers
from bot.runtime.console.slack_standin import SlackStandIn
from bot.runtime.serving import WebApp
from storage.database import Database

SENDERS = 8  # requests at once, as the server's threads would take them


class _Named:
    """What `load_bench._commands` reads of a server: its name and how many it has sent."""

    def __init__(self, name: str) -> None:
        self.name, self.sent = name, 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser)
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--engagements", type=int, default=5_000, help="loaded before the run")
    parser.add_argument("--profile", help="py-spy's samples of engagebot's run, to this file")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="engagebot-cpu-"))
    with SlackStandIn() as slack, fresh_database(args, workdir, "cpu") as database_url:
        generate(database_url, args.engagements, args.engagements // 2, TEAMS, 2_000, 2026,
                 shape=Realistic)  # fmt: skip
        os.environ.update(
            SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.url, DATABASE_URL=database_url,
            ENGAGEBOT_TIMEZONE="Europe/London", ENGAGEBOT_SCHEDULER="off",
        )  # fmt: skip
        os.chdir(workdir)  # no .env of the checkout
        settings = load_settings(require_slack=True)
        baseline = WebApp(
            Database(database_url), _bare_bolt(settings), signing_secret=SIGNING_SECRET
        )
        served = _served(settings)
        engagebot = WebApp(served.database, served.app, signing_secret=SIGNING_SECRET)
        try:
            for name, app in (("baseline", baseline), ("engagebot", engagebot)):
                server = _Named(name)
                _push(app, _commands(server, slack, 200))  # warm-up: statements compiled
                if name == "engagebot":
                    _wait(slack, {f"engagebot-{n}" for n in range(200)})
                commands = _commands(server, slack, args.commands)
                with _profiled(args.profile if name == "engagebot" else None):
                    start_cpu, start = time.process_time(), time.monotonic()
                    statuses = _push(app, commands)
                    ack_cpu, acked = time.process_time(), time.monotonic()
                    if name == "engagebot":
                        _wait(slack, {command for command, _ in commands})
                    done_cpu, done = time.process_time(), time.monotonic()
                bad = [status for status in statuses if not status.startswith("200")]
                print(f"{name}: {args.commands} commands ({len(bad)} not 200: {set(bad)}); "
                      "CPU ms a command: "
                      f"{(ack_cpu - start_cpu) * 1000 / args.commands:.2f} to the acks, "
                      f"{(done_cpu - start_cpu) * 1000 / args.commands:.2f} to the replies; "
                      f"wall {acked - start:.1f} s, {done - start:.1f} s; "
                      f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        finally:
            served.close()
    shutil.rmtree(workdir, ignore_errors=True)


def _bare_bolt(settings: Any) -> App:
    """The load bench's baseline (bench/ack_only_app.py), in this process."""
    app = App(
        client=slack_client(settings, settings.bot_token),
        signing_secret=SIGNING_SECRET,
        token_verification_enabled=False,
    )

    @app.command("/engage")
    def acknowledge(ack: Ack) -> None:
        ack()

    return app


def _push(app: WebApp, commands: list[tuple[str, dict[str, str]]]) -> list[str]:
    """Each command through `app`'s WSGI call, `SENDERS` at once; each answer's status."""

    def one(fields: dict[str, str]) -> str:
        body, content_type = encode(fields)
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
            "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body), "SERVER_NAME": "bench", "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            **{"HTTP_" + name.upper().replace("-", "_"): value
               for name, value in signed_headers(SIGNING_SECRET, body, content_type).items()},
        }  # fmt: skip
        answer: list[str] = []
        b"".join(app(environ, lambda status, _headers, _exc=None: answer.append(status)))  # type: ignore[arg-type,misc]
        return answer[0]

    with ThreadPoolExecutor(max_workers=SENDERS) as senders:
        return list(senders.map(one, (fields for _, fields in commands)))


def _wait(slack: SlackStandIn, names: set[str]) -> None:
    deadline = time.monotonic() + 600
    while len(_replies(slack, names)) < len(names):
        if time.monotonic() > deadline:
            raise SystemExit(f"{len(names) - len(_replies(slack, names))} replies missing")
        time.sleep(0.02)


class _profiled:
    def __init__(self, output: str | None) -> None:
        self.output, self.spy = output, None

    def __enter__(self) -> None:
        if self.output:
            self.spy = subprocess.Popen(
                [shutil.which("py-spy") or "py-spy", "record", "--pid", str(os.getpid()),
                 "--gil", "--format", "raw", "--rate", "200", "--output", self.output],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(1)

    def __exit__(self, *_exc: object) -> None:
        if self.spy is not None:
            self.spy.send_signal(signal.SIGINT)
            self.spy.wait(timeout=120)


if __name__ == "__main__":
    sys.exit(main())
