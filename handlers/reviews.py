"""A team's engagement review in Slack: posted to its review channel on its cadence (with
a chart), a line on each team's in the cross-team channels, and `/engage review [team]
[month|quarter|year|this month]` on demand, only for the person who asked, with "Post to channel"
(`bot/reviews/schedule.py` has the schedule, `bot/reviews/post.py` what the post says)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from logging import Logger
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import App, BoltContext, Respond
from sqlmodel import Session

from bot.base.clock import zone_named
from bot.base.text import preview
from bot.base.validation import json_object, no_longer_exists, record_id_in
from bot.deliveries.catch_up import Skip
from bot.deliveries.scheduler import DeliveryKind, Message, Scheduler
from bot.people.permissions import Action
from bot.reviews.figures import review_team
from bot.reviews.post import review_post, summary_line
from bot.reviews.schedule import (
    REVIEW,
    REVIEW_SUMMARY,
    SPANS,
    THIS_MONTH,
    asked_period,
    period_note,
    period_of_note,
    periods_reviewed,
    review_key,
    review_plan,
    summary_plan,
)
from handlers.engage import CommandCall, EngageCommand, Subcommand
from handlers.failures import REVIEW_DOWN, Notice, when_the_database_fails
from handlers.inbox import Taking
from handlers.permissions import Requester
from handlers.views.entries import OUT_OF_DATE, notice_message
from handlers.views.reviews import (
    POST_ACTION,
    posted_answer,
    review_answer,
    review_post_message,
    review_summary_message,
)
from storage.clock import utc_now
from storage.database import Database
from storage.deliveries import Due, enqueue, sent_message
from storage.models import Delivery, ProducerTeam
from storage.review_posts import teams_with_review_channel
from storage.teams import team_for_person, team_named

WHICH_TEAM = (
    ":warning: Which team? Name it, e.g. `/engage review Prices`, or ask in a team's home "
    "channel. (With no team yet, create yours with `/engage team`.)"
)


def _not_a_team(session: Session, words: list[str]) -> str:
    """Why the words name no team: a period it cannot review after a team's name, or no such
    team."""
    team = team_named(session=session, name=" ".join(words[:-1])) if len(words) > 1 else None
    if team is not None:
        return (
            ":warning: I can review a month, a quarter, a year or this month, "
            f"not “{preview(words[-1], 40)}”: "
            f"for example `/engage review {preview(team.name, 80)} quarter`."
        )
    return f":warning: No team is called “{preview(' '.join(words), 80)}”."


def _span_asked(words: list[str]) -> str:
    """The span the last words ask for ("month" if none), taken off `words`. Also as the team
    form names cadences: "quarterly" is a quarter, "monthly" a month."""
    if [word.lower() for word in words[-2:]] == THIS_MONTH.split():
        del words[-2:]
        return THIS_MONTH
    asked = words[-1].lower().removesuffix("ly") if words else ""
    if asked in SPANS:
        words.pop()
        return asked
    return "month"


@when_the_database_fails(Notice(REVIEW_DOWN))
def run(call: CommandCall) -> None:
    """`/engage review [team] [month|quarter|year|this month]`."""
    words = call.args.split()
    span = _span_asked(words)
    name = " ".join(words)
    with call.database.transaction() as session:
        team = (
            team_named(session=session, name=name)
            if name
            else team_for_person(session=session, channel_id=call.channel_id, user_id=call.user_id)
        )
        if team is None:
            message = notice_message(_not_a_team(session, words) if name else WHICH_TEAM)
        else:
            assert team.id is not None
            zone = zone_named(team.timezone, call.settings.timezone)
            period = asked_period(team, span, utc_now().astimezone(zone).date(), zone)
            post = review_post(
                session=session, team=team, period=period, default_zone=call.settings.timezone
            )
            channel = team.review_channel_id or call.channel_id or ""
            message = review_answer(post, team_id=team.id, channel=channel)
    call.respond(**message)


def post_to_channel(
    context: BoltContext,
    action: dict[str, Any],
    body: dict[str, Any],
    scheduler: Scheduler,
    requester: Requester,
    inbox: Taking,
    logger: Logger,
) -> None:
    """ "Post to channel": the same review, to the team's review channel (else this one),
    through the scheduler, so a review already posted there is not posted twice. Only the
    team's members and workspace admins may post it."""

    def work(database: Database, respond: Respond) -> None:
        _post_to_channel(action, body, respond, database, scheduler, requester, logger)

    inbox.take(context, body, work)  # kept, acknowledged, then done


