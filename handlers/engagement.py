"""Engagement activities: `/engage log`, the `log_engagement` shortcut, the Home tab's
"Log engagement" button, the form, and the Tag button of a quick log's confirmation."""

from __future__ import annotations

from datetime import date
from logging import Logger
from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.base.text import SUMMARY_MAX
from bot.engagements.recording import (
    EngagementDraft,
    LoggedEngagement,
    log_engagement,
    save_engagement_form,
    undo_engagement,
)
from bot.engagements.tagging import NotTagged, tag_engagement
from bot.entries.filing import Filed, Undo
from handlers.engage import CommandCall, EngageCommand, Subcommand
from handlers.entries import EntryFlows, Prefill
from handlers.failures import Notice, when_the_database_fails
from handlers.forms import FormValues
from handlers.inbox import Taking
from handlers.views.engagement import (
    CALLBACK_ID,
    TAG_ACTION,
    engagement_modal,
    tag_button,
    tag_request_in,
    tagged_note,
)
from handlers.views.entries import OUT_OF_DATE, FormOrigin, notice_message
from handlers.views.home import LOG_ACTION
from storage.database import Database
from storage.models import Engagement

SHORTCUT_ID = "log_engagement"


class EngagementKind:
    """Engagements, for the flows of `handlers/entries.py`."""

    name = "engagement"
    label = "Engagement"
    verb = "Logged"
    model = Engagement
    text_field = "summary"
    text_label = "The summary"
    text_limit = SUMMARY_MAX
    usage = (
        "`/engage log Met DWP analysts about earnings` logs an engagement at once; "
        "`/engage log` alone opens the form."
    )
    own_words: tuple[str, ...] = ()

    def form(
        self, *, segments: Any, today: date, metadata: str, record: Any, prefill: Prefill
    ) -> dict[str, Any]:
        return engagement_modal(
            segments=segments,
            today=today,
            metadata=metadata,
            record=record,
            team=prefill.team,
            summary=prefill.text,
            occurred_on=prefill.day,
            method=prefill.method,
            participants=prefill.participants,
            output=prefill.output,
            note=prefill.note,
        )

    def draft_from_form(self, form: FormValues, origin: FormOrigin) -> EngagementDraft:
        return EngagementDraft(
            summary=form.text("summary") or "",
            team_id=form.id_choice("team"),
            occurred_on=form.day("occurred_on"),
            output_ids=form.id_choices("outputs"),
            method=form.choice("method"),
            segment_ids=form.id_choices("segments"),
            expertise=form.choice("expertise"),
            organisations=form.choices("organisations"),
            participants=form.number("participants"),
            what_we_heard=form.text("what_we_heard"),
            follow_up_actions=form.text("follow_up_actions"),
            partner_ids=form.id_choices("partners"),
            uses=form.text("uses"),
        )

    def save_form(
        self,
        database: Database,
        draft: EngagementDraft,
        origin: FormOrigin,
        *,
        today: date,
        earliest: date,
        user_id: str,
        source_key: str | None,
    ) -> Filed:
        return save_engagement_form(
            database,
            draft,
            today=today,
            earliest=earliest,
            user_id=user_id,
            engagement_id=origin.record_id,
            source_key=source_key,
            opportunity_id=origin.opportunity_id,
        )

    def more_buttons(self, filed: Filed) -> list[dict[str, Any]]:
        if isinstance(filed, LoggedEngagement) and filed.suggestion:
            return [tag_button(filed.record_id, filed.suggestion)]
        return []

    def undo(self, database: Database, record_id: int, user_id: str) -> Undo:
        return undo_engagement(database, record_id, user_id)


FLOWS = EntryFlows(EngagementKind())


def log(call: CommandCall) -> None:
    """`/engage log [summary]`: the engagement, logged at once (`log_engagement`), or the
    form when nothing is typed."""
    FLOWS.run_subcommand(call, log_engagement)


def tag(
    context: BoltContext,
    action: dict[str, Any],
    body: dict[str, Any],
    inbox: Taking,
    logger: Logger,
) -> None:
    """The quick log's Tag button: the organisations and outputs its summary names added."""
    user_id = body["user"]["id"]

    def work(database: Database, respond: Respond) -> None:
        _tag(action.get("value"), user_id, database, respond, logger)

    inbox.take(context, body, work)  # kept, acknowledged, then done


@when_the_database_fails(Notice())
def _tag(
    value: str | None, user_id: str, database: Database, respond: Respond, logger: Logger
) -> None:
    asked = tag_request_in(value)
    if asked is None:
        respond(**notice_message(OUT_OF_DATE), replace_original=False)
        return
    tagged = tag_engagement(
        database,
        asked.record_id,
        user_id,
        organisations=asked.organisations,
        output_ids=asked.output_ids,
    )
    if isinstance(tagged, NotTagged):
        respond(**notice_message(tagged.reason), replace_original=False)
        return
    filed = Filed(tagged.record_id, tagged.text, tagged.team)
    note = tagged_note(tagged.added)
    respond(**FLOWS.recorded(filed, "Tagged", notes=[note]), replace_original=True)


def register(app: App, engage: EngageCommand) -> None:
    engage.add(
        Subcommand(
            "log",
            "Log an engagement with users: at once from text, or in a form with no text.",
            ("/engage log Met DWP analysts about the new earnings series", "/engage log"),
            log,
        )
    )
    app.shortcut(SHORTCUT_ID)(FLOWS.open_from_shortcut)
    app.action(LOG_ACTION)(FLOWS.open_from_home)
    app.view(CALLBACK_ID)(FLOWS.submit)
    app.action(TAG_ACTION)(tag)
