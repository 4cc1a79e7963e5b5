"""Socket Mode: the connection to Slack, a request id per message, and a watch on the
connection that /healthz reads.

slack_sdk's built-in client reconnects by itself (a new URL from apps.connections.open)
when Slack closes the socket, when the socket fails, and when pings go unanswered; what it
cannot do is say, from outside, that it has been failing for a while. `ConnectionWatch`
does, so an orchestrator restarts a process whose socket stays down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.base.config import Settings
from bot.base.logs import new_request_id, request_context
from bot.runtime.app import slack_client

logger = logging.getLogger(__name__)

# slack_sdk checks the socket (and reconnects) once a ping interval; its default of 10 s
# is kept unless the grace period is short, so that several checks fit inside it.
LONGEST_PING_SECONDS = 10.0


class _RequestIdHandler(SocketModeHandler):
    """Each message from Slack is handled under a request id of its own."""

    # mypy: slack_sdk's handler is typed for any client; this one is given the Socket Mode one.
    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        request_id = new_request_id()
        if req.retry_attempt:
            request_id += f"-retry{req.retry_attempt}"
        with request_context(request_id):
            super().handle(client, req)


class ConnectionWatch:
    """Samples `is_connected` every `interval` seconds on a daemon thread; `problem()` says
    what is wrong once it has been disconnected for longer than `grace_seconds`."""

    def __init__(
        self, is_connected: Callable[[], bool], *, grace_seconds: float, interval: float
    ) -> None:
        self._is_connected = is_connected
        self._grace = grace_seconds
        self._interval = interval
        # Not yet connected counts from the start: a socket that never comes up is reported.
        self._disconnected_since: float | None = time.monotonic()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="socket-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=self._interval + 1)

    def problem(self) -> str | None:
        """None while connected or within the grace period, else why the socket is down."""
        since = self._disconnected_since
        if since is None:
            return None
        down = time.monotonic() - since
        return f"disconnected for {down:.0f} s" if down > self._grace else None

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            self.sample()

    def sample(self) -> None:
        """Look at the connection once (the thread does this every interval)."""
        connected = self._is_connected()
        if connected and self._disconnected_since is not None:
            logger.info("Socket Mode connected")
            self._disconnected_since = None
        elif not connected and self._disconnected_since is None:
            logger.warning("Socket Mode disconnected; slack_sdk is reconnecting")
            self._disconnected_since = time.monotonic()


class SocketModeConnection:
    """The Socket Mode handler serving `app`, and the watch on its connection."""

    def __init__(self, settings: Settings, app: App) -> None:
        grace = settings.socket_grace_seconds
        self.handler = _RequestIdHandler(
            app,
            settings.app_token,
            web_client=slack_client(settings, settings.bot_token),
            auto_reconnect_enabled=True,
            ping_interval=min(LONGEST_PING_SECONDS, grace / 4),
        )
        self.watch = ConnectionWatch(
            self.handler.client.is_connected, grace_seconds=grace, interval=min(1.0, grace / 4)
        )

    def connect(self) -> None:
        """Connect (a first failure is retried by slack_sdk, and reported by the watch)."""
        self.handler.connect()
        self.watch.sample()
        self.watch.start()

    def close(self) -> None:
        self.watch.stop()
        self.handler.close()
