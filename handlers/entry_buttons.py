"""The buttons on a recorded entry's confirmation, "Add details" and "Undo", and the same
two ("Edit", "Undo") under each entry on the Home tab. Their value is `kind:id`, so one
listener each serves engagements and feedback alike."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.base.config import Settings
from bot.base.validation import record_id_in
from handlers import engagement, feedback
from handlers.entries import EntryFlows
from handlers.home import on_home, publish_home
from handlers.inbox import Taking
from handlers.views.entries import DETAILS_ACTION, OUT_OF_DATE, UNDO_ACTION, notice_message
from storage.database import Database

FLOWS = {flows.kind.name: flows for flows in (engagement.FLOWS, feedback.FLOWS)}


def _target(action: dict[str, Any]) -> tuple[EntryFlows, int] | None:
    """The kind's flows and the record a button names, or None for a value it never had."""
    kind, _, value = str(action.get("value", "")).partition(":")
    record_id = record_id_in(value)
    if kind not in FLOWS or record_id is None:
        return None
    return FLOWS[kind], record_id


def add_details(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    database: Database,
    settings: Settings,
    respond: Respond,
    logger: Logger,
) -> None:
    ack()
    found = _target(action)
    if found is None:
        respond(**notice_message(OUT_OF_DATE), replace_original=False)
        return
    found[0].add_details(found[1], body, client, database, settings, logger)


def undo(
    context: BoltContext,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    settings: Settings,
    inbox: Taking,
    logger: Logger,
) -> None:
    """Undo, on a confirmation or on the Home tab, which then lists the entry no more (the
    outcome, from there, in a direct message)."""
    user_id = body["user"]["id"]

    def work(database: Database, respond: Respond) -> None:
        found = _target(action)
        if found is None:
            respond(**notice_message(OUT_OF_DATE), replace_original=False)
            return
        found[0].undo(found[1], user_id, database, respond, logger)
        if on_home(body):
            publish_home(
                client=client, user_id=user_id, database=database, settings=settings, logger=logger
            )

    inbox.take(context, body, work)  # kept, acknowledged, then done


def register(app: App) -> None:
    app.action(DETAILS_ACTION)(add_details)
    app.action(UNDO_ACTION)(undo)
