"""`/engage team [name]`: create or edit a producer team in a form."""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from slack_bolt import Ack, App

from bot.base.config import Settings
from bot.base.text import NAME_MAX, too_long
from bot.base.validation import json_object, record_id_in
from bot.people.permissions import Action
from bot.teams.editing import TARGET_FIELDS, TeamDraft, draft_of, save_team
from handlers.engage import CommandCall, EngageCommand, Subcommand
from handlers.failures import FORM_DOWN, FormProblem, when_the_database_fails
from handlers.forms import FormValues, save_form
from handlers.permissions import Requester
from handlers.replies import post_reply, response_url_in
from handlers.views.entries import handed_back_message, notice_message
from handlers.views.limits import INPUT_MAX
from handlers.views.team import CALLBACK_ID, team_modal, team_saved_modal, team_saved_text
from storage.database import Database
from storage.models import ProducerTeam
from storage.teams import team_for_channel, team_members, team_named
from storage.types import flushed_id


@when_the_database_fails(FormProblem("Team", FORM_DOWN))
def open_team_form(call: CommandCall) -> None:
    """Edit the team named (or whose home this channel is); otherwise create one. Only its
    members and workspace admins may edit a team; only admins may create one."""
    name_too_long = too_long("A team name", call.args, NAME_MAX)
    if name_too_long and len(call.args) > INPUT_MAX:  # more than the form's field can hold
        call.respond(**handed_back_message(f"{name_too_long} Give a shorter name.", call.args))
        return
    metadata = {"response_url": call.command.get("response_url")}
    default_zone = call.settings.timezone.key
    with call.database.transaction() as session:
        home_of = team_for_channel(session=session, channel_id=call.channel_id or "")
        team = team_named(session=session, name=call.args) if call.args else home_of
        action = Action.CREATE_TEAM if team is None else Action.EDIT_TEAM
        problem = call.requester.refusal(action, session=session, team=team)
        if problem is not None:
            call.respond(**notice_message(problem))
            return
        if team is not None:
            members = team_members(session=session, team_id=flushed_id(team))
            view = team_modal(
                metadata=json.dumps({**metadata, "team_id": team.id}),
                draft=draft_of(team, members),
                default_zone=default_zone,
                editing=True,
                public_url=call.settings.public_url,
            )
        else:
            # Offer this channel as the new team's home only if it can be one.
            free = _is_channel(call) and home_of is None
            draft = TeamDraft(call.args, call.channel_id if free else None)
            shorten = f":warning: {name_too_long} Shorten it here before saving."
            view = team_modal(
                metadata=json.dumps(metadata),
                draft=draft,
                default_zone=default_zone,
                note=shorten if name_too_long else None,
            )
    call.client.views_open(trigger_id=call.command["trigger_id"], view=view)


def _is_channel(call: CommandCall) -> bool:
    """Whether the command came from a channel, which can be a home, not a direct message."""
    channel_id, name = call.channel_id or "", str(call.command.get("channel_name", ""))
    direct = channel_id.startswith("D") or name == "directmessage" or name.startswith("mpdm-")
    return bool(channel_id) and not direct


def submit_team(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    database: Database,
    settings: Settings,
    requester: Requester,
    logger: Logger,
) -> None:
    metadata = json_object(view.get("private_metadata"))

    def save() -> str:
        form = FormValues(view)
        draft = TeamDraft(
            name=form.text("name") or "",
            home_channel_id=form.conversation("home_channel"),
            outputs_text=form.text("outputs") or "",
            timezone=form.text("timezone"),
            alert_lead_days=form.text("alert_lead_days"),
            digest_channel_id=form.conversation("digest_channel"),
            digest_cadence=form.choice("digest_cadence"),
            review_channel_id=form.conversation("review_channel"),
            review_cadence=form.choice("review_cadence"),
            **{field: form.text(field) for field in TARGET_FIELDS},
            member_ids=tuple(form.users("members")),
            public_address=form.text("public_address"),
        )
        # An edit's form carries its team; one no team can have reads as gone.
        team_id = record_id_in(metadata["team_id"]) or 0 if "team_id" in metadata else None
        with database.transaction() as session:
            if team_id is None:
                requester.require(Action.CREATE_TEAM, session=session)
            else:
                edited = session.get(ProducerTeam, team_id)
                requester.require(Action.EDIT_TEAM, session=session, team=edited)
            team: ProducerTeam = save_team(
                session=session,
                draft=draft,
                user_id=body["user"]["id"],
                team_id=team_id,
            )
            return team_saved_text(
                team=team,
                created=team_id is None,
                default_zone=settings.timezone.key,
                member_ids=team_members(session=session, team_id=flushed_id(team)),
                public_url=settings.public_url,
            )

    text = save_form(ack, view, logger, save, fallback_field="name")
    if text is None:
        return
    response_url = response_url_in(metadata)
    if response_url:
        ack()
        post_reply(response_url, notice_message(text), logger)
    else:
        ack(response_action="update", view=team_saved_modal(text))


def register(app: App, engage: EngageCommand) -> None:
    engage.add(
        Subcommand(
            "team",
            "Create your team, or edit it: its name, home channel, statistical outputs, "
            "time zone, reminder days, “You said, we did” digest, engagement review and "
            "target days between engagements.",
            ("/engage team", "/engage team Prices"),
            open_team_form,
        )
    )
    app.view(CALLBACK_ID)(submit_team)
