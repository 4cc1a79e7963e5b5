"""Assembling the Bolt app: the client pointed at SLACK_API_URL, context, listeners."""

from __future__ import annotations

import os
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import timedelta
from logging import Logger
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.base.config import Settings
from bot.base.logs import ContextExecutor, keep_request_bodies_out_of_bolts_log
from bot.base.mail import MailService, mail_service
from bot.base.slack_web import slack_client
from bot.deliveries.scheduler import Scheduler, Ticking
from bot.installs.distribution import NOT_INSTALLED, EveryWorkspace, oauth_settings
from handlers.acting import request_actor, workspace_for
from handlers.inbox import Inbox, ListenerPool
from handlers.listeners import DELIVERY_KINDS, configured_kinds, register_listeners
from storage.auditing import Actor
from storage.database import Database

# What the scheduler writes (a subscription ended because its channel went) is its own doing.
SCHEDULER = Actor("scheduler", "scheduler:delivery")


def build_scheduler(
    settings: Settings,
    database: Database,
    client: WebClient | None = None,
    mail: MailService | None = None,
) -> Scheduler:
    """The one `Scheduler` of a process: ticks, and announcements sent from listeners;
    email through `mail`, else the service the settings set up (if any)."""
    return Scheduler(
        database=database.acting_as(SCHEDULER),
        client=client or slack_client(settings, settings.bot_token),
        kinds=(*DELIVERY_KINDS, *configured_kinds(settings)),
        timezone=settings.timezone,
        pace_seconds=settings.channel_pace_seconds,
        threads=settings.sending_threads,
        personal_data_months=settings.personal_data_months,
        lease=timedelta(seconds=settings.sending_lease_seconds),
        mail=mail or mail_service(settings),
    )


def build_ticks(settings: Settings, scheduler: Scheduler) -> Ticking:
    """What each tick runs: `scheduler` in its one workspace, or with OAuth distribution
    in every installed workspace with that workspace's token."""
    if not settings.oauth_enabled:
        return scheduler
    assert settings.client_id is not None
    return EveryWorkspace(
        scheduler, settings.client_id, lambda token: slack_client(settings, token)
    )


def build_inbox(settings: Settings, database: Database, pool: Executor) -> Inbox:
    """The inbox that keeps what listeners acknowledge (`handlers/inbox.py`), their work
    done on `pool`."""
    return Inbox(
        database,
        pool,
        capacity=settings.inbox_queue,
        lease=timedelta(seconds=settings.inbox_lease_seconds),
    )


def leave_bolts_own_oauth_off() -> None:
    """Bolt given no OAuth settings turns on an installation store of its own whenever
    SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are in the environment, blank or not (a .env
    copied from .env.example has both, empty), and then refuses every request of the one
    workspace as not installed. Here blank means unset, as for every setting."""
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        os.environ.pop(name, None)


def build_app(
    settings: Settings,
    database: Database,
    executor: ThreadPoolExecutor | None = None,
    scheduler: Scheduler | None = None,
    command_executor: ThreadPoolExecutor | None = None,
    inbox: Inbox | None = None,
) -> App:
    """The Bolt app with every listener, checking request signatures unless in Socket Mode;
    with OAuth distribution, it also serves the install flow (`bot/installs/distribution.py`).

    Listeners run on `executor` (a `ContextExecutor`, so their log lines keep the request's
    id); the work they do after ack() is kept in `inbox` and done on `command_executor`
    (`executor` if not given; an inbox is made if not given); `serve` waits for both before
    exiting. Listeners that announce something hand it to `scheduler` (one is made if not
    given).
    """
    executor = executor or ContextExecutor(max_workers=8)
    inbox = inbox or build_inbox(settings, database, command_executor or executor)
    keep_request_bodies_out_of_bolts_log()
    if not settings.oauth_enabled:
        leave_bolts_own_oauth_off()
    app = App(
        # Named, or Bolt takes the caller's file name from inspect.stack(), slow in deep stacks.
        name="engagebot",
        # With OAuth distribution, no token: each request gets its workspace's.
        client=slack_client(settings, settings.bot_token),
        signing_secret=settings.signing_secret or "",
        # Socket Mode messages are not signed; HTTP requests always are.
        request_verification_enabled=not settings.socket_mode,
        # `serve` checks the token itself, to say clearly what is wrong with it.
        token_verification_enabled=False,
        # A request taken again from the inbox runs its listener on the thread taking it.
        listener_executor=ListenerPool(executor),
        oauth_settings=oauth_settings(settings, database) if settings.oauth_enabled else None,
        user_facing_authorize_error_message=NOT_INSTALLED,
    )

    scheduler = scheduler or build_scheduler(settings, database, app.client)

    @app.middleware
    def provide_services(
        context: BoltContext, body: dict[str, Any], logger: Logger, next: Any
    ) -> BoltResponse | None:
        workspace = workspace_for(settings, context)
        if workspace is None:
            # Bolt's authorisation answers requests from workspaces not installed; this is
            # the guard should one with no team (an org-wide install) get past it. Answered,
            # so that Slack does not send it again, and left alone.
            logger.warning("a request from no single workspace is ignored")
            return BoltResponse(status=200, body="")
        # Bound to the person acting and their workspace: the listener runs on another
        # thread after ack(), so the database it is given carries who and from where to the
        # audit log, and reads and writes only that workspace's records.
        actor = request_actor(body, context.user_id)
        context["database"] = database.acting_as(actor).in_workspace(workspace)
        context["settings"] = settings
        # What a listener announces goes out in its workspace, with its token.
        context["scheduler"] = (
            scheduler.serving(scheduler.database.in_workspace(workspace), context["client"])
            if settings.oauth_enabled
            else scheduler
        )
        # Where listeners hand the work they do after ack() (a `Replay` when the request
        # comes again from the inbox).
        if "inbox" not in context:
            context["inbox"] = inbox
        next()
        return None

    register_listeners(app, settings)
    inbox.replays_through(app)
    return app
