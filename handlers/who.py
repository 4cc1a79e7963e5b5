"""`/engage who <organisation or segment>`: which teams engaged with them, when and how,
only for the person who asked (bot/users/who.py finds it)."""

from __future__ import annotations

from bot.users.who import who
from handlers.engage import CommandCall, EngageCommand, Subcommand
from handlers.failures import NO_ANSWER, Notice, when_the_database_fails
from handlers.views.who import USAGE, who_message


@when_the_database_fails(Notice(NO_ANSWER))
def run(call: CommandCall) -> None:
    if not call.args:
        call.respond(**USAGE)
        return
    with call.database.transaction() as session:
        message = who_message(who(session=session, text=call.args, today=call.settings.today()))
    call.respond(**message)


def register(engage: EngageCommand) -> None:
    engage.add(
        Subcommand(
            "who",
            "Which teams engaged with an organisation, or an audience segment in the last 12 "
            "months: when, how and with whom, so you can join up before contacting them.",
            ("/engage who Bank of England", "/engage who media"),
            run,
        )
    )
