"""`/engage`: one slash command, many subcommands. Each feature module adds its own.

To add a subcommand: in the feature's `register(app, engage)`, call
`engage.add(Subcommand("name", "what it does", ("/engage name example",), run))`;
`run(call)` receives a `CommandCall`. Help is generated from what is registered.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from logging import Logger
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.base.config import Settings
from bot.base.text import storable, unescape_mrkdwn
from bot.deliveries.scheduler import Scheduler
from handlers.inbox import Taking
from handlers.permissions import Requester
from handlers.views.help import help_message
from storage.database import Database

# Words that, alone after a subcommand recording its text at once, are a command typed in
# the wrong place (`/engage log list` wants a list), never a record called "list".
COMMAND_WORDS = frozenset({"list", "help"})


def looks_like_a_command(args: str, *, own_words: Collection[str] = ()) -> bool:
    """Whether the text a subcommand would record is a command typed wrong: a command word
    alone, or text starting with one of the subcommand's own words (`own_words`: feedback's
    "merge") that its parser did not take (`/engage feedback merge abc into 4`)."""
    first = args.split(maxsplit=1)[0].lower() if args else ""
    return args.lower() in COMMAND_WORDS or first in own_words


@dataclass(frozen=True)
class CommandCall:
    """One `/engage <subcommand> <args>` as the subcommand sees it (already acknowledged,
    and kept in the inbox until it is done: `database` saves it there as done, `respond`
    reaches the person even after the response_url expires; handlers/inbox.py)."""

    args: str
    command: dict[str, Any]
    client: WebClient
    respond: Respond
    database: Database
    settings: Settings
    logger: Logger
    name: str  # the subcommand, as registered
    scheduler: Scheduler  # sends what the subcommand queued (an insight's posts)
    requester: Requester  # who asked, for the rules of bot/people/permissions.py

    @property
    def user_id(self) -> str:
        return self.command["user_id"]

    @property
    def channel_id(self) -> str | None:
        return self.command.get("channel_id")


@dataclass(frozen=True)
class Subcommand:
    name: str
    summary: str
    examples: tuple[str, ...]
    run: Callable[[CommandCall], None]


class EngageCommand:
    """Routes `/engage` text to the subcommand named by its first word."""

    def __init__(self) -> None:
        self._subcommands: dict[str, Subcommand] = {}
        self.add(Subcommand("help", "Show this help.", ("/engage help",), self._help))

    def add(self, subcommand: Subcommand) -> None:
        if subcommand.name in self._subcommands:
            raise ValueError(f"/engage {subcommand.name} is registered twice")
        self._subcommands[subcommand.name] = subcommand

    @property
    def subcommands(self) -> list[Subcommand]:
        return list(self._subcommands.values())

    def __call__(
        self,
        context: BoltContext,
        command: dict[str, Any],
        client: WebClient,
        settings: Settings,
        scheduler: Scheduler,
        requester: Requester,
        logger: Logger,
        inbox: Taking,
    ) -> None:
        # Slack sends &, < and > in the text as entities; subcommands get what was typed.
        typed = storable(unescape_mrkdwn(command.get("text") or ""))
        words = typed.split(maxsplit=1)  # any whitespace, tabs too
        name = words[0] if words else ""
        args = words[1] if len(words) > 1 else ""
        subcommand = self._subcommands.get(name.lower() or "help")

        def work(database: Database, respond: Respond) -> None:
            if subcommand is None:
                respond(**help_message(self.subcommands, unknown=name))
                return
            call = CommandCall(
                args.strip(),
                command,
                client,
                respond,
                database,
                settings,
                logger,
                subcommand.name,
                scheduler,
                requester,
            )
            subcommand.run(call)

        # Kept, then acknowledged; the subcommand runs after, on the inbox's pool, so the
        # next command's acknowledgement never waits behind this one's save.
        inbox.take(context, command, work)

    def _help(self, call: CommandCall) -> None:
        call.respond(**help_message(self.subcommands))
