"""Deciding on feedback: the Decide button (on a feedback's message and in
`/engage feedback list`), the decision form, and the message to whoever recorded it.
Merging two items: "Merge into another item…" in the decision form opens the merge form;
`/engage feedback merge 12 into 9` does the same from the command line."""

from __future__ import annotations

import json
import re
from logging import Logger
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.base.config import Settings
from bot.base.text import escape_mrkdwn
from bot.base.validation import Invalid, is_record_id, json_object, no_longer_exists, record_id_in
from bot.feedback.decisions import decide, merge, merge_targets, merged_away
from bot.people.permissions import Action, Refused
from handlers.engage import CommandCall
from handlers.failures import FORM_DOWN, LIST_DOWN, FormProblem, Notice, when_the_database_fails
from handlers.forms import FormValues, save_form
from handlers.permissions import Requester, tell
from handlers.views.decisions import (
    CALLBACK_ID,
    DECIDE_ACTION,
    LIST_LIMIT,
    MERGE_CALLBACK_ID,
    MERGE_CHOICE,
    MERGE_TARGETS_MAX,
    decided_modal,
    decision_message,
    decision_modal,
    merge_modal,
    merged_message,
    merged_modal,
    merged_text,
    open_feedback_message,
)
from handlers.views.entries import notice_message, problem_modal, which_team_message
from storage.database import Database
from storage.feedback import count_open_feedback, decisions_on, open_feedback
from storage.models import Feedback
from storage.teams import team_for_person
from storage.types import flushed_id

# `/engage feedback merge 12 into 9`; other text starting with "merge" is answered with the
# usage (handlers/feedback.py), so a mistyped merge is never recorded as feedback.
MERGE_COMMAND = re.compile(r"merge\s+#?(\d+)\s+into\s+#?(\d+)", re.IGNORECASE)

NO_TEAM_TO_LIST = which_team_message("Which team's feedback?")


@when_the_database_fails(Notice(LIST_DOWN))
def list_open_feedback(call: CommandCall) -> None:
    """`/engage feedback list`: the team's items awaiting a decision, oldest first."""
    with call.database.transaction() as session:
        team = team_for_person(session=session, channel_id=call.channel_id, user_id=call.user_id)
        if team is None:
            call.respond(**NO_TEAM_TO_LIST)
            return
        team_id: int = flushed_id(team)
        message = open_feedback_message(
            team_name=team.name,
            items=open_feedback(session=session, team_id=team_id, limit=LIST_LIMIT),
            total=count_open_feedback(session=session, team_id=team_id),
        )
    call.respond(**message)


@when_the_database_fails(Notice())
def merge_from_command(call: CommandCall, merge_id: int, keep_id: int) -> None:
    """`/engage feedback merge 12 into 9`: #12 leaves the lists, #9 carries on for both."""
    try:
        with call.database.transaction() as session:
            require_decider(call.requester, session, merge_id)
            kept, merged = merge(
                session=session, keep_id=keep_id, merge_id=merge_id, user_id=call.user_id
            )
            answer = notice_message(merged_text(kept=kept, merged=merged))
            recorder = merged.recorded_by
            message = merged_message(kept=kept, merged=merged, merger=call.user_id)
    except Invalid as invalid:
        call.respond(
            **notice_message(
                ":warning: Nothing was merged. " + escape_mrkdwn(" ".join(invalid.errors.values()))
            )
        )
        return
    except Refused as refused:
        call.respond(**notice_message(refused.message))
        return
    call.respond(**answer)
    tell_recorder(call.client, call.logger, recorder, message, actor=call.user_id)


def require_decider(requester: Requester, session: Session, feedback_id: int) -> None:
    """Raise `Refused` unless the person may decide on the item (one of its team's members,
    or a workspace admin); an item that does not exist is left for the rules to report."""
    item = session.get(Feedback, feedback_id) if is_record_id(feedback_id) else None
    if item is not None:
        requester.require(Action.DECIDE, session=session, team=item.team)


def tell_recorder(
    client: WebClient,
    logger: Logger,
    recorder: str | None,
    message: dict[str, Any],
    *,
    actor: str,
) -> None:
    """Send whoever recorded an item the news about it, to pass on to the user, unless
    they are the one who made it (`actor`)."""
    if not recorder or recorder == actor:
        return
    try:
        client.chat_postMessage(channel=recorder, **message)
    except SlackApiError:  # the decision stands; only the heads-up failed
        logger.warning("could not tell %s about the decision", recorder, exc_info=True)


