"""The load benchmark's baseline: a bare Bolt app whose /engage listener only calls ack().

    python bench/ack_only_app.py WORKERS THREADS

Served exactly as `engagebot serve --workers WORKERS --threads THREADS` serves the real app
(bot/runtime/serving.py: one process on cheroot, or gunicorn's gthread workers, each building its
app once forked, with a listener pool of 8 threads as `serve` makes it), with the same
settings from the environment (PORT, SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL,
DATABASE_URL for /healthz), so the difference between the two is what engagebot does.
"""

from __future__ import annotations

import sys
from datetime import datetime

from slack_bolt import Ack, App

from bot.base.config import configure_logging, load_settings
from bot.base.logs import ContextExecutor
from bot.base.slack_web import slack_client
from bot.runtime.serving import Served, serve
from storage.database import Database


class NoTicks:
    """The baseline schedules nothing (the bench serves with ENGAGEBOT_SCHEDULER=off)."""

    def tick(self, at: datetime) -> None:
        raise NotImplementedError("the baseline has no scheduler")


def main() -> None:
    workers, threads = int(sys.argv[1]), int(sys.argv[2])
    settings = load_settings(require_slack=True)
    configure_logging(settings)

    def make() -> Served:
        database = Database(settings.database_url)
        executor = ContextExecutor(max_workers=8, thread_name_prefix="listener")
        app = App(
            client=slack_client(settings, settings.bot_token),
            signing_secret=settings.signing_secret or "",
            token_verification_enabled=False,
            listener_executor=executor,
        )

        @app.command("/engage")
        def acknowledge(ack: Ack) -> None:
            ack()

        def close() -> None:
            executor.shutdown(wait=True)
            database.dispose()

        return Served(database, app, NoTicks(), close)  # type: ignore[arg-type]

    sys.exit(serve(settings, make, workers=workers, threads=threads))


if __name__ == "__main__":
    main()
