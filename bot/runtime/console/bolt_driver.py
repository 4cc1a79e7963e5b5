"""Feeding Slack-shaped requests to the real Bolt app in-process, signed as Slack signs them,
and waiting until the work each one started (after ack) has finished."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest

from bot.runtime.console.payloads import encode, signed_headers


class TrackedExecutor(ThreadPoolExecutor):
    """A thread pool that can wait until everything submitted so far has finished."""

    def __init__(self) -> None:
        super().__init__(max_workers=4, thread_name_prefix="console-listener")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Wait for the work submitted so far, and for any it submitted in turn."""
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return
            for future in pending:
                if not future.cancelled():
                    future.result(timeout=timeout)


class BoltDriver:
    """Dispatches payloads to `app` the way Slack's HTTP requests reach it."""

    signing_secret = secrets.token_hex(16)

    def __init__(self, app: App, executor: TrackedExecutor) -> None:
        self.app = app
        self.executor = executor

    def send(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Dispatch one request; return the acknowledgement's JSON body, if it had one."""
        body, content_type = encode(payload)
        headers: dict[str, str | Sequence[str]] = {
            **signed_headers(self.signing_secret, body, content_type)
        }
        response = self.app.dispatch(BoltRequest(body=body.decode(), headers=headers))
        self.executor.wait_idle()
        if response.status != 200:
            raise RuntimeError(f"the bot answered {response.status}: {response.body[:200]}")
        return _json_or_none(response.body)


def _json_or_none(body: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
