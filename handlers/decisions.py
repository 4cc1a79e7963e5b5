"""Deciding on feedback: the Decide button (on a feedback's message and in
`/engage feedback list`), the decision form, and the message to whoever recorded it."""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.decisions import decide
from handlers.engage import CommandCall
from handlers.forms import FormValues, save_form
from handlers.views.decisions import (
    CALLBACK_ID,
    DECIDE_ACTION,
    LIST_LIMIT,
    decided_modal,
    decision_message,
    decision_modal,
    open_feedback_message,
)
from handlers.views.entries import notice_message, problem_modal
from storage.database import Database
from storage.feedback import count_open_feedback, decisions_on, open_feedback
from storage.models import Feedback
from storage.teams import team_for_person

NO_TEAM_TO_LIST = notice_message(
    "Which team's feedback? This channel is no team's home, and you haven't recorded for a "
    "team yet: run it in your team's channel, or create a team with `/engage team`."
)


def list_open_feedback(call: CommandCall) -> None:
    """`/engage feedback list`: the team's items awaiting a decision, oldest first."""
    try:
        with call.database.transaction() as session:
            team = team_for_person(
                session=session, channel_id=call.channel_id, user_id=call.user_id
            )
            if team is None:
                call.respond(**NO_TEAM_TO_LIST)
                return
            team_id: int = team.id  # type: ignore[assignment]
            message = open_feedback_message(
                team_name=team.name,
                items=open_feedback(session=session, team_id=team_id, limit=LIST_LIMIT),
                total=count_open_feedback(session=session, team_id=team_id),
            )
    except SQLAlchemyError:
        call.logger.exception("listing open feedback failed")
        message = notice_message(
            ":warning: The list can't be shown: the database is not answering."
        )
    call.respond(**message)


def register(app: App) -> None:
    @app.action(DECIDE_ACTION)
    def open_decision(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        client: WebClient,
        database: Database,
        settings: Settings,
        logger: Logger,
    ) -> None:
        ack()
        feedback_id = int(action["value"]) if str(action.get("value", "")).isdigit() else 0
        try:
            with database.transaction() as session:
                item = session.get(Feedback, feedback_id)
                view = (
                    decision_modal(
                        item=item,
                        history=decisions_on(session=session, feedback_id=feedback_id),
                        metadata=json.dumps({"feedback_id": feedback_id}),
                        timezone=settings.timezone,
                    )
                    if item is not None
                    else problem_modal("Feedback", f"Feedback #{feedback_id} no longer exists.")
                )
        except SQLAlchemyError:
            logger.exception("loading the decision form failed")
            view = problem_modal(
                "Feedback", "The form can't be opened: the database is not answering."
            )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(CALLBACK_ID)
    def save_decision(
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        database: Database,
        logger: Logger,
    ) -> None:
        user_id = body["user"]["id"]
        feedback_id = int(json.loads(view.get("private_metadata") or "{}").get("feedback_id", 0))

        def save() -> tuple[dict[str, Any], str | None, dict[str, Any]]:
            form = FormValues(view)
            with database.transaction() as session:
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
        if recorder:
            try:
                client.chat_postMessage(channel=recorder, **message)
            except SlackApiError:  # the decision stands; only the heads-up failed
                logger.warning("could not tell %s about the decision", recorder, exc_info=True)
