"""The flows engagements and feedback share: record from text, open the form, save it,
add details, undo. `handlers/engagement.py` and `handlers/feedback.py` each describe
their kind with an `EntryKind`; everything here works for either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from logging import Logger
from typing import Any, Protocol

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.base.config import Settings
from bot.base.text import too_long
from bot.base.validation import Invalid, no_longer_exists
from bot.entries.filing import AlreadyGone, Filed, OnlyTheirs, TeamUnclear, Typed, Undo, UndoRefused
from handlers.engage import CommandCall, looks_like_a_command
from handlers.failures import (
    FORM_DOWN_IN_A_MINUTE,
    NOTHING_DELETED,
    FormProblem,
    HandBack,
    Notice,
    when_the_database_fails,
)
from handlers.forms import FormValues, save_form
from handlers.home import on_home, publish_home
from handlers.replies import post_reply
from handlers.views.blocks import Block
from handlers.views.entries import (
    FormOrigin,
    handed_back_message,
    notice_message,
    problem_modal,
    recorded_message,
    saved_modal,
    undone_message,
)
from handlers.views.help import not_a_command_message
from handlers.views.limits import INPUT_MAX
from handlers.views.organisations import segment_notes
from storage.database import Database
from storage.models import AudienceSegment, Engagement, Feedback, ProducerTeam, StatisticalOutput
from storage.reference import list_segments
from storage.teams import team_for_person


@dataclass(frozen=True)
class Prefill:
    """What a new form starts with."""

    team: ProducerTeam | None = None
    text: str | None = None
    permalink: str | None = None
    channel: str | None = None
    output: StatisticalOutput | None = None
    note: str | None = None  # safe mrkdwn heading the form (what a comment is on)
    # An engagement's date, method and participants (when logged for an opportunity).
    day: date | None = None
    method: str | None = None
    participants: int | None = None


class EntryKind(Protocol):
    """A kind of entry, as the flows below need it: `handlers/engagement.py: EngagementKind`
    and `handlers/feedback.py: FeedbackKind`."""

    name: str  # "engagement", also the prefix of button values
    label: str  # "Engagement"
    verb: str  # "Logged"
    text_field: str  # the required text's field: its errors show there
    text_label: str
    text_limit: int
    usage: str  # what `/engage <subcommand>` takes (safe mrkdwn), for text that is no record
    # Words the subcommand takes after its name (feedback's "list", "merge"): text starting
    # with one reached the flows only because it did not parse, so it is not recorded.
    own_words: tuple[str, ...]

    @property
    def model(self) -> type[Engagement] | type[Feedback]: ...

    def form(
        self,
        *,
        segments: list[AudienceSegment],
        today: date,
        metadata: str,
        record: Any,
        prefill: Prefill,
    ) -> dict[str, Any]:
        """The modal, for a new entry or for `record`."""
        ...

    def draft_from_form(self, form: FormValues, origin: FormOrigin) -> Any: ...

    def save_form(
        self,
        database: Database,
        draft: Any,
        origin: FormOrigin,
        *,
        today: date,
        earliest: date,
        user_id: str,
        source_key: str | None,
    ) -> Filed:
        """Save the form's `draft` (a new entry, or `origin.record_id`) in the domain's
        transaction; raise `Invalid`."""
        ...

    def more_buttons(self, filed: Filed) -> list[dict[str, Any]]:
        """Buttons of the kind's own beside "Add details" and "Undo" (feedback: "Decide")."""
        ...

    def undo(self, database: Database, record_id: int, user_id: str) -> Undo:
        """Delete the record for "Undo", in the domain's transaction."""
        ...


NO_TEAM_YET = notice_message(
    ":warning: Nothing was recorded: there is no team yet to file it under. "
    "Create yours with `/engage team`, then try again."
)


