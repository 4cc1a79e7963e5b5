"""User feedback: `/engage feedback`, the `record_feedback` message shortcut, the Home
tab's "Record feedback" button and the form."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.base.config import Settings
from bot.base.text import LONG_TEXT_MAX, split_list, unescape_mrkdwn
from bot.entries.filing import Filed, Undo
from bot.feedback.recording import FeedbackDraft, record_feedback, save_feedback_form, undo_feedback
from handlers.decisions import MERGE_COMMAND, list_open_feedback, merge_from_command
from handlers.engage import CommandCall, EngageCommand, Subcommand
from handlers.entries import EntryFlows, Prefill
from handlers.forms import FormValues
from handlers.views.decisions import decide_button
from handlers.views.entries import FormOrigin
from handlers.views.feedback import CALLBACK_ID, feedback_modal
from handlers.views.home import FEEDBACK_ACTION
from storage.database import Database
from storage.models import Feedback

SHORTCUT_ID = "record_feedback"


class FeedbackKind:
    """Feedback, for the flows of `handlers/entries.py`."""

    name = "feedback"
    label = "Feedback"
    verb = "Recorded"
    model = Feedback
    text_field = "text"
    text_label = "The feedback"
    text_limit = LONG_TEXT_MAX
    usage = (
        "`/engage feedback Wants regional figures` records feedback at once, "
        "`/engage feedback` alone opens the form, `/engage feedback list` shows your team's "
        "open items and `/engage feedback merge 12 into 9` makes #12 part of #9. Feedback "
        'that starts with "list" or "merge" goes in the form.'
    )
    own_words: tuple[str, ...] = ("list", "merge")

    def form(
        self, *, segments: Any, today: date, metadata: str, record: Any, prefill: Prefill
    ) -> dict[str, Any]:
        return feedback_modal(
            segments=segments,
            today=today,
            metadata=metadata,
            record=record,
            team=prefill.team,
            text=prefill.text,
            permalink=prefill.permalink,
            channel=prefill.channel,
            output=prefill.output,
            note=prefill.note,
        )

    def draft_from_form(self, form: FormValues, origin: FormOrigin) -> FeedbackDraft:
        return FeedbackDraft(
            text=form.text("text") or "",
            team_id=form.id_choice("team"),
            received_on=form.day("received_on"),
            organisation=form.choice("organisation"),
            segment_id=form.id_choice("segment"),
            output_id=form.id_choice("output"),
            channel=form.choice("channel"),
            themes=split_list(form.text("themes")),
            contact_agreed=form.checked("contact_agreed"),
            contact_name=form.text("contact_name"),
            contact_email=form.text("contact_email"),
            source_permalink=origin.permalink,
            change_id=origin.change_id,
        )

    def save_form(
        self,
        database: Database,
        draft: FeedbackDraft,
        origin: FormOrigin,
        *,
        today: date,
        earliest: date,
        user_id: str,
        source_key: str | None,
    ) -> Filed:
        return save_feedback_form(
            database,
            draft,
            today=today,
            earliest=earliest,
            user_id=user_id,
            feedback_id=origin.record_id,
            source_key=source_key,
        )

    def more_buttons(self, filed: Filed) -> list[dict[str, Any]]:
        return [decide_button(filed.record_id)]

    def undo(self, database: Database, record_id: int, user_id: str) -> Undo:
        return undo_feedback(database, record_id, user_id)


FLOWS = EntryFlows(FeedbackKind())


def run(call: CommandCall) -> None:
    """`/engage feedback [text | list | merge 12 into 9]`."""
    merging = MERGE_COMMAND.fullmatch(call.args.strip())
    if call.args.lower() == "list":
        list_open_feedback(call)
    elif merging:
        merge_from_command(call, merge_id=int(merging[1]), keep_id=int(merging[2]))
    else:
        FLOWS.run_subcommand(call, record_feedback)


def record_from_message(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    database: Database,
    settings: Settings,
    logger: Any,
) -> None:
    """The message shortcut: the form, with the message's text and a link to it."""
    ack()
    channel_id = body["channel"]["id"]
    message = body["message"]
    try:
        permalink = client.chat_getPermalink(channel=channel_id, message_ts=message["ts"])[
            "permalink"
        ]
    except SlackApiError:
        logger.warning("no permalink for %s/%s", channel_id, message["ts"], exc_info=True)
        permalink = None
    origin = FormOrigin(FLOWS.kind.name, response_url=body.get("response_url"), permalink=permalink)
    FLOWS.open_form(
        client,
        body["trigger_id"],
        origin,
        logger,
        database,
        settings,
        prefill=Prefill(
            text=unescape_mrkdwn(message.get("text", "")), permalink=permalink, channel="slack"
        ),
        channel_id=channel_id,
        user_id=body["user"]["id"],
    )


def register(app: App, engage: EngageCommand) -> None:
    engage.add(
        Subcommand(
            "feedback",
            "Record feedback from a user of your statistics: at once from text, or in a form; "
            "`list` shows your team's open items, to decide on them; `merge 12 into 9` makes "
            "#12 part of #9.",
            (
                "/engage feedback Wants regional breakdowns of the CPI",
                "/engage feedback",
                "/engage feedback list",
                "/engage feedback merge 12 into 9",
            ),
            run,
        )
    )
    app.shortcut(SHORTCUT_ID)(record_from_message)
    app.action(FEEDBACK_ACTION)(FLOWS.open_from_home)
    app.view(CALLBACK_ID)(FLOWS.submit)
