"""`/engage users [team | output | team: output]`: the users map, only for the person who
asked (bot/users/map.py makes it)."""

from __future__ import annotations

from bot.base.text import escape_mrkdwn
from bot.users.map import UsersMapRefused, find_scope, users_map
from handlers.engage import CommandCall, EngageCommand, Subcommand
from handlers.failures import USERS_MAP_DOWN, Notice, when_the_database_fails
from handlers.views.entries import notice_message
from handlers.views.users_map import users_map_message
from storage.teams import team_for_person


@when_the_database_fails(Notice(USERS_MAP_DOWN))
def show_users_map(call: CommandCall) -> None:
    try:
        with call.database.transaction() as session:
            person_team = team_for_person(
                session=session, channel_id=call.channel_id, user_id=call.user_id
            )
            scope = find_scope(session=session, text=call.args, person_team=person_team)
            message = users_map_message(users_map(session=session, scope=scope))
    except UsersMapRefused as refused:
        message = notice_message(f":warning: {escape_mrkdwn(str(refused))}")
    call.respond(**message)


def register(engage: EngageCommand) -> None:
    engage.add(
        Subcommand(
            "users",
            "The users map: when each audience segment was last engaged about each output, "
            "the gaps, and the organisations by last contact (your team's, or name a team or "
            "an output).",
            ("/engage users", "/engage users Prices", "/engage users Consumer price inflation"),
            show_users_map,
        )
    )
