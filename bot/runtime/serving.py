"""Serving Slack's requests over HTTP or Socket Mode, and the health check.

One process (`engagebot serve` on SQLite, Socket Mode, the tests) serves on cheroot; several
(`--workers N`, ENGAGEBOT_WORKERS, one a core by default on PostgreSQL) on gunicorn, each
worker a process with its own threads, its own database pool and its own ticker, of which
the database lets one tick (`bot/runtime/ticker.py: Leadership`).
docs/operator/processes.md says how many.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from wsgiref.types import StartResponse

from cheroot import wsgi
from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from sqlalchemy.exc import SQLAlchemyError

from bot.base.config import DEFAULT_THREADS, Settings
from bot.base.logs import new_request_id, request_context
from bot.deliveries.scheduler import Ticking
from bot.installs.distribution import INSTALL_PATH, REDIRECT_PATH
from bot.runtime.signed_requests import Refused, admitted
from bot.runtime.socket_mode import ConnectionWatch, SocketModeConnection
from bot.runtime.ticker import Leadership, Ticker
from storage.database import Database

logger = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
SLACK_PREFIX = "/slack/"  # Slack's events and Bolt's install flow, never the public site's
HEALTH_PATH = "/healthz"
REQUEST_ID_HEADER = "X-Request-Id"
DRAIN_SECONDS = 10
# cheroot's serving loop waits for a connection this long at a time, and sees stop() only
# between waits: with its default (0.5 s) every stop, each test's server's too, took 0.2 s;
# so, 10 ms, for a fifth of a percent of a core while idle.
STOP_SEEN_WITHIN_SECONDS = 0.05
# How long a gunicorn worker told to stop (SIGTERM) has to answer the requests in flight
# and finish the work they started after ack(); then the master kills it. Under Docker's
# and Kubernetes' 30 s before they kill the container (docker-compose.yml gives 30 s).
GRACEFUL_SECONDS = 25

WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class CheckedRequestHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, except that a request to POST /slack/events reaches Bolt only
    once its size and signature are checked and its body parses (`bot/runtime/signed_requests.py`);
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
    """The WSGI application: GET /healthz, Slack's requests at POST /slack/events,
    which reach Bolt only once checked (`CheckedRequestHandler`), and, given one, the
    public site (`handlers/web/`) under `public_path` (ENGAGEBOT_PUBLIC_URL's).

    With OAuth distribution, Bolt's adapter also serves the install flow: GET
    /slack/install (the page with the Add to Slack link, which sets the state cookie) and
    GET /slack/oauth_redirect (where Slack sends the installer back;
    `bot/installs/distribution.py`).
    """

    def __init__(
        self,
        database: Database,
        app: App | None,
        socket_watch: ConnectionWatch | None = None,
        *,
        signing_secret: str | None = None,
        public_site: WsgiApp | None = None,
        public_path: str = "/",
    ) -> None:
        self.database = database
        self.socket_watch = socket_watch
        self.public_site = public_site
        self.public_prefix = public_path.rstrip("/")  # "" for the site at "/"
        # None in Socket Mode: requests then arrive over the socket, never over HTTP.
        self.slack = None
        if app is not None:
            if not signing_secret:
                raise ValueError("Slack's requests over HTTP need the signing secret")
            self.slack = CheckedRequestHandler(app, signing_secret)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            return self._health(start_response)
        if self.public_site is not None and self._is_public(path):
            # Mounted as WSGI mounts an app under a path, so that its links start with it.
            prefix = self.public_prefix
            mounted = {**environ, "SCRIPT_NAME": environ.get("SCRIPT_NAME", "") + prefix}
            mounted["PATH_INFO"] = path[len(prefix) :]
            with request_context(new_request_id()):
                return self.public_site(mounted, start_response)
        if self.slack is not None:
            request_id = new_request_id()
            if retry := environ.get("HTTP_X_SLACK_RETRY_NUM"):
                request_id += f"-retry{retry}"

            def answered_with_its_id(
                status: str, headers: list[tuple[str, str]], exc_info: Any = None
            ) -> Callable[[bytes], object]:
                # The id its log lines carry, so that an answer can be found in the log.
                headers = [*headers, (REQUEST_ID_HEADER, request_id)]
                if exc_info is None:
                    return start_response(status, headers)
                return start_response(status, headers, exc_info)

            with request_context(request_id):
                return self.slack(environ, answered_with_its_id)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found"]

    def _is_public(self, path: str) -> bool:
        """Whether `path` is the public site's: under its path, and not Slack's."""
        prefix = self.public_prefix
        under = path == prefix or path.startswith(prefix + "/")
        return under and not path.startswith(SLACK_PREFIX)

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
    """cheroot, whose stop is public and graceful: it stops accepting, closes the idle
    connections and gives the requests in flight DRAIN_SECONDS to finish. A body over the
    cap is refused unread by `read_body` (bot/runtime/signed_requests.py), as under gunicorn."""

    def __init__(
        self, wsgi_app: Any, *, host: str, port: int, threads: int = DEFAULT_THREADS
    ) -> None:
        self._server = wsgi.Server(
            (host, port),
            wsgi_app,
            numthreads=threads,
            server_name="engagebot",
            shutdown_timeout=DRAIN_SECONDS,
            # Connections waiting to be accepted: a burst of Slack's requests is not refused
            # (cheroot's default is 5; gunicorn's, and waitress's before it, 2048 and 1024).
            request_queue_size=1024,
        )
        # mypy: error_log is cheroot's documented hook for its own lines.
        self._server.error_log = _cheroot_line  # type: ignore[method-assign]
        self._server.expiration_interval = STOP_SEEN_WITHIN_SECONDS
        self._server.prepare()  # binds the port now, so that `port` is known at once
        self._stopped = threading.Event()

    @property
    def port(self) -> int:
        return int(self._server.bind_addr[1])

    def serve_forever(self) -> None:
        """Serve until `stop`, and return once the requests in flight are answered."""
        self._server.serve()
        self._stopped.wait()

    def stop(self, wait: bool = True) -> None:
        """Stop serving; without `wait` (from a signal handler, on the thread that serves) on
        a thread of its own, which the serving loop must be free to answer."""
        if wait:
            self._stop()
        else:
            threading.Thread(target=self._stop, name="http-stop").start()

    def _stop(self) -> None:
        self._server.stop()
        self._stopped.set()


def _cheroot_line(msg: str = "", level: int = logging.INFO, traceback: bool = False) -> None:
    """cheroot's own lines (a connection broken, a request it could not parse) go through
    engagebot's log, as every other line: one format, redacted, at LOG_LEVEL."""
    logger.log(level, "http server: %s", msg, exc_info=traceback)


@dataclass
class Served:
    """What one serving process serves: the Bolt app on its database, what its clock ticks,
    and how to close them (the thread pools' work after ack() finished first)."""

    database: Database
    app: App
    ticks: Ticking
    close: Callable[[], None]


def web_app_of(
    settings: Settings, served: Served, socket_watch: ConnectionWatch | None = None
) -> WebApp:
    """What one process answers over HTTP: in Socket Mode (`socket_watch`), /healthz and
    the public site only; else Slack's requests too. The public site only if
    ENGAGEBOT_PUBLIC_URL is set."""
    public_site = None
    if settings.public_url is not None:
        from handlers.web.site import PublicSite

        public_site = PublicSite.of(served.database, settings)
    return WebApp(
        served.database,
        None if socket_watch else served.app,
        socket_watch,
        signing_secret=None if socket_watch else settings.signing_secret,
        public_site=public_site,
        public_path=settings.public_path,
    )


def serve(settings: Settings, make: Callable[[], Served], *, workers: int, threads: int) -> int:
    """Serve until SIGTERM (or Ctrl-C): `make` builds what each process serves; one process
    on cheroot, several on gunicorn. The exit status."""
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
    web_app = web_app_of(settings, served, socket_mode.watch if socket_mode else None)
    server = HttpServer(web_app, host="0.0.0.0", port=settings.port, threads=threads)
    # Before connecting, so a stop that comes during start-up is still a clean one.
    _stop_on_signals(server)
    if socket_mode is not None:
        socket_mode.connect()
    via = "Socket Mode" if socket_mode else f"POST {SLACK_PATH}"
    logger.info("listening on port %s: health at %s, Slack over %s", server.port, HEALTH_PATH, via)
    _say_where_installs_start(settings)
    _say_where_the_public_site_is(settings)
    ticker = _ticker(settings, served)
    if ticker is not None:
        ticker.start()
        logger.info("scheduler ticking every %s s", settings.tick_seconds)
    server.serve_forever()
    if ticker is not None:
        ticker.stop()
    if socket_mode is not None:
        socket_mode.close()


def _stop_on_signals(server: HttpServer) -> None:
    """SIGTERM or Ctrl-C stops `server` once the requests in flight are answered."""

    def stop(signum: int, _frame: Any) -> None:
        logger.info("received %s; finishing requests in flight", signal.Signals(signum).name)
        server.stop(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def serve_site(settings: Settings, database: Database, *, port: int, threads: int) -> None:
    """`engagebot site`: the public site alone (and /healthz), in this one process, until
    SIGTERM or Ctrl-C."""
    from handlers.web.site import PublicSite

    site = PublicSite.of(database, settings)
    web_app = WebApp(database, None, public_site=site, public_path=settings.public_path)
    server = HttpServer(web_app, host="0.0.0.0", port=port, threads=threads)
    _stop_on_signals(server)
    logger.info(
        "listening on port %s: the public site at %s, health at %s",
        server.port,
        settings.public_path,
        HEALTH_PATH,
    )
    server.serve_forever()
    logger.info("stopped")


def _say_where_the_public_site_is(settings: Settings) -> None:
    if settings.public_url is not None:
        logger.info("public site at %s (path %s)", settings.public_url, settings.public_path)


def _say_where_installs_start(settings: Settings) -> None:
    if settings.oauth_enabled:
        logger.info("installs start at GET %s and return to %s", INSTALL_PATH, REDIRECT_PATH)


class Workers(BaseApplication):
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
        return web_app_of(self.settings, self.served)

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
        _say_where_the_public_site_is(self.settings)
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


class _GunicornLog(glogging.Logger):
    """gunicorn's own lines (workers booting and exiting, signals) go through engagebot's
    handler, as every other line: one format, redacted, at LOG_LEVEL."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in list(self.error_log.handlers):
            self.error_log.removeHandler(handler)
        self.error_log.propagate = True
