"""Engagement opportunities: `/engage opportunity` posts one to channels, its buttons take
and give up places, `/engage opportunity list` shows the team's upcoming ones, and the
organiser's reminder and prompt to log it are scheduled deliveries (`KINDS`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from logging import Logger
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.base.config import Settings
from bot.base.validation import json_object, no_longer_exists, record_id_in
from bot.deliveries.catch_up import Skip
from bot.deliveries.scheduler import DeliveryKind, Message, Scheduler
from bot.engagements.opportunities import (
    LOG_PROMPT,
    POSTED,
    REMINDER,
    Answer,
    OpportunityDraft,
    Posting,
    Signup,
    log_summary,
    method_named_in,
    plan_organiser_messages,
    save_opportunity,
    sign_up,
    team_today,
    withdraw,
)
from bot.people.permissions import Action
from handlers.engage import CommandCall, EngageCommand, Subcommand
from handlers.engagement import FLOWS as ENGAGEMENT_FLOWS
from handlers.entries import Prefill
from handlers.failures import (
    FORM_DOWN_TRY_AGAIN,
    TRY_AGAIN,
    FormProblem,
    Notice,
    when_the_database_fails,
)
from handlers.forms import FormValues, save_form
from handlers.inbox import Taking
from handlers.permissions import Requester
from handlers.views.entries import FormOrigin, notice_message, problem_modal, which_team_message
from handlers.views.opportunities import (
    CALLBACK_ID,
    LIST_LIMIT,
    LOG_ACTION,
    SIGNUPS_ACTION,
    TAKE_PART_ACTION,
    WITHDRAW_ACTION,
    click_answer,
    log_prompt_message,
    opportunity_modal,
    posted_message,
    posted_modal,
    reminder_message,
    signups_message,
    upcoming_message,
)
from storage.clock import utc_now
from storage.database import Database
from storage.models import Delivery, Opportunity, ProducerTeam
from storage.opportunities import (
    CANCELLED,
    active_signup_count,
    posted_copies,
    signed_up,
    upcoming_opportunities,
)
from storage.teams import team_for_person
from storage.types import flushed_id

NO_TEAM = which_team_message("Which team's opportunity?")
USAGE = notice_message(
    "`/engage opportunity` opens the form to post one; `/engage opportunity list` shows your "
    "team's upcoming opportunities and who signed up."
)


@when_the_database_fails(Notice(TRY_AGAIN))
def run(call: CommandCall) -> None:
    """`/engage opportunity [list]`."""
    if call.args.lower() not in ("", "list"):
        call.respond(**USAGE)
        return
    with call.database.transaction() as session:
        team = team_for_person(session=session, channel_id=call.channel_id, user_id=call.user_id)
        if team is None:
            call.respond(**NO_TEAM)
            return
        assert team.id is not None
        if call.args:
            today = team_today(team, utc_now(), call.settings.timezone)
            rows = upcoming_opportunities(
                session=session, team_id=team.id, today=today, limit=LIST_LIMIT + 1
            )
            call.respond(**upcoming_message(team_name=team.name, rows=rows))
            return
        problem = call.requester.refusal(Action.POST_OPPORTUNITY, session=session, team=team)
        if problem is not None:
            call.respond(**notice_message(problem))
            return
        view = opportunity_modal(
            team_name=team.name,
            channel_id=call.channel_id,
            metadata=json.dumps({"team_id": team.id}),
        )
    call.client.views_open(trigger_id=call.command["trigger_id"], view=view)


def save(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    database: Database,
    settings: Settings,
    scheduler: Scheduler,
    requester: Requester,
    logger: Logger,
) -> None:
    """The form's submission: save the opportunity and queue its posts, then send them
    (if the person is one of the team's members, or a workspace admin)."""
    user_id = body["user"]["id"]
    team_id = record_id_in(json_object(view.get("private_metadata")).get("team_id")) or 0
    now = utc_now()

    def store() -> Posting:
        form = FormValues(view)
        draft = OpportunityDraft(
            title=form.text("title"),
            happens_on=form.day("happens_on"),
            place=form.text("place"),
            description=form.text("description"),
            places=form.number("places"),
            channels=_conversations(view, "channels"),
        )
        with database.transaction() as session:
            team = session.get(ProducerTeam, team_id)
            requester.require(Action.POST_OPPORTUNITY, session=session, team=team)
            return save_opportunity(
                session=session,
                draft=draft,
                team_id=team_id,
                user_id=user_id,
                now=now,
                default_zone=settings.timezone,
                source_key=f"view:{user_id}:{view['id']}",
            )

    posting = save_form(ack, view, logger, store, fallback_field="title")
    if posting is None:
        return
    ack(
        response_action="update",
        view=posted_modal(opportunity=posting.opportunity, channels=posting.channels),
    )
    scheduler.deliver(now, keys=[due.key for due in posting.dues])


def _conversations(view: dict[str, Any], field: str) -> list[str]:
    """The conversations chosen in a multi_conversations_select."""
    state = view.get("state", {}).get("values", {}).get(field, {}).get(field, {})
    return list(state.get("selected_conversations") or [])


@when_the_database_fails(Notice())
def answer_click(
    change: Callable[..., Signup],
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    database: Database,
    settings: Settings,
    logger: Logger,
) -> None:
    """Take or give up a place, tell the person, and show the places left in every post."""
    opportunity_id = record_id_in(action.get("value")) or 0
    with database.transaction() as session:
        signup = change(
            session=session,
            opportunity_id=opportunity_id,
            user_id=body["user"]["id"],
            now=utc_now(),
            default_zone=settings.timezone,
        )
    respond(**click_answer(signup.answer, signup.opportunity), replace_original=False)
    if signup.changed:
        update_posts(opportunity_id, client, database, logger)


def take_part(
    context: BoltContext,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    settings: Settings,
    inbox: Taking,
    logger: Logger,
) -> None:
    _take_click(sign_up, context, action, body, client, settings, inbox, logger)


def withdraw_place(
    context: BoltContext,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    settings: Settings,
    inbox: Taking,
    logger: Logger,
) -> None:
    _take_click(withdraw, context, action, body, client, settings, inbox, logger)


def _take_click(
    change: Callable[..., Signup],
    context: BoltContext,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    settings: Settings,
    inbox: Taking,
    logger: Logger,
) -> None:
    def work(database: Database, respond: Respond) -> None:
        answer_click(change, action, body, client, respond, database, settings, logger)

    inbox.take(context, body, work)  # kept, acknowledged, then done


def update_posts(
    opportunity_id: int, client: WebClient, database: Database, logger: Logger
) -> None:
    """Show the places left now in every post of the opportunity that went out."""
    try:
        with database.transaction() as session:
            opportunity = session.get(Opportunity, opportunity_id)
            if opportunity is None:
                return
            message = posted_message(
                opportunity=opportunity,
                taken=active_signup_count(session=session, opportunity_id=opportunity_id),
            )
            copies = posted_copies(session=session, opportunity_id=opportunity_id, kind=POSTED)
    except SQLAlchemyError:  # the place is taken or freed; only the posts show old news
        logger.exception("reading the posts of opportunity #%s failed", opportunity_id)
        return
    for channel, ts in copies:
        try:
            client.chat_update(channel=channel, ts=ts, **message)
        except SlackApiError:
            logger.warning("could not update the post in %s", channel, exc_info=True)


@when_the_database_fails(Notice(TRY_AGAIN))
def who_signed_up(
    ack: Ack, action: dict[str, Any], respond: Respond, database: Database, logger: Logger
) -> None:
    """The "Who signed up" button of the list."""
    ack()
    opportunity_id = record_id_in(action.get("value"))
    with database.transaction() as session:
        opportunity = session.get(Opportunity, opportunity_id) if opportunity_id else None
        message = (
            signups_message(
                opportunity=opportunity,
                user_ids=signed_up(session=session, opportunity_id=flushed_id(opportunity)),
            )
            if opportunity is not None
            else click_answer(Answer.MISSING, None)
        )
    respond(**message, replace_original=False)


@when_the_database_fails(FormProblem("Engagement", FORM_DOWN_TRY_AGAIN))
def log_it(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    database: Database,
    settings: Settings,
    logger: Logger,
) -> None:
    """The log prompt's button: the engagement form filled in from the opportunity (saving
    it links the two), or the engagement already logged for it."""
    ack()
    opportunity_id = record_id_in(action.get("value")) or 0
    origin = FormOrigin(ENGAGEMENT_FLOWS.kind.name, opportunity_id=opportunity_id)
    prefill, problem = Prefill(), None
    with database.transaction() as session:
        opportunity = session.get(Opportunity, opportunity_id)
        if opportunity is None:
            problem = no_longer_exists(f"Opportunity #{opportunity_id}")
        elif opportunity.engagement_id is not None:
            origin = FormOrigin(ENGAGEMENT_FLOWS.kind.name, record_id=opportunity.engagement_id)
        else:
            prefill = Prefill(
                team=opportunity.team,
                text=log_summary(opportunity),
                day=opportunity.happens_on,
                method=method_named_in(opportunity.title, opportunity.description),
                participants=active_signup_count(session=session, opportunity_id=opportunity_id),
            )
    if problem is not None:
        client.views_open(trigger_id=body["trigger_id"], view=problem_modal("Engagement", problem))
        return
    ENGAGEMENT_FLOWS.open_form(
        client, body["trigger_id"], origin, logger, database, settings, prefill=prefill
    )


# --- scheduled deliveries ----------------------------------------------------------------


def _render_post(
    session: Session, delivery: Delivery, _zone: ZoneInfo, _at: datetime
) -> Message | Skip:
    opportunity = _still_open(session, delivery)
    if opportunity is None:
        return CANCELLED_SKIP
    return posted_message(
        opportunity=opportunity,
        taken=active_signup_count(session=session, opportunity_id=flushed_id(opportunity)),
    )


def _render_reminder(
    session: Session, delivery: Delivery, zone: ZoneInfo, at: datetime
) -> Message | Skip:
    opportunity = _still_open(session, delivery)
    if opportunity is None:
        return CANCELLED_SKIP
    if at.astimezone(zone).date() >= opportunity.happens_on:  # it would remind of nothing
        return Skip("the opportunity's day had come before it was sent")
    names = signed_up(session=session, opportunity_id=flushed_id(opportunity))
    return reminder_message(opportunity=opportunity, user_ids=names)


def _render_log_prompt(
    session: Session, delivery: Delivery, _zone: ZoneInfo, _at: datetime
) -> Message | Skip:
    opportunity = _still_open(session, delivery)
    if opportunity is None:
        return CANCELLED_SKIP
    if opportunity.engagement_id is not None:
        return Skip("the engagement was logged before it was sent")
    return log_prompt_message(
        opportunity=opportunity,
        taken=active_signup_count(session=session, opportunity_id=flushed_id(opportunity)),
    )


def _still_open(session: Session, delivery: Delivery) -> Opportunity | None:
    opportunity = session.get(Opportunity, delivery.subject_id) if delivery.subject_id else None
    return None if opportunity is None or opportunity.status == CANCELLED else opportunity


CANCELLED_SKIP = Skip("the opportunity was cancelled, or no longer exists")


KINDS: tuple[DeliveryKind, ...] = (
    DeliveryKind(POSTED, "an engagement opportunity", _render_post),
    # One plan makes both of the organiser's messages.
    DeliveryKind(
        REMINDER, "a reminder of an opportunity", _render_reminder, plan_organiser_messages
    ),
    DeliveryKind(LOG_PROMPT, "a prompt to log an opportunity", _render_log_prompt),
)


def register(app: App, engage: EngageCommand) -> None:
    engage.add(
        Subcommand(
            "opportunity",
            "Post an upcoming opportunity for users to take part (a workshop, a panel) to "
            "channels, with limited places and a sign-up button; `list` shows your team's "
            "upcoming ones and who signed up.",
            ("/engage opportunity", "/engage opportunity list"),
            run,
        )
    )
    app.view(CALLBACK_ID)(save)

    app.action(TAKE_PART_ACTION)(take_part)
    app.action(WITHDRAW_ACTION)(withdraw_place)
    app.action(SIGNUPS_ACTION)(who_signed_up)
    app.action(LOG_ACTION)(log_it)
