"""`/engage organisation <name>[: <segment>]`: an organisation's audience segment in the
register, shown to anyone and set by team members and workspace admins (bot/users/organisations.py
holds the rules)."""

from __future__ import annotations

from bot.people.permissions import Action
from bot.users.organisations import (
    OrganisationRefused,
    register_entry,
    segment_names,
    set_segment,
    split_request,
)
from handlers.engage import CommandCall, EngageCommand, Subcommand
from handlers.failures import NOTHING_CHANGED, Notice, when_the_database_fails
from handlers.views.entries import notice_message
from handlers.views.organisations import (
    EXAMPLE,
    entry_message,
    refused_message,
    set_message,
    usage_message,
)


@when_the_database_fails(Notice(NOTHING_CHANGED))
def run(call: CommandCall) -> None:
    name, segment = split_request(call.args)
    try:
        with call.database.transaction() as session:
            if not name:
                message = usage_message(segment_names(session))
            elif segment is None:
                message = entry_message(register_entry(session=session, name=name))
            else:
                problem = call.requester.refusal(Action.SET_SEGMENT, session=session)
                if problem is not None:
                    message = notice_message(problem)
                else:
                    message = set_message(set_segment(session=session, name=name, segment=segment))
    except OrganisationRefused as refused:
        message = refused_message(str(refused))
    call.respond(**message)


def register(engage: EngageCommand) -> None:
    engage.add(
        Subcommand(
            "organisation",
            "An organisation's audience segment, by which published statements list it: "
            "shown to anyone, set by team members and workspace admins.",
            ("/engage organisation Bank of England", EXAMPLE),
            run,
        )
    )