@when_the_database_fails(Notice())
def _post_to_channel(
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    database: Database,
    scheduler: Scheduler,
    requester: Requester,
    logger: Logger,
) -> None:
    asked = _asked(action.get("value"))
    if asked is None:
        respond(**notice_message(OUT_OF_DATE), replace_original=False)
        return
    team_id, period = asked
    user_id = body["user"]["id"]
    now = utc_now()
    with database.transaction() as session:
        team = session.get(ProducerTeam, team_id)
        problem = (
            requester.refusal(Action.POST_REVIEW, session=session, team=team)
            if team is not None
            else no_longer_exists("That team")
        )
        if problem is not None:
            respond(**notice_message(problem), replace_original=False)
            return
        assert team is not None  # else `problem` says so
        channel = team.review_channel_id or body["channel"]["id"]
        key = review_key(team_id, period, channel)
        due = Due(
            key=key,
            kind=REVIEW,
            target=channel,
            due_at=now,
            team_id=team.id,
            note=f"{period_note(period)}/{user_id}",
        )
        enqueue(session=session, dues=[due])
    sent_now = scheduler.deliver(now, keys=[key]).sent > 0
    with database.transaction() as session:
        posted = sent_message(session=session, key=key) is not None
    respond(**posted_answer(channel=channel, period=period, posted=posted, sent_now=sent_now))


def _asked(value: object) -> tuple[int, tuple[date, date]] | None:
    """The team and period a "Post to channel" button carries (`review_answer`), or None
    for a value it never carried."""
    asked = json_object(value if isinstance(value, str) else None)
    team_id = record_id_in(asked.get("team"))
    try:
        period = (date.fromisoformat(asked["from"]), date.fromisoformat(asked["to"]))
    except (KeyError, TypeError, ValueError):
        return None
    return (team_id, period) if team_id is not None and period[0] <= period[1] else None


# --- scheduled deliveries ----------------------------------------------------------------


def _render_review(
    session: Session, delivery: Delivery, zone: ZoneInfo, _at: datetime
) -> Message | Skip:
    team = session.get(ProducerTeam, delivery.team_id) if delivery.team_id else None
    if team is None or not delivery.note:
        return Skip("the team no longer exists")
    period = period_of_note(delivery.note)
    asked_by = delivery.note.split("/")[2] if delivery.note.count("/") == 2 else None
    if asked_by is None and team.review_channel_id != delivery.target:
        return Skip("the team moved its review to another channel, or stopped it")
    post = review_post(session=session, team=team, period=period, default_zone=zone)
    return review_post_message(post, asked_by=asked_by)


def _render_summary(
    session: Session, delivery: Delivery, zone: ZoneInfo, _at: datetime
) -> Message | None:
    if not delivery.note:
        return None
    day = date.fromisoformat(delivery.note)
    lines = [
        summary_line(
            review_team(
                session=session,
                team=team,
                period_from=period[0],
                period_to=period[1],
                default_zone=zone,
            )
        )
        for team, period in periods_reviewed(day, teams_with_review_channel(session=session), zone)
    ]
    return review_summary_message(lines, day) if lines else None


KINDS: tuple[DeliveryKind, ...] = (
    DeliveryKind(REVIEW, "the engagement review", _render_review, review_plan),
)


def cross_team_kinds(channels: Sequence[str]) -> tuple[DeliveryKind, ...]:
    """The kinds whose plan needs to know the cross-team channels."""
    return (
        DeliveryKind(
            REVIEW_SUMMARY,
            "the summary of every team's engagement review",
            _render_summary,
            summary_plan(channels),
        ),
    )


def register(app: App, engage: EngageCommand) -> None:
    engage.add(
        Subcommand(
            "review",
            "Your team's engagement review of the last full month (or quarter, or 12 months, or "
            "this month so far): "
            "its figures, what needs attention and next steps, with a button to post it.",
            (
                "/engage review",
                "/engage review Prices quarter",
                "/engage review year",
                "/engage review this month",
            ),
            run,
        )
    )
    app.action(POST_ACTION)(post_to_channel)
