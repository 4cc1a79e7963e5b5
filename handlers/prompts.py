"""Prompts to engage about an output overdue for engagement (`bot/engagements/prompts.py`
says when), posted to its team's home channel, with "Log an engagement" (the engagement form, the
output filled in) and "Snooze 30 days"."""

from __future__ import annotations

from datetime import datetime
from logging import Logger
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.base.clock import zone_named
from bot.base.config import Settings
from bot.base.validation import no_longer_exists, record_id_in
from bot.deliveries.scheduler import DeliveryKind, Message
from bot.engagements.prompts import NEVER, OVERDUE_PROMPT, overdue_prompt, prompt_plan, snooze
from handlers.engagement import FLOWS as ENGAGEMENT_FLOWS
from handlers.entries import Prefill
from handlers.failures import FORM_DOWN_TRY_AGAIN, FormProblem, Notice, when_the_database_fails
from handlers.inbox import Taking
from handlers.views.entries import FormOrigin, notice_message, problem_modal
from handlers.views.prompts import (
    LOG_ACTION,
    SNOOZE_ACTION,
    prompt_message,
    snoozed_message,
    snoozed_note,
)
from storage.clock import utc_now
from storage.database import Database
from storage.models import Delivery, StatisticalOutput

GONE = no_longer_exists("That output")


def _output_id(action: dict[str, Any]) -> int:
    return record_id_in(action.get("value")) or 0


@when_the_database_fails(FormProblem("Engagement", FORM_DOWN_TRY_AGAIN))
def log_engagement(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    database: Database,
    settings: Settings,
    logger: Logger,
) -> None:
    """ "Log an engagement": the engagement form with the output and its team filled in."""
    ack()
    output_id = _output_id(action)
    prefill, problem = Prefill(), None
    with database.transaction() as session:
        output = session.get(StatisticalOutput, output_id)
        if output is None:
            problem = GONE
        else:
            prefill = Prefill(team=output.team, output=output)
    if problem is not None:
        client.views_open(trigger_id=body["trigger_id"], view=problem_modal("Engagement", problem))
        return
    origin = FormOrigin(ENGAGEMENT_FLOWS.kind.name)
    ENGAGEMENT_FLOWS.open_form(
        client, body["trigger_id"], origin, logger, database, settings, prefill=prefill
    )


def snooze_prompts(
    context: BoltContext,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    settings: Settings,
    inbox: Taking,
    logger: Logger,
) -> None:
    """ "Snooze 30 days": no prompt about the output until then; the prompt says so."""

    def work(database: Database, respond: Respond) -> None:
        _snooze(action, body, client, respond, database, settings, logger)

    inbox.take(context, body, work)  # kept, acknowledged, then done


@when_the_database_fails(Notice())
def _snooze(
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    database: Database,
    settings: Settings,
    logger: Logger,
) -> None:
    output_id = _output_id(action)
    with database.transaction() as session:
        output = session.get(StatisticalOutput, output_id)
        if output is None:
            respond(**notice_message(GONE), replace_original=False)
            return
        zone = zone_named(output.team.timezone, settings.timezone)
        until = snooze(session=session, output=output, today=utc_now().astimezone(zone).date())
        name = output.name
    note = snoozed_note(output_name=name, user_id=body["user"]["id"], until=until)
    prompt = body.get("message") or {}
    try:
        client.chat_update(
            channel=body["channel"]["id"], ts=prompt["ts"], **snoozed_message(prompt, note)
        )
    except (SlackApiError, KeyError):  # the prompt can't be edited: tell the person instead
        logger.warning("could not mark the prompt about output #%s snoozed", output_id)
        respond(**notice_message(note), replace_original=False)


def _render(session: Session, delivery: Delivery, zone: ZoneInfo, at: datetime) -> Message | None:
    output = session.get(StatisticalOutput, delivery.subject_id) if delivery.subject_id else None
    if output is None or output.team.home_channel_id != delivery.target:
        return None  # the output is gone, or its team's home moved
    prompt = overdue_prompt(
        session=session, output=output, today=at.astimezone(zone).date(), zone=zone
    )
    if prompt is None:
        return None  # engaged since, or snoozed
    last = prompt.last_engaged.isoformat() if prompt.last_engaged else NEVER
    return prompt_message(prompt) if last == delivery.note else None


KINDS: tuple[DeliveryKind, ...] = (
    DeliveryKind(
        OVERDUE_PROMPT, "a prompt to engage about an output overdue for it", _render, prompt_plan
    ),
)


def register(app: App) -> None:
    app.action(LOG_ACTION)(log_engagement)
    app.action(SNOOZE_ACTION)(snooze_prompts)