class EntryFlows:
    """Listeners and subcommand runners for one kind of entry.

    Every read and write goes through the request's `database`: bound to the person, for
    the audit log, and to the request's workspace.
    """

    def __init__(self, kind: EntryKind) -> None:
        self.kind = kind

    # --- /engage <kind> [text] -------------------------------------------------------

    @when_the_database_fails(HandBack())
    def run_subcommand(
        self, call: CommandCall, record: Callable[[Database, Typed], Filed | TeamUnclear]
    ) -> None:
        """`/engage <kind>`: the form; with text, the entry `record` files at once (unless the
        text is a command typed wrong, or too long: then it is handed back)."""
        if not call.args:
            origin = FormOrigin(self.kind.name, response_url=call.command.get("response_url"))
            self.open_form(
                call.client,
                call.command["trigger_id"],
                origin,
                call.logger,
                call.database,
                call.settings,
                channel_id=call.channel_id,
                user_id=call.user_id,
            )
            return
        if looks_like_a_command(call.args, own_words=self.kind.own_words):
            command = f"/engage {call.name} {call.args}"
            call.respond(**not_a_command_message(command, self.kind.usage))
            return
        problem = too_long(self.kind.text_label, call.args, self.kind.text_limit)
        if problem:
            self._hand_back(call, problem)
            return
        typed = Typed(
            text=call.args,
            user_id=call.user_id,
            channel_id=call.channel_id,
            today=call.settings.today(),
            earliest=call.settings.earliest_date,
            source_key=f"command:{call.user_id}:{call.command['trigger_id']}",
        )
        try:
            filed = record(call.database, typed)
        except Invalid as invalid:
            call.respond(**notice_message(f":warning: Nothing was recorded. {_first(invalid)}"))
            return
        if isinstance(filed, Filed):
            call.respond(**self.recorded(filed, self.kind.verb))
        elif filed.any_team:  # not clear which: let the person choose, keeping their text
            origin = FormOrigin(self.kind.name, response_url=call.command.get("response_url"))
            self.open_form(
                call.client,
                call.command["trigger_id"],
                origin,
                call.logger,
                call.database,
                call.settings,
                prefill=Prefill(text=call.args),
            )
        else:
            call.respond(**NO_TEAM_YET)

    def _hand_back(self, call: CommandCall, problem: str) -> None:
        """Text over the field's limit is neither cut nor lost: the form opens with it, to
        shorten there, when Slack's field can hold it; otherwise (or when the form cannot
        be made or opened) it is sent back whole."""
        refusal = f"Nothing was recorded. {problem} Shorten it and send it again."
        if len(call.args) <= INPUT_MAX:
            note = f":warning: {problem} Shorten it here before saving."
            origin = FormOrigin(self.kind.name, response_url=call.command.get("response_url"))
            prefill = Prefill(text=call.args, note=note)
            # A database that fails is handed back by run_subcommand's HandBack: a form
            # saying so would lose the text.
            try:
                view = self._form_view(
                    origin,
                    call.database,
                    call.settings,
                    prefill,
                    channel_id=call.channel_id,
                    user_id=call.user_id,
                )
                call.client.views_open(trigger_id=call.command["trigger_id"], view=view)
                return
            except SlackApiError:  # the trigger expired: the text must still come back
                call.logger.warning("the form for a long %s did not open", self.kind.name)
        call.respond(**handed_back_message(refusal, call.args))

    # --- the form ---------------------------------------------------------------------

    @when_the_database_fails(FormProblem(None, FORM_DOWN_IN_A_MINUTE))
    def open_form(
        self,
        client: WebClient,
        trigger_id: str,
        origin: FormOrigin,
        logger: Logger,
        database: Database,
        settings: Settings,
        *,
        prefill: Prefill = Prefill(),
        channel_id: str | None = None,
        user_id: str | None = None,
    ) -> None:
        """Open the form for a new entry, or for `origin.record_id`."""
        view = self._form_view(origin, database, settings, prefill, channel_id, user_id)
        client.views_open(trigger_id=trigger_id, view=view)

    def _form_view(
        self,
        origin: FormOrigin,
        database: Database,
        settings: Settings,
        prefill: Prefill,
        channel_id: str | None,
        user_id: str | None,
    ) -> dict[str, Any]:
        """The form for a new entry (its team found from the channel or the person, unless
        `prefill` has it), or for `origin.record_id`; raise what the database raises."""
        with database.transaction() as session:
            record = session.get(self.kind.model, origin.record_id) if origin.record_id else None
            if origin.record_id and record is None:
                return problem_modal(
                    self.kind.label, no_longer_exists(f"{self.kind.label} #{origin.record_id}")
                )
            if prefill.team is None and user_id is not None:
                team = team_for_person(session=session, channel_id=channel_id, user_id=user_id)
                prefill = replace(prefill, team=team)
            return self.kind.form(
                segments=list(list_segments(session=session)),
                today=settings.today(),
                metadata=origin.to_json(),
                record=record,
                prefill=prefill,
            )

    def submit(
        self,
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        database: Database,
        settings: Settings,
        logger: Logger,
    ) -> None:
        origin = FormOrigin.from_json(view.get("private_metadata", ""), self.kind.name)
        user_id = body["user"]["id"]

        def save() -> Filed:
            return self.kind.save_form(
                database,
                self.kind.draft_from_form(FormValues(view), origin),
                origin,
                today=settings.today(),
                earliest=settings.earliest_date,
                user_id=user_id,
                source_key=None if origin.record_id else f"view:{user_id}:{view['id']}",
            )

        filed = save_form(ack, view, logger, save, fallback_field=self.kind.text_field)
        if filed is None:
            return
        verb = "Updated" if origin.record_id else self.kind.verb
        notes = segment_notes(filed.organisations, self.kind.label)
        if origin.response_url:
            ack()
            message = self.recorded(filed, verb, notes)
            post_reply(
                origin.response_url,
                {**message, "replace_original": origin.replace_original},
                logger,
            )
        else:
            ack(
                response_action="update",
                view=saved_modal(
                    label=self.kind.label,
                    record_id=filed.record_id,
                    text=filed.text,
                    team=filed.team,
                    verb=verb,
                    comment=origin.change_id is not None,
                    notes=notes,
                ),
            )
        if origin.from_home:
            publish_home(
                client=client,
                user_id=user_id,
                database=database,
                settings=settings,
                logger=logger,
            )

    # --- buttons on the confirmation ---------------------------------------------------

    def add_details(
        self,
        record_id: int,
        body: dict[str, Any],
        client: WebClient,
        database: Database,
        settings: Settings,
        logger: Logger,
    ) -> None:
        home = on_home(body)
        origin = FormOrigin(
            self.kind.name,
            record_id,
            response_url=body.get("response_url"),
            replace_original=not home,
            from_home=home,
        )
        self.open_form(client, body["trigger_id"], origin, logger, database, settings)

    # --- listeners: a new entry's form, from a shortcut or the Home tab ------------------

    def open_from_shortcut(
        self,
        ack: Ack,
        body: dict[str, Any],
        client: WebClient,
        database: Database,
        settings: Settings,
        logger: Logger,
    ) -> None:
        ack()
        self._open_new(FormOrigin(self.kind.name), body, client, database, settings, logger)

    def open_from_home(
        self,
        ack: Ack,
        body: dict[str, Any],
        client: WebClient,
        database: Database,
        settings: Settings,
        logger: Logger,
    ) -> None:
        ack()
        origin = FormOrigin(self.kind.name, from_home=True)
        self._open_new(origin, body, client, database, settings, logger)

    def _open_new(
        self,
        origin: FormOrigin,
        body: dict[str, Any],
        client: WebClient,
        database: Database,
        settings: Settings,
        logger: Logger,
    ) -> None:
        user_id = body["user"]["id"]
        self.open_form(
            client, body["trigger_id"], origin, logger, database, settings, user_id=user_id
        )

    @when_the_database_fails(Notice(NOTHING_DELETED))
    def undo(
        self, record_id: int, user_id: str, database: Database, respond: Respond, logger: Logger
    ) -> None:
        label = self.kind.label
        undo = self.kind.undo(database, record_id, user_id)
        if isinstance(undo, AlreadyGone):
            respond(**notice_message(f"{label} #{record_id} was already deleted."))
        elif isinstance(undo, OnlyTheirs):
            respond(
                **notice_message(
                    f":no_entry: Only <@{undo.owner}>, who recorded {label.lower()} "
                    f"#{record_id}, can undo it. Nothing was deleted."
                ),
                replace_original=False,
            )
        elif isinstance(undo, UndoRefused):
            respond(**notice_message(undo.reason), replace_original=False)
        else:
            respond(**undone_message(label=label, record_id=record_id, team=undo.team))

    def recorded(self, filed: Filed, verb: str, notes: Sequence[Block] = ()) -> dict[str, Any]:
        return recorded_message(
            kind=self.kind.name,
            label=self.kind.label,
            record_id=filed.record_id,
            text=filed.text,
            team=filed.team,
            verb=verb,
            more_buttons=self.kind.more_buttons(filed),
            notes=notes,
        )


def _first(invalid: Invalid) -> str:
    return next(iter(invalid.errors.values()))
