"""Serving Slack's requests over HTTP or Socket Mode, and the health check.

One process (`engagebot serve` on SQLite, Socket Mode, the tests) serves on waitress; several
(`--workers N`, ENGAGEBOT_WORKERS, one a core by default on PostgreSQL) on gunicorn, each
worker a process with its own threads, its own database pool and its own ticker, of which
the database lets one tick (`bot/ticker.py: Leadership`). docs/operator/processes.md says how many.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from sqlalchemy.exc import SQLAlchemyError
from waitress import wasyncore
from waitress.server import create_server

from bot.config import DEFAULT_THREADS, Settings
from bot.distribution import INSTALL_PATH, REDIRECT_PATH
from bot.logs import new_request_id, request_context
from bot.scheduling import Ticking
from bot.signed_requests import MAX_BODY_BYTES, Refused, admitted
from bot.socket_mode import ConnectionWatch, SocketModeConnection
from bot.ticker import Leadership, Ticker
from storage.database import Database

logger = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
REQUEST_ID_HEADER = "X-Request-Id"
DRAIN_SECONDS = 10.0
# How long a gunicorn worker told to stop (SIGTERM) has to answer the requests in flight
# and finish the work they started after ack(); then the master kills it. Under Docker's
# and Kubernetes' 30 s before they kill the container (docker-compose.yml gives 30 s).
GRACEFUL_SECONDS = 25

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class CheckedRequestHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, except that a request to POST /slack/events reaches Bolt only
    once its size and signature are checked and its body parses (`bot/signed_requests.py`);
    else it is answered there, with one line in the log."""

    def __init__(self, app: App, signing_secret: str) -> None:
        super().__init__(app, path=SLACK_PATH)
        self.signing_secret = signing_secret

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        try:
            checked = admitted(request, self.signing_secret)
        except Refused as refusal:
            logger.warning("refused a request with %s: %s", refusal.status, refusal.reason)
            return BoltResponse(status=refusal.status, body={"error": refusal.reason})
        return self.app.dispatch(checked)


class WebApp:
    """The WSGI application: GET /healthz, and Slack's requests at POST /slack/events,
    which reach Bolt only once checked (`CheckedRequestHandler`).

    With OAuth distribution, Bolt's adapter also serves the install flow: GET
    /slack/install (the page with the Add to Slack link, which sets the state cookie) and
    GET /slack/oauth_redirect (where Slack sends the installer back; `bot/distribution.py`).
    """

    def __init__(
        self,
        database: Database,
        app: App | None,
        socket_watch: ConnectionWatch | None = None,
        *,
        signing_secret: str | None = None,
    ) -> None:
        self.database = database
        self.socket_watch = socket_watch
        # None in Socket Mode: requests then arrive over the socket, never over HTTP.
        self.slack = None
        if app is not None:
            if not signing_secret:
                raise ValueError("Slack's requests over HTTP need the signing secret")
            self.slack = CheckedRequestHandler(app, signing_secret)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            return self._health(start_response)
        if self.slack is not None:
            request_id = new_request_id()
            if retry := environ.get("HTTP_X_SLACK_RETRY_NUM"):
                request_id += f"-retry{retry}"

            def answered_with_its_id(status: str, headers: list[tuple[str, str]]) -> Any:
                # The id its log lines carry, so that an answer can be found in the log.
                return start_response(status, [*headers, (REQUEST_ID_HEADER, request_id)])

            with request_context(request_id):
                return self.slack(environ, answered_with_its_id)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found"]

    def _health(self, start_response: StartResponse) -> Iterable[bytes]:
        report = {"status": "ok", "database": "ok"}
        try:
            self.database.check()
        except SQLAlchemyError as error:
            logger.warning("health check: database unreachable: %s", error)
            report.update(status="unavailable", database=f"unreachable ({type(error).__name__})")
        if self.socket_watch is not None:
            problem = self.socket_watch.problem()
            report["socket_mode"] = problem or "connected"
            if problem:
                logger.warning("health check: Socket Mode %s", problem)
                report["status"] = "unavailable"
        status = "200 OK" if report["status"] == "ok" else "503 Service Unavailable"
        body = json.dumps(report).encode()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]


