"""The load benchmark's baseline: a Bolt app whose /engage listener only calls ack().

    python bench/ack_only_app.py PORT

Served exactly as `engagebot serve` serves the real app (bot/runtime/serving.py: `WebApp` behind
`HttpServer`, cheroot with the same worker threads, one process, listeners on a pool of
8 threads as `serve` makes it), with the same settings from the environment
(SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL, DATABASE_URL for /healthz), so the
difference between the two is what engagebot does before it acknowledges.
"""

from __future__ import annotations

import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App

from bot.base.config import configure_logging, load_settings
from bot.runtime.app import slack_client
from bot.runtime.serving import HttpServer, WebApp
from storage.database import Database


def main() -> None:
    settings = load_settings(require_slack=True)
    configure_logging(settings)
    database = Database(settings.database_url)
    executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="listener")
    app = App(
        client=slack_client(settings, settings.bot_token),
        signing_secret=settings.signing_secret or "",
        token_verification_enabled=False,
        listener_executor=executor,
    )

    @app.command("/engage")
    def acknowledge(ack: Ack) -> None:
        ack()

    web_app = WebApp(database, app, signing_secret=settings.signing_secret)
    server = HttpServer(web_app, host="127.0.0.1", port=int(sys.argv[1]))

    def stop(_signum: int, _frame: Any) -> None:
        server.stop(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    executor.shutdown(wait=True)
    database.dispose()


if __name__ == "__main__":
    main()