def _feedback_id(view: dict[str, Any]) -> int:
    return record_id_in(json_object(view.get("private_metadata")).get("feedback_id")) or 0


@when_the_database_fails(FormProblem("Feedback", FORM_DOWN))
def open_decision(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    database: Database,
    settings: Settings,
    requester: Requester,
    logger: Logger,
) -> None:
    ack()
    feedback_id = record_id_in(action.get("value")) or 0
    problem = None
    with database.transaction() as session:
        item = session.get(Feedback, feedback_id)
        if item is not None:
            problem = requester.refusal(Action.DECIDE, session=session, team=item.team)
        if item is None:
            view = problem_modal("Feedback", no_longer_exists(f"Feedback #{feedback_id}"))
        elif item.merged_into_id is not None:
            view = problem_modal("Feedback", merged_away(item))
        else:
            view = decision_modal(
                item=item,
                history=decisions_on(session=session, feedback_id=feedback_id),
                metadata=json.dumps({"feedback_id": feedback_id}),
                timezone=settings.timezone,
            )
    if problem is not None:
        tell(body, respond, client, problem, "Feedback")
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def save_decision(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    database: Database,
    requester: Requester,
    logger: Logger,
) -> None:
    user_id = body["user"]["id"]
    feedback_id = _feedback_id(view)
    form = FormValues(view)
    if form.choice("status") == MERGE_CHOICE:
        merge_form = save_form(
            ack,
            view,
            logger,
            lambda: _merge_form(database, requester, feedback_id, form),
            fallback_field="status",
        )
        if merge_form is not None:
            ack(response_action="update", view=merge_form)
        return

    def save() -> tuple[dict[str, Any], str | None, dict[str, Any]]:
        with database.transaction() as session:
            require_decider(requester, session, feedback_id)
            item, decision = decide(
                session=session,
                feedback_id=feedback_id,
                to_status=form.choice("status"),
                note=form.text("note"),
                user_id=user_id,
            )
            message = decision_message(item=item, decision=decision, decider=user_id)
            return decided_modal(item=item), item.recorded_by, message

    saved = save_form(ack, view, logger, save, fallback_field="status")
    if saved is None:
        return
    confirmation, recorder, message = saved
    ack(response_action="update", view=confirmation)
    tell_recorder(client, logger, recorder, message, actor=user_id)


def save_merge(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    database: Database,
    requester: Requester,
    logger: Logger,
) -> None:
    user_id = body["user"]["id"]

    def save() -> tuple[dict[str, Any], str | None, dict[str, Any]]:
        form = FormValues(view)
        with database.transaction() as session:
            require_decider(requester, session, _feedback_id(view))
            kept, merged = merge(
                session=session,
                keep_id=form.id_choice("into"),
                merge_id=_feedback_id(view),
                user_id=user_id,
            )
            message = merged_message(kept=kept, merged=merged, merger=user_id)
            return merged_modal(kept=kept, merged=merged), merged.recorded_by, message

    saved = save_form(ack, view, logger, save, fallback_field="into")
    if saved is None:
        return
    confirmation, recorder, message = saved
    ack(response_action="update", view=confirmation)
    tell_recorder(client, logger, recorder, message, actor=user_id)


def register(app: App) -> None:
    app.action(DECIDE_ACTION)(open_decision)
    app.view(CALLBACK_ID)(save_decision)
    app.view(MERGE_CALLBACK_ID)(save_merge)


def _merge_form(
    database: Database, requester: Requester, feedback_id: int, form: FormValues
) -> dict[str, Any]:
    """The merge form, chosen in the decision form; raise `Invalid` if there is nothing to
    merge into (a merge records no note: its history entry says what happened)."""
    if form.text("note"):
        raise Invalid({"note": "A merge takes no note: empty it, or choose a status instead."})
    with database.transaction() as session:
        require_decider(requester, session, feedback_id)
        item, targets, more = merge_targets(
            session=session, feedback_id=feedback_id, limit=MERGE_TARGETS_MAX
        )
        return merge_modal(
            item=item,
            targets=targets,
            more=more,
            metadata=json.dumps({"feedback_id": feedback_id}),
        )