class HttpServer:
    """waitress behind a loop we own, so a stop lets requests in flight finish first."""

    def __init__(
        self, wsgi_app: Any, *, host: str, port: int, threads: int = DEFAULT_THREADS
    ) -> None:
        self._server = create_server(
            wsgi_app,
            host=host,
            port=port,
            threads=threads,
            ident="engagebot",
            # waitress refuses (413) a body announced at this size or more before reading
            # it, and a chunked one once this much has come: it reads no more than the cap.
            max_request_body_size=MAX_BODY_BYTES + 1,
        )
        self._stopping = threading.Event()
        self._stopped = threading.Event()

    @property
    def port(self) -> int:
        return int(self._server.effective_port)  # type: ignore[union-attr]

    def serve_forever(self) -> None:
        try:
            while not self._stopping.is_set():
                # Polled, not woken: a stop waits up to this long (a test starts and
                # stops a server each), and waking the loop through waitress's pipe
                # races with the loop closing it.
                wasyncore.loop(timeout=0.05, map=self._server._map, use_poll=True, count=1)
            self._drain()
        finally:
            self._stopped.set()

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="http-server", daemon=True)
        thread.start()
        return thread

    def stop(self, wait: bool = True) -> None:
        self._stopping.set()
        if wait:
            self._stopped.wait(DRAIN_SECONDS + 5)

    def _drain(self) -> None:
        """Stop accepting, finish what is in flight (up to DRAIN_SECONDS), then close."""
        self._server.accepting = False
        self._server.del_channel()
        self._server.socket.close()
        dispatcher = self._server.task_dispatcher
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline and (
            dispatcher.active_count or dispatcher.queue or _pending_output(self._server._map)
        ):
            wasyncore.loop(timeout=0.05, map=self._server._map, use_poll=True, count=1)
        dispatcher.shutdown(timeout=1)
        wasyncore.close_all(self._server._map)


def _pending_output(channels: dict[int, Any]) -> bool:
    return any(getattr(channel, "total_outbufs_len", 0) for channel in channels.values())


@dataclass
class Served:
    """What one serving process serves: the Bolt app on its database, what its clock ticks,
    and how to close them (the thread pools' work after ack() finished first)."""

    database: Database
    app: App
    ticks: Ticking
    close: Callable[[], None]


def serve(settings: Settings, make: Callable[[], Served], *, workers: int, threads: int) -> int:
    """Serve until SIGTERM (or Ctrl-C): `make` builds what each process serves; one process
    on waitress, several on gunicorn. The exit status."""
    if workers == 1:
        served = make()
        try:
            run_until_terminated(settings, served, threads=threads)
        finally:
            served.close()
        # Once the work started after ack() is done too: what it sent is all sent.
        logger.info("stopped")
        return 0
    return Workers(settings, make, workers=workers, threads=threads).serve()


def _ticker(settings: Settings, served: Served) -> Ticker | None:
    """The process's clock, unless ENGAGEBOT_SCHEDULER=off; it ticks while it leads."""
    if not settings.scheduler_enabled:
        return None
    leadership = Leadership.every(served.database, settings.tick_seconds)
    return Ticker(served.ticks, settings.tick_seconds, leadership)


def run_until_terminated(settings: Settings, served: Served, *, threads: int) -> None:
    """Serve in this one process until SIGTERM or Ctrl-C; in Socket Mode, HTTP serves only
    /healthz.

    Unless ENGAGEBOT_SCHEDULER=off, the scheduler ticks meanwhile (if this process leads).
    """
    socket_mode = SocketModeConnection(settings, served.app) if settings.socket_mode else None
    web_app = (
        WebApp(served.database, None, socket_mode.watch)
        if socket_mode
        else WebApp(served.database, served.app, signing_secret=settings.signing_secret)
    )
    server = HttpServer(web_app, host="0.0.0.0", port=settings.port, threads=threads)

    def stop(signum: int, _frame: Any) -> None:
        logger.info("received %s; finishing requests in flight", signal.Signals(signum).name)
        server.stop(wait=False)

    # Before connecting, so a stop that comes during start-up is still a clean one.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if socket_mode is not None:
        socket_mode.connect()
    via = "Socket Mode" if socket_mode else f"POST {SLACK_PATH}"
    logger.info("listening on port %s: health at %s, Slack over %s", server.port, HEALTH_PATH, via)
    _say_where_installs_start(settings)
    ticker = _ticker(settings, served)
    if ticker is not None:
        ticker.start()
        logger.info("scheduler ticking every %s s", settings.tick_seconds)
    server.serve_forever()
    if ticker is not None:
        ticker.stop()
    if socket_mode is not None:
        socket_mode.close()


