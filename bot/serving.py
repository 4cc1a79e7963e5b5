"""Serving Slack's requests over HTTP (waitress) or Socket Mode, and the health check."""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from sqlalchemy.exc import SQLAlchemyError
from waitress import wasyncore
from waitress.server import create_server

from bot.config import Settings
from bot.distribution import INSTALL_PATH, REDIRECT_PATH
from bot.logs import new_request_id, request_context
from bot.scheduling import Ticking
from bot.signed_requests import MAX_BODY_BYTES, Refused, admitted
from bot.socket_mode import ConnectionWatch, SocketModeConnection
from bot.ticker import Ticker
from storage.database import Database

logger = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
WORKER_THREADS = 8
DRAIN_SECONDS = 10.0

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
            with request_context(request_id):
                return self.slack(environ, start_response)
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

    def __init__(self, wsgi_app: Any, *, host: str, port: int) -> None:
        self._server = create_server(
            wsgi_app,
            host=host,
            port=port,
            threads=WORKER_THREADS,
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
                wasyncore.loop(timeout=0.2, map=self._server._map, use_poll=True, count=1)
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


def run_until_terminated(
    settings: Settings, database: Database, app: App, scheduler: Ticking
) -> None:
    """Serve until SIGTERM or Ctrl-C; in Socket Mode, HTTP serves only /healthz.

    Unless ENGAGEBOT_SCHEDULER=off, the scheduler ticks meanwhile.
    """
    socket_mode = SocketModeConnection(settings, app) if settings.socket_mode else None
    web_app = (
        WebApp(database, None, socket_mode.watch)
        if socket_mode
        else WebApp(database, app, signing_secret=settings.signing_secret)
    )
    server = HttpServer(web_app, host="0.0.0.0", port=settings.port)

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
    if settings.oauth_enabled:
        logger.info("installs start at GET %s and return to %s", INSTALL_PATH, REDIRECT_PATH)
    ticker = None
    if settings.scheduler_enabled:
        ticker = Ticker(scheduler, settings.tick_seconds)
        ticker.start()
        logger.info("scheduler ticking every %s s", settings.tick_seconds)
    server.serve_forever()
    if ticker is not None:
        ticker.stop()
    if socket_mode is not None:
        socket_mode.close()
    logger.info("stopped")
