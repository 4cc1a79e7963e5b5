"""Insights: `/engage insight <text>` shares one at once, `/engage insight` opens the form
(tags, outputs, segments); each is posted to the cross-team channels, and the weekly
cross-team digest gathers them with every team's upcoming opportunities (`KINDS`,
`cross_team_kinds`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from logging import Logger
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App
from sqlmodel import Session

from bot.base.config import Settings
from bot.base.text import split_list
from bot.base.validation import Invalid, json_object, record_id_in
from bot.deliveries.catch_up import Skip
from bot.deliveries.scheduler import DeliveryKind, Message, Scheduler
from bot.engagements.insights import (
    CROSS_TEAM_DIGEST,
    INSIGHT_SHARED,
    InsightDraft,
    Sharing,
    cross_team_digest,
    cross_team_digest_plan,
    save_insight,
)
from handlers.engage import CommandCall, EngageCommand, Subcommand, looks_like_a_command
from handlers.failures import FORM_DOWN, HandBack, Notice, when_the_database_fails
from handlers.forms import FormValues, save_form
from handlers.replies import post_reply, response_url_in
from handlers.views.entries import handed_back_message
from handlers.views.help import not_a_command_message
from handlers.views.insights import (
    CALLBACK_ID,
    DIGEST_SHOWN,
    NO_TEAM,
    cross_team_digest_message,
    insight_message,
    insight_modal,
    shared_message,
)
from storage.clock import utc_now
from storage.database import Database
from storage.models import Delivery, Insight
from storage.reference import list_segments
from storage.teams import team_for_person
from storage.types import flushed_id

USAGE = (
    "`/engage insight Councils want CPI by region` shares an insight at once; "
    "`/engage insight` alone opens the form."
)


def run(call: CommandCall) -> None:
    """`/engage insight [text]`."""
    if not call.args:
        _open_form(call)
        return
    if looks_like_a_command(call.args):
        call.respond(**not_a_command_message(f"/engage insight {call.args}", USAGE))
        return
    now = utc_now()
    sharing = _share(call, now)
    if sharing is not None:
        call.scheduler.deliver(now, keys=[due.key for due in sharing.dues])


@when_the_database_fails(HandBack())
def _share(call: CommandCall, now: datetime) -> Sharing | None:
    """Share the insight typed, and say where it goes; None if it was not shared."""
    try:
        with call.database.transaction() as session:
            team = team_for_person(
                session=session, channel_id=call.channel_id, user_id=call.user_id
            )
            if team is None:
                call.respond(**NO_TEAM)
                return None
            sharing = save_insight(
                session=session,
                draft=InsightDraft(text=call.args),
                team_id=flushed_id(team),
                user_id=call.user_id,
                channels=call.settings.cross_team_channels,
                now=now,
                source_key=f"command:{call.user_id}:{call.command['trigger_id']}",
            )
            message = shared_message(
                insight=sharing.insight, team_name=team.name, channels=sharing.channels
            )
    except Invalid as invalid:  # a command gives only the text: it is too long
        problem = next(iter(invalid.errors.values()))
        refusal = f"Nothing was shared. {problem} Shorten it and send it again."
        call.respond(**handed_back_message(refusal, call.args))
        return None
    call.respond(**message)
    return sharing


@when_the_database_fails(Notice(FORM_DOWN))
def _open_form(call: CommandCall) -> None:
    with call.database.transaction() as session:
        team = team_for_person(session=session, channel_id=call.channel_id, user_id=call.user_id)
        if team is None:
            call.respond(**NO_TEAM)
            return
        metadata = {"team_id": team.id, "response_url": call.command.get("response_url")}
        view = insight_modal(
            team_name=team.name,
            segments=list_segments(session=session),
            metadata=json.dumps(metadata),
        )
    call.client.views_open(trigger_id=call.command["trigger_id"], view=view)


def save(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    database: Database,
    settings: Settings,
    scheduler: Scheduler,
    logger: Logger,
) -> None:
    """The form's submission: store the insight and queue its posts, answer, then send them."""
    user_id = body["user"]["id"]
    metadata = json_object(view.get("private_metadata"))
    team_id = record_id_in(metadata.get("team_id")) or 0
    now = utc_now()

    def store() -> tuple[dict[str, Any], list[str]]:
        form = FormValues(view)
        draft = InsightDraft(
            text=form.text("text"),
            tags=split_list(form.text("tags")),
            output_ids=form.id_choices("outputs"),
            segment_ids=form.id_choices("segments"),
        )
        with database.transaction() as session:
            sharing = save_insight(
                session=session,
                draft=draft,
                team_id=team_id,
                user_id=user_id,
                channels=settings.cross_team_channels,
                now=now,
                source_key=f"view:{user_id}:{view['id']}",
            )
            message = shared_message(
                insight=sharing.insight,
                team_name=sharing.insight.team.name,
                channels=sharing.channels,
            )
            return message, [due.key for due in sharing.dues]

    saved = save_form(ack, view, logger, store, fallback_field="text")
    if saved is None:
        return
    message, keys = saved
    ack()
    response_url = response_url_in(metadata)
    if response_url:
        post_reply(response_url, message, logger)
    scheduler.deliver(now, keys=keys)


# --- scheduled deliveries ----------------------------------------------------------------


def _render_insight(
    session: Session, delivery: Delivery, _zone: ZoneInfo, _at: datetime
) -> Message | None:
    insight = session.get(Insight, delivery.subject_id) if delivery.subject_id else None
    return insight_message(insight) if insight is not None else None


def _render_digest(
    session: Session, delivery: Delivery, zone: ZoneInfo, at: datetime
) -> Message | Skip | None:
    if not delivery.note:
        return None
    digest = cross_team_digest(
        session=session,
        monday=date.fromisoformat(delivery.note),
        at=at,
        zone=zone,
        limit=DIGEST_SHOWN,
    )
    if digest.empty:
        return Skip("nothing to tell: no insight shared that week, no opportunity ahead")
    return cross_team_digest_message(digest)


KINDS: tuple[DeliveryKind, ...] = (
    DeliveryKind(INSIGHT_SHARED, "an insight shared with the other teams", _render_insight),
)


def cross_team_kinds(channels: Sequence[str]) -> tuple[DeliveryKind, ...]:
    """The kinds whose plan needs to know the cross-team channels."""
    return (
        DeliveryKind(
            CROSS_TEAM_DIGEST,
            "the weekly cross-team digest",
            _render_digest,
            cross_team_digest_plan(channels),
        ),
    )


def register(app: App, engage: EngageCommand) -> None:
    engage.add(
        Subcommand(
            "insight",
            "Share something your team learnt about users with the other teams, in the "
            "cross-team channel: at once from text, or in a form (tags, outputs, segments) "
            "with no text.",
            ("/engage insight Local councils want CPI by region, monthly", "/engage insight"),
            run,
        )
    )
    app.view(CALLBACK_ID)(save)