def _say_where_installs_start(settings: Settings) -> None:
    if settings.oauth_enabled:
        logger.info("installs start at GET %s and return to %s", INSTALL_PATH, REDIRECT_PATH)


class Workers(BaseApplication):  # type: ignore[misc]
    """gunicorn, through its public API: a master that starts `workers` processes (gthread
    workers, `threads` threads each) and restarts any that dies. Each worker builds what it
    serves (`make`) after it is forked, so none shares a database connection or a thread.

    On SIGTERM the master tells every worker to stop: it stops accepting, answers the
    requests in flight, then (`_worker_exit`) stops its ticker and lets the work they
    started after ack() finish, within GRACEFUL_SECONDS in all. Ctrl-C is quicker: the
    workers drop what is in flight, but still finish the work after ack() they hold.
    """

    def __init__(
        self, settings: Settings, make: Callable[[], Served], *, workers: int, threads: int
    ) -> None:
        self.settings = settings
        self.make = make
        self.workers = workers
        self.threads = threads
        # Each worker's own, set in it once forked (`load`).
        self.served: Served | None = None
        self.ticker: Ticker | None = None
        super().__init__(prog="engagebot serve")

    def load_config(self) -> None:
        settings = {
            "bind": [f"0.0.0.0:{self.settings.port}"],
            "workers": self.workers,
            "worker_class": "gthread",
            "threads": self.threads,
            "graceful_timeout": GRACEFUL_SECONDS,
            "proc_name": "engagebot",
            # Nothing steers the master at run time, and two on one host would share the
            # control socket's path.
            "control_socket_disable": True,
            "loglevel": self.settings.log_level.lower(),
            "logger_class": _GunicornLog,
            "when_ready": self._ready,
            "worker_exit": self._worker_exit,
            "on_exit": lambda _arbiter: logger.info("stopped"),
        }
        for name, value in settings.items():
            self.cfg.set(name, value)

    def load(self) -> WebApp:
        """In each worker, once forked: its app, its database pool, its ticker."""
        self.served = self.make()
        self.ticker = _ticker(self.settings, self.served)
        if self.ticker is not None:
            self.ticker.start()
        return WebApp(
            self.served.database, self.served.app, signing_secret=self.settings.signing_secret
        )

    def serve(self) -> int:
        """Run the master until it is told to stop; its exit status."""
        try:
            self.run()
        except SystemExit as halted:  # the master's halt() exits
            return halted.code if isinstance(halted.code, int) else 1
        return 0

    def _ready(self, _arbiter: Any) -> None:
        logger.info(
            "listening on port %s with %s processes of %s threads: health at %s, Slack over "
            "POST %s",
            self.settings.port,
            self.workers,
            self.threads,
            HEALTH_PATH,
            SLACK_PATH,
        )
        _say_where_installs_start(self.settings)
        if self.settings.scheduler_enabled:
            logger.info(
                "scheduler ticking every %s s in the one process that leads",
                self.settings.tick_seconds,
            )

    def _worker_exit(self, _arbiter: Any, _worker: Any) -> None:
        """In a worker, once it has answered the requests in flight."""
        if self.ticker is not None:
            self.ticker.stop()
        if self.served is not None:
            self.served.close()
        logger.info("worker %s stopped", os.getpid())


class _GunicornLog(glogging.Logger):  # type: ignore[misc]
    """gunicorn's own lines (workers booting and exiting, signals) go through engagebot's
    handler, as every other line: one format, redacted, at LOG_LEVEL."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in list(self.error_log.handlers):
            self.error_log.removeHandler(handler)
        self.error_log.propagate = True
