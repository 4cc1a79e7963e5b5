"""`/engage who <organisation or segment>`: which teams engaged with them, when and how,
only for the person who asked (bot/users/who.py finds it)."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from bot.users.who import who
from handlers.engage import CommandCall, EngageCommand, Subcommand
from handlers.views.entries import notice_message
from handlers.views.who import USAGE, who_message


def run(call: CommandCall) -> None:
    if not call.args:
        call.respond(**USAGE)
        return
    try:
        with call.database.transaction() as session:
            message = who_message(who(session=session, text=call.args, today=call.settings.today()))
    except SQLAlchemyError:
        call.logger.exception("/engage who failed")
        message = notice_message(
            ":warning: I can't answer that now: the database is not answering. "
            "Please try again in a minute."
        )
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
