"""Upcoming changes: `/engage change` (the form), `/engage change list` (with Edit and
Cancel), the notices to the team's channels, and "Comment on this change"."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from logging import Logger
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.base.config import Settings
from bot.base.validation import json_object, no_longer_exists, record_id_in
from bot.changes.announcing import (
    ANNOUNCED_KIND,
    CANCELLED_KIND,
    ChangeDraft,
    Notices,
    cancel_change,
    save_change,
    team_today,
)
from bot.deliveries.scheduler import DeliveryKind, Scheduler
from bot.people.permissions import Action
from handlers.engage import CommandCall, EngageCommand, Subcommand
from handlers.entries import Prefill
from handlers.failures import FORM_DOWN, LIST_DOWN, FormProblem, Notice, when_the_database_fails
from handlers.feedback import FLOWS as FEEDBACK_FLOWS
from handlers.forms import FormValues, save_form
from handlers.permissions import Requester, tell
from handlers.views.changes import (
    CALLBACK_ID,
    CANCEL_ACTION,
    CANCEL_CALLBACK_ID,
    COMMENT_ACTION,
    EDIT_ACTION,
    LIST_LIMIT,
    cancel_modal,
    change_modal,
    changes_list_message,
    comment_note,
    done_modal,
    render_announcement,
    render_cancellation,
    unchanged_modal,
)
from handlers.views.entries import FormOrigin, notice_message, problem_modal, which_team_message
from handlers.web.emails import announcement_email, cancellation_email
from storage.changes import CANCELLED, count_upcoming_changes, upcoming_changes
from storage.clock import utc_now
from storage.database import Database
from storage.models import ProducerTeam, UpcomingChange
from storage.reference import list_segments
from storage.teams import team_for_person
from storage.types import flushed_id

KINDS: tuple[DeliveryKind, ...] = (
    DeliveryKind(
        ANNOUNCED_KIND, "a change's announcement", render_announcement, email=announcement_email
    ),
    DeliveryKind(
        CANCELLED_KIND,
        "a change's cancellation notice",
        render_cancellation,
        email=cancellation_email,
    ),
)
NO_TEAM_TO_LIST = which_team_message("Which team's changes?")
USAGE = notice_message(
    "`/engage change` opens the form to announce a change; `/engage change list` shows "
    "your team's upcoming changes, to edit or cancel them."
)


def run_change(call: CommandCall) -> None:
    if call.args.lower() == "list":
        list_changes(call)
    elif call.args:
        call.respond(**USAGE)
    elif problem := _refusal(call.database, call.requester, None):
        call.respond(**notice_message(problem))
    else:
        _open(
            call.client,
            call.command["trigger_id"],
            call.database,
            call.logger,
            lambda session: change_modal(
                segments=list_segments(session=session),
                metadata="{}",
                team=team_for_person(
                    session=session, channel_id=call.channel_id, user_id=call.user_id
                ),
            ),
        )


@when_the_database_fails(Notice(LIST_DOWN))
def list_changes(call: CommandCall) -> None:
    """`/engage change list`: the team's changes still to take effect, soonest first."""
    with call.database.transaction() as session:
        team = team_for_person(session=session, channel_id=call.channel_id, user_id=call.user_id)
        if team is None:
            message = NO_TEAM_TO_LIST
        else:
            team_id: int = flushed_id(team)
            today = team_today(team, utc_now(), call.settings.timezone)
            message = changes_list_message(
                team_name=team.name,
                changes=upcoming_changes(
                    session=session, team_id=team_id, today=today, limit=LIST_LIMIT
                ),
                total=count_upcoming_changes(session=session, team_id=team_id, today=today),
            )
    call.respond(**message)


def _refusal(database: Database, requester: Requester, change_id: int | None) -> str | None:
    """Why the person may not announce (`change_id` None: for any team) or change this
    change, or None. A database that fails is left for opening the form to report."""
    try:
        with database.transaction() as session:
            change = session.get(UpcomingChange, change_id) if change_id else None
            team = change.team if change is not None else None
            return requester.refusal(Action.ANNOUNCE_CHANGE, session=session, team=team)
    except SQLAlchemyError:  # not told here: opening the form fails next, and says so
        return None


@when_the_database_fails(FormProblem("Change", FORM_DOWN))
def _open(
    client: WebClient,
    trigger_id: str,
    database: Database,
    logger: Logger,
    build: Callable[[Session], dict[str, Any]],
) -> None:
    """Open the modal `build(session)` makes; the database failing is said in a modal."""
    with database.transaction() as session:
        view = build(session)
    client.views_open(trigger_id=trigger_id, view=view)


def edit_change(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    database: Database,
    requester: Requester,
    logger: Logger,
) -> None:
    ack()
    _open_on_change(_edit_form, action, body, client, respond, database, requester, logger)


def cancel_change_form(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    database: Database,
    requester: Requester,
    logger: Logger,
) -> None:
    ack()
    _open_on_change(_cancel_form, action, body, client, respond, database, requester, logger)


def _open_on_change(
    form: Callable[[Session, UpcomingChange, str], dict[str, Any]],
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    database: Database,
    requester: Requester,
    logger: Logger,
) -> None:
    """Open `form(session, change, metadata)` on the button's change, or say why that change
    can't be changed any more."""
    change_id = _change_id(action)
    problem = _refusal(database, requester, change_id)
    if problem is not None:
        tell(body, respond, client, problem, "Change")
        return

    def build(session: Session) -> dict[str, Any]:
        change = session.get(UpcomingChange, change_id)
        if change is None:
            return problem_modal("Change", no_longer_exists(f"Change #{change_id}"))
        if change.status == CANCELLED:
            return problem_modal("Change", f"Change #{change_id} was cancelled already.")
        return form(session, change, json.dumps({"change_id": change_id}))

    _open(client, body["trigger_id"], database, logger, build)


