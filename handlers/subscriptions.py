"""`/engage subscribe [team | team: output | output]`, `/engage unsubscribe ...` and
`/engage subscribe list`: which channels hear about a team's upcoming changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from bot.base.validation import Invalid
from bot.changes.subscriptions import (
    Target,
    find_target,
    person_target,
    subscribe,
    unsubscribe,
)
from handlers.engage import CommandCall, EngageCommand, Subcommand
from handlers.failures import LIST_DOWN, Notice, when_the_database_fails
from handlers.views.entries import notice_message
from handlers.views.subscriptions import (
    hearing_message,
    problem_message,
    subscribed_message,
    subscriptions_message,
    unsubscribed_message,
)
from storage.subscriptions import channel_subscriptions, channels_hearing
from storage.teams import team_for_channel
from storage.types import flushed_id

NOT_A_CHANNEL = notice_message(
    ":warning: Only a channel can subscribe: run this in the channel that should hear "
    "about the changes."
)


def run_subscribe(call: CommandCall) -> None:
    if call.args.lower() == "list":
        _answer(call, _listed)
        return
    words = call.args.split(maxsplit=1)
    if len(words) == 2 and words[0].lower() == "list":
        _answer_hearing(call, words[1])
        return

    def work(session: Session, channel_id: str) -> dict[str, Any]:
        target = (
            find_target(session=session, text=call.args)
            if call.args
            else person_target(session=session, channel_id=channel_id, user_id=call.user_id)
        )
        outcome = subscribe(
            session=session, channel_id=channel_id, target=target, user_id=call.user_id
        )
        return subscribed_message(outcome=outcome, target=target, channel_id=channel_id)

    _answer(call, work)


def run_unsubscribe(call: CommandCall) -> None:
    def work(session: Session, channel_id: str) -> dict[str, Any]:
        target = find_target(session=session, text=call.args) if call.args else None
        ended = unsubscribe(session=session, channel_id=channel_id, target=target)
        return unsubscribed_message(ended=ended, channel_id=channel_id)

    _answer(call, work)


def _listed(session: Session, channel_id: str) -> dict[str, Any]:
    home = team_for_channel(session=session, channel_id=channel_id)
    rows = channel_subscriptions(session=session, channel_id=channel_id)
    return subscriptions_message(
        channel_id=channel_id,
        home_of=home.name if home else None,
        subscribed=[Target(team, output) for _, team, output in rows],
    )


@when_the_database_fails(Notice(LIST_DOWN))
def _answer_hearing(call: CommandCall, named: str) -> None:
    """The channels that hear about the changes of the team or output `named`: asked from
    anywhere, a direct message too."""
    try:
        with call.database.transaction() as session:
            target = find_target(session=session, text=named)
            channels = channels_hearing(
                session=session,
                team_id=flushed_id(target.team),
                output_id=target.output.id if target.output else None,
            )
            message = hearing_message(target=target, channels=channels)
    except Invalid as invalid:
        message = problem_message(next(iter(invalid.errors.values())))
    call.respond(**message)


@when_the_database_fails(Notice())
def _answer(call: CommandCall, work: Callable[[Session, str], dict[str, Any]]) -> None:
    """Run `work` for the command's channel in one transaction and answer what it says."""
    channel_id = call.channel_id or ""
    if not channel_id or _is_direct(call):
        call.respond(**NOT_A_CHANNEL)
        return
    try:
        with call.database.transaction() as session:
            message = work(session, channel_id)
    except Invalid as invalid:
        message = problem_message(next(iter(invalid.errors.values())))
    call.respond(**message)


def _is_direct(call: CommandCall) -> bool:
    """A direct message (the bot can't post into other people's) rather than a channel."""
    name = str(call.command.get("channel_name", ""))
    return (
        (call.channel_id or "").startswith("D")
        or name == "directmessage"
        or (name.startswith("mpdm-"))
    )


def register(engage: EngageCommand) -> None:
    engage.add(
        Subcommand(
            "subscribe",
            "Make this channel hear about a team's upcoming changes, or one output's (any "
            "channel, shared ones too); `list` shows what it hears about, `list` and a team "
            "(or an output) which channels hear about its changes.",
            (
                "/engage subscribe Prices",
                "/engage subscribe Prices: Consumer price inflation",
                "/engage subscribe list",
                "/engage subscribe list Prices",
            ),
            run_subscribe,
        )
    )
    engage.add(
        Subcommand(
            "unsubscribe",
            "Stop this channel hearing about a team's changes, or one output's.",
            ("/engage unsubscribe Prices",),
            run_unsubscribe,
        )
    )
