"""`engagebot serve` as a real process, for the tests that need one: its environment,
starting it, waiting for it, reading its log as it writes it, stopping it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.clocked import engagebot
from tests.conftest import SIGNING_SECRET
from tests.fake_slack import FakeSlack

# A log line's process id (bot/base/logs.py: TextFormatter), after the date and the time.
_PID = re.compile(r"^\S+ \S+ \[(\d+)\] ")


def pid_of(line: str) -> int:
    """The id of the process that wrote a log line."""
    found = _PID.match(line)
    assert found, f"no process id in {line!r}"
    return int(found.group(1))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_environment(
    tmp_path: Path, fake_slack: FakeSlack, migrated: Path | None = None
) -> dict[str, str]:
    """The environment of a `serve` on a fresh SQLite file, talking to `fake_slack`. The file
    is a copy of `migrated` (the `sqlite_template` fixture) if given, which spares the child
    its migrations (the most of its start-up after the imports); else there is none yet."""
    if migrated:
        shutil.copy(migrated, tmp_path / "served.sqlite")
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "LOG_", "ENGAGEBOT_"))
    }
    return {
        **keep,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite'}",
        "PORT": str(free_port()),
    }


def start_serve(env: dict[str, str], cwd: Path, *args: str) -> subprocess.Popen[str]:
    """`engagebot serve ARGS...` in the background, its log on stdout."""
    return subprocess.Popen(
        engagebot("serve", *args),
        env=env,
        cwd=cwd,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@contextmanager
def killed_at_the_end() -> Iterator[list[subprocess.Popen[str]]]:
    """A list for the processes a test starts; any still running at its end is killed."""
    started: list[subprocess.Popen[str]] = []
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.communicate()


def wait_until_healthy(process: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            assert process.poll() is None, process.communicate()[0]
            time.sleep(0.1)


def stop(process: subprocess.Popen[str]) -> str:
    """SIGTERM, then what it logged; it must exit 0."""
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    return output


class LogLines:
    """Reads a process's output line by line as it comes, so a test can wait for a line
    while the process runs."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.process = process
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, text: str, timeout: float = 30) -> str:
        """The first line containing `text`, waiting for it to be written."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: next((line for line in self.lines if text in line), None), timeout
            )
        assert found, f"no line with {text!r} within {timeout}s:\n" + "\n".join(self.lines)
        return found

    def wait_for_all(self, text: str, count: int, timeout: float = 30) -> list[str]:
        """The first `count` lines containing `text`, waiting for them to be written."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.having(text)) >= count, timeout)
            found = self.having(text)
        assert len(found) >= count, f"fewer than {count} lines with {text!r}:\n" + "\n".join(
            self.lines
        )
        return found[:count]

    def having(self, text: str) -> list[str]:
        """The lines written so far that contain `text`."""
        return [line for line in list(self.lines) if text in line]

    def stop(self) -> str:
        """SIGTERM, then everything it wrote (it must exit 0). Not `stop(process)`, whose
        communicate() would take lines from this reader."""
        self.process.send_signal(signal.SIGTERM)
        return self.until_exit()

    def until_exit(self) -> str:
        """Everything it wrote, once it has exited (it must exit 0)."""
        assert self.process.wait(timeout=30) == 0, "\n".join(self.lines)
        self._reader.join(timeout=5)
        return "\n".join(self.lines)