def _edit_form(session: Session, change: UpcomingChange, metadata: str) -> dict[str, Any]:
    return change_modal(segments=list_segments(session=session), metadata=metadata, change=change)


def _cancel_form(_session: Session, change: UpcomingChange, metadata: str) -> dict[str, Any]:
    return cancel_modal(change=change, metadata=metadata)


def _change_id(action: dict[str, Any]) -> int:
    return record_id_in(action.get("value")) or 0


@when_the_database_fails(FormProblem("Comment", FORM_DOWN))
def comment(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    database: Database,
    settings: Settings,
    logger: Logger,
) -> None:
    """Anyone who sees the announcement may comment, people of other organisations too."""
    ack()
    change_id = _change_id(action)
    with database.transaction() as session:
        change = session.get(UpcomingChange, change_id)
        prefill = (
            Prefill(
                team=change.team,
                output=change.output,
                channel="slack",
                note=comment_note(change),
            )
            if change is not None
            else None
        )
    if prefill is None:
        view = problem_modal("Comment", no_longer_exists(f"Change #{change_id}"))
        client.views_open(trigger_id=body["trigger_id"], view=view)
        return
    origin = FormOrigin(FEEDBACK_FLOWS.kind.name, change_id=change_id)
    FEEDBACK_FLOWS.open_form(
        client, body["trigger_id"], origin, logger, database, settings, prefill=prefill
    )


def submit_change(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    database: Database,
    settings: Settings,
    scheduler: Scheduler,
    requester: Requester,
    logger: Logger,
) -> None:
    change_id = record_id_in(json_object(view.get("private_metadata")).get("change_id"))
    user_id = body["user"]["id"]
    now = utc_now()

    def announce() -> tuple[dict[str, Any], Notices]:
        form = FormValues(view)
        draft = ChangeDraft(
            title=form.text("title") or "",
            description=form.text("description") or "",
            team_id=form.id_choice("team"),
            output_id=form.id_choice("output"),
            effective_on=form.day("effective_on"),
            feedback_by=form.day("feedback_by"),
            segment_ids=form.id_choices("segments"),
        )
        with database.transaction() as session:
            _require_announcer(requester, session, change_id, draft.team_id)
            notices = save_change(
                session=session,
                draft=draft,
                now=now,
                default_zone=settings.timezone,
                user_id=user_id,
                change_id=change_id,
                source_key=None if change_id else f"view:{user_id}:{view['id']}",
            )
            if notices.nothing_changed:
                return unchanged_modal(notices.change), notices
            verb = "Updated" if change_id else "Announced"
            return done_modal(
                change=notices.change,
                verb=verb,
                channels=notices.channels,
                emailed=notices.emailed,
            ), notices

    _finish(ack, view, logger, announce, scheduler, now, fallback_field="title")


def submit_cancellation(
    ack: Ack,
    view: dict[str, Any],
    database: Database,
    settings: Settings,
    scheduler: Scheduler,
    requester: Requester,
    logger: Logger,
) -> None:
    metadata = json_object(view.get("private_metadata"))
    change_id = record_id_in(metadata.get("change_id")) or 0
    now = utc_now()

    def cancel() -> tuple[dict[str, Any], Notices]:
        with database.transaction() as session:
            _require_announcer(requester, session, change_id, None)
            notices = cancel_change(
                session=session,
                change_id=change_id,
                reason=FormValues(view).text("reason"),
                now=now,
            )
            confirmation = done_modal(
                change=notices.change,
                verb="Cancelled",
                channels=notices.channels,
                emailed=notices.emailed,
            )
            return confirmation, notices

    _finish(ack, view, logger, cancel, scheduler, now, fallback_field="reason")


def register(app: App, engage: EngageCommand) -> None:
    engage.add(
        Subcommand(
            "change",
            "Announce an upcoming change to one of your outputs, in your team's channel and "
            "every channel subscribed; `list` shows your team's upcoming changes, to edit or "
            "cancel them.",
            ("/engage change", "/engage change list"),
            run_change,
        )
    )
    app.action(EDIT_ACTION)(edit_change)
    app.action(CANCEL_ACTION)(cancel_change_form)
    app.action(COMMENT_ACTION)(comment)
    app.view(CALLBACK_ID)(submit_change)
    app.view(CANCEL_CALLBACK_ID)(submit_cancellation)


def _require_announcer(
    requester: Requester, session: Session, change_id: int | None, team_id: int | None
) -> None:
    """Raise `Refused` unless the person may announce for the team chosen (`team_id`) and,
    editing or cancelling, for the change's own team."""
    change = session.get(UpcomingChange, change_id) if change_id else None
    chosen = session.get(ProducerTeam, team_id) if team_id else None
    for team in (change.team if change else None, chosen):
        if team is not None:
            requester.require(Action.ANNOUNCE_CHANGE, session=session, team=team)


def _finish(
    ack: Ack,
    view: dict[str, Any],
    logger: Logger,
    save: Callable[[], tuple[dict[str, Any], Notices]],
    scheduler: Scheduler,
    now: datetime,
    *,
    fallback_field: str,
) -> None:
    """Save; then show where the notices go, and send them (they were queued with the save)."""
    saved = save_form(ack, view, logger, save, fallback_field=fallback_field)
    if saved is None:
        return
    confirmation, notices = saved
    ack(response_action="update", view=confirmation)
    if notices.dues:
        scheduler.deliver(now, keys=[due.key for due in notices.dues])
