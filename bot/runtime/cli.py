"""The `engagebot` command line: serve, site, console, tick, deliveries, db upgrade, export, import,
erase, publish, review, audit, workspaces.

Commands that read or write records act on one workspace: `--workspace` (before the
command), the single workspace unless given."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.base.text import counted
from storage.clock import utc_now

# The rest is imported by the command that needs it, so that `engagebot --help` loads
# neither the database nor Slack's libraries, and `review` nothing of serving
# (tests/e2e/test_cli_imports.py; the time it saves: bench/README.md, *Start-up*).
if TYPE_CHECKING:
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import Session

    from bot.base.config import Settings
    from bot.people.names import NameOf
    from bot.people.slack_names import SlackNames
    from bot.runtime.serving import Served
    from storage.auditing import Actor
    from storage.database import Database

logger = logging.getLogger("engagebot")

EXIT_CONFIG = 2
NAME_LOOKUP_SECONDS = 10  # Slack's answer about one person, for export and audit
_NO_TOKEN = "no Slack token to ask Slack for names (SLACK_BOT_TOKEN)"
# The work listeners do after ack() (`/engage` subcommands, mostly), taken from the inbox
# (handlers/inbox.py): a few people's at once, each person's in order. Its saves mostly wait
# for the database and the reply, so a few threads do more; many would compete with the
# acknowledgements for the interpreter (bench/README.md).
COMMAND_THREADS = 4
USERS_MAP = "users-map"
ORGANISATIONS = "organisations"  # the register: exported, and imported by its own rules
# Slack team ids: "T" then capitals and digits.
WORKSPACE_ID = re.compile(r"T[A-Z0-9]{1,31}")
# Commands whose workspace is not --workspace's: `serve` takes each request's, the console
# is the single workspace's, and `workspaces` and the public site span them all.
NO_WORKSPACE = ("serve", "console", "db", "workspaces", "site")
# The commands that create the database they are pointed at (applying the migrations). Any
# other, pointed at no database, would leave an empty SQLite file behind and report no table.
CREATE_DATABASE = ("serve", "console", "db")


class CommandError(Exception):
    """What stops a command: said on stderr (one line, `engagebot: ...`, unless `prefix`
    says otherwise), with the exit status (`EXIT_CONFIG` when the command was asked for
    wrongly). Caught once, in `main`."""

    def __init__(self, message: str, status: int = 1, *, prefix: str = "engagebot: ") -> None:
        super().__init__(message)
        self.status = status
        self.prefix = prefix


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.workspace and args.command in NO_WORKSPACE:
        parser.error(f"--workspace is not for `{args.command}`")
    from sqlalchemy.exc import SQLAlchemyError

    from bot.base.config import ConfigError, configure_logging, load_settings

    try:
        settings = load_settings(require_slack=args.command == "serve")
        if args.command == "tick":
            _check_tick(args, settings)
        if args.command == "serve":
            _check_serve(args, settings)
        if args.command not in CREATE_DATABASE:
            _check_database_exists(settings)
        _check_dates(args, settings)
    except ConfigError as problem:
        print(f"engagebot: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings, quiet=args.command == "console")
    try:
        return int(args.run(args, settings) or 0)
    except CommandError as error:
        print(f"{error.prefix}{error}", file=sys.stderr)
        return error.status
    except BrokenPipeError:
        # The reader went away (`engagebot export ... | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except SQLAlchemyError as error:
        logger.debug("database failure", exc_info=True)
        print(f"engagebot: {database_failure(error)}", file=sys.stderr)
        return 1


def _check_dates(args: argparse.Namespace, settings: Settings) -> None:
    """Every date given is one a record may hold (`_date_problem`)."""
    from bot.base.config import ConfigError

    for name, value in vars(args).items():
        day = value.date() if isinstance(value, datetime) else value
        option = "--" + name.removeprefix("period_").replace("_", "-")
        if isinstance(day, date) and (problem := _date_problem(option, day, settings)):
            raise ConfigError(problem)


def _date_problem(option: str, day: date, settings: Settings) -> str | None:
    """Why `day`, given as `option`, is refused: as in the forms, a date is from
    ENGAGEBOT_EARLIEST_DATE to ten years ahead (beyond, a day's arithmetic overflows)."""
    from bot.base.validation import latest_date

    first, last = settings.earliest_date, latest_date(settings.today())
    return (
        None
        if first <= day <= last
        else f"{option} {day} is not between {first} and {last}: check the year"
    )


def _check_tick(args: argparse.Namespace, settings: Settings) -> None:
    """`tick` posts with SLACK_BOT_TOKEN in its workspace, or with OAuth distribution in
    every installed workspace with that workspace's own token."""
    from bot.base.config import ConfigError

    if settings.oauth_enabled:
        if args.workspace:
            raise ConfigError(
                "--workspace is not for `tick` with OAuth distribution: it runs in every "
                "installed workspace, each with its own token"
            )
    elif settings.bot_token is None:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: `tick` posts to Slack with it (or, with OAuth "
            "distribution, set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)"
        )


def _check_serve(args: argparse.Namespace, settings: Settings) -> None:
    """Socket Mode is one connection to Slack, kept by one process."""
    from bot.base.config import ConfigError

    asked = args.workers or settings.workers
    if settings.socket_mode and asked is not None and asked > 1:
        given = f"--workers {args.workers}" if args.workers else f"ENGAGEBOT_WORKERS={asked}"
        raise ConfigError(
            f"{given} asks for several processes, but Socket Mode (SLACK_APP_TOKEN) is served "
            "by one: leave it out, or serve over HTTP (remove SLACK_APP_TOKEN)"
        )


def _check_database_exists(settings: Settings) -> None:
    """Raise ConfigError, saying where it looked, if the SQLite database does not exist:
    connecting would create an empty one, a second database beside the bot's."""
    from bot.base.config import ConfigError, default_database_url
    from storage.database import missing_sqlite_file

    missing = missing_sqlite_file(settings.database_url)
    if missing is None:
        return
    if settings.database_url == default_database_url():
        where = (
            f"there is no database at {missing} (DATABASE_URL is not set, so engagebot looked "
            "in the folder it runs in): run it where the bot's database is, or set"
        )
    else:
        where = f"there is no database at {missing}, where DATABASE_URL points: set"
    raise ConfigError(
        f"{where} DATABASE_URL, in the environment or in .env, to the bot's database. Nothing "
        "was created; to start a new, empty database there, run `engagebot db upgrade`."
    )


def database_failure(error: SQLAlchemyError) -> str:
    """One line on why the database failed, from the driver's own first line."""
    detail = (str(getattr(error, "orig", None) or error).strip().splitlines() or [""])[0]
    if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
        advice = "run `engagebot db upgrade` to create the tables"
    else:
        advice = "check DATABASE_URL"
    return f"the database failed ({type(error).__name__}: {detail}); {advice}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="engagebot",
        description="A Slack bot for statistics teams' engagement with their users.",
    )
    parser.add_argument(
        "--workspace",
        type=_workspace,
        metavar="TEAM_ID",
        help="the Slack workspace (team id, e.g. T0123) whose records a command reads and "
        "writes; OAuth mode keeps each workspace's apart (default: the single workspace)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="answer Slack (HTTP, or Socket Mode with SLACK_APP_TOKEN)"
    )
    serve.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="processes serving requests (default: ENGAGEBOT_WORKERS, else one a core on "
        "PostgreSQL, one on SQLite); the database lets one of them tick",
    )
    _threads_option(serve, "threads for requests in each process")
    serve.set_defaults(run=_serve)

    site = commands.add_parser(
        "site",
        help="serve the teams' public pages alone, under ENGAGEBOT_PUBLIC_URL's path (or /)",
    )
    site.add_argument("--port", type=_positive, help="the port (default: PORT)")
    _threads_option(site, "threads for requests")
    site.set_defaults(run=_site)

    console = commands.add_parser(
        "console", help="try the bot in this terminal, with no Slack (a stand-in takes its place)"
    )
    console.add_argument("--user", default=_login_name(), help="who you are (default: you)")
    console.add_argument("--channel", default="general", help="where you are (default: general)")
    console.set_defaults(run=_console)

    tick = commands.add_parser(
        "tick", help="deliver what is due (alerts, reminders, digests) once, then exit"
    )
    tick.add_argument(
        "--at",
        type=_moment,
        metavar="ISO8601",
        help="as of this moment, e.g. 2027-03-01T09:00:00+00:00 (default: now)",
    )
    tick.set_defaults(run=_tick)

    listing = commands.add_parser(
        "deliveries", help="list scheduled messages: what is waiting, failed or sent"
    )
    shown = listing.add_mutually_exclusive_group()
    shown.add_argument("--pending", action="store_true", help="only those still to send")
    shown.add_argument("--failed", action="store_true", help="only those given up on")
    shown.add_argument(
        "--skipped", action="store_true", help="only those not sent after all, and why"
    )
    listing.add_argument(
        "--limit", type=_positive, default=50, help="at most this many (default 50)"
    )
    listing.set_defaults(run=_deliveries)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply pending migrations").set_defaults(run=_db_upgrade)

    export = commands.add_parser(
        "export", help="write stored records, or a team's users map, to stdout"
    )
    export.add_argument(
        "kind", choices=["engagements", "feedback", "teams", ORGANISATIONS, USERS_MAP]
    )
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument(
        "--team", metavar="NAME", help="only this team's records (required for users-map)"
    )
    export.add_argument("--since", metavar="YYYY-MM-DD", type=_day, help="only from this day on")
    export.add_argument("--output", metavar="NAME", help="users-map: only this output of the team")
    export.add_argument(
        "--include-personal",
        action="store_true",
        help="feedback: include the contact names and emails (left out unless given)",
    )
    export.set_defaults(run=_export)

    load = commands.add_parser(
        "import",
        help="add records, or set organisations' audience segments, from a CSV file "
        "(all or nothing)",
    )
    load.add_argument("kind", choices=["engagements", "feedback", ORGANISATIONS])
    load.add_argument("file", type=Path, metavar="FILE.csv")
    load.set_defaults(run=_import)

    erase = commands.add_parser(
        "erase", help="remove one person's personal data everywhere, and say what changed"
    )
    erase.add_argument("--email", metavar="ADDRESS", help="the person's email (any case)")
    erase.add_argument("--name", metavar="'FULL NAME'", help="the person's full name (any case)")
    erase.add_argument(
        "--dry-run", action="store_true", help="only say what would change; change nothing"
    )
    erase.set_defaults(run=_erase)

    publish = commands.add_parser("publish", help="write a statement for a team to publish")
    statements = publish.add_subparsers(dest="statement", required=True, metavar="STATEMENT")
    said = statements.add_parser(
        "you-said-we-did", help="what users told the team, by theme, and what it did, or why not"
    )
    said.add_argument("--team", required=True, metavar="NAME")
    said.add_argument("--from", dest="period_from", metavar="YYYY-MM-DD", type=_day)
    said.add_argument(
        "--to",
        dest="period_to",
        metavar="YYYY-MM-DD",
        type=_day,
        help="feedback received from --from to --to (default: the last full calendar quarter)",
    )
    said.add_argument("--format", choices=["markdown", "html"], default="markdown")
    said.set_defaults(run=_publish)
    uses = statements.add_parser(
        "users-and-uses",
        help="the types of user, what they use the statistics for, how the team engaged "
        "with them and what changed",
    )
    uses.add_argument("--team", required=True, metavar="NAME")
    uses.add_argument("--output", metavar="NAME", help="only this output of the team")
    uses.add_argument("--from", dest="period_from", metavar="YYYY-MM-DD", type=_day)
    uses.add_argument(
        "--to",
        dest="period_to",
        metavar="YYYY-MM-DD",
        type=_day,
        help="from --from to --to (default: the twelve months up to today, team time)",
    )
    uses.add_argument("--format", choices=["markdown", "html"], default="markdown")
    uses.set_defaults(run=_publish_users_and_uses)

    review = commands.add_parser(
        "review", help="a team's engagement review: its figures for a period, and what they flag"
    )
    review.add_argument("--team", required=True, metavar="NAME")
    review.add_argument("--from", dest="period_from", metavar="YYYY-MM-DD", type=_day)
    review.add_argument(
        "--to",
        dest="period_to",
        metavar="YYYY-MM-DD",
        type=_day,
        help="from --from to --to (default: the last full calendar month, team time)",
    )
    review.add_argument("--format", choices=["json", "text", "markdown"], default="text")
    review.set_defaults(run=_review)

    audit = commands.add_parser(
        "audit",
        help="the audit log: who created, changed or deleted which record, when, from where",
    )
    # Checked by _audit itself, so that a mistake is one line.
    audit.add_argument(
        "--since", metavar="YYYY-MM-DD", help="from this day on (in ENGAGEBOT_TIMEZONE)"
    )
    audit.add_argument("--until", metavar="YYYY-MM-DD", help="up to and including this day")
    audit.add_argument("--table", metavar="NAME", help="only this table's records")
    audit.add_argument("--limit", metavar="N", default="100", help="the newest N (default 100)")
    audit.add_argument("--format", choices=["text", "json"], default="text")
    audit.set_defaults(run=_audit)

    workspaces = commands.add_parser(
        "workspaces", help="list the workspaces that hold records, or adopt the single one's"
    )
    workspaces.set_defaults(run=_workspaces)
    workspace_commands = workspaces.add_subparsers(dest="workspaces_command", metavar="ACTION")
    adopt = workspace_commands.add_parser(
        "adopt",
        help="move the single workspace's records into a Slack workspace (when moving to OAuth)",
    )
    adopt.add_argument("team_id", type=_workspace, metavar="TEAM_ID")
    adopt.set_defaults(run=_adopt)
    return parser


def _threads_option(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument(
        "--threads", type=_positive, metavar="T", help=f"{what} (default: ENGAGEBOT_THREADS)"
    )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def _workspace(text: str) -> str:
    if not WORKSPACE_ID.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a Slack team id like T0123ABCD")
    return text


def _database(args: argparse.Namespace, settings: Settings) -> Database:
    """The database, for the records of the workspace `--workspace` names, on the clock the
    console moved for it, if it did (`_follow_console_clock`)."""
    from storage.database import Database
    from storage.workspaces import SINGLE_WORKSPACE

    database = Database(settings.database_url)
    _follow_console_clock(database)
    return database.in_workspace(args.workspace or SINGLE_WORKSPACE)


@contextmanager
def _opened(
    args: argparse.Namespace,
    settings: Settings,
    *,
    acting: str | None = None,
    every_workspace: bool = False,
) -> Iterator[Database]:
    """The command's database, disposed of after: `_database`'s (or, `every_workspace`,
    one that spans them all), bound to the person at the terminal doing `acting` where the
    command writes (for the audit log)."""
    from storage.database import Database

    database = Database(settings.database_url) if every_workspace else _database(args, settings)
    if acting is not None:
        database = database.acting_as(_cli_actor(acting))
    try:
        yield database
    finally:
        database.dispose()


def _follow_console_clock(database: Database) -> None:
    """A database whose clock the console moved (`:time`) holds records made at the moved
    time: the command line goes on from there too, and says so, so that "today", the last
    month and what is due mean what they mean in the console."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.base.clock import duration_words
    from storage.clock import CLOCK
    from storage.console import console_clock_ahead

    try:
        with database.transaction() as session:
            ahead = console_clock_ahead(session=session)
    except SQLAlchemyError:
        return  # no tables yet: the command itself says what to do
    if ahead:
        CLOCK.move_by(ahead)
        print(
            f"engagebot: the console moved this database's clock {duration_words(ahead)} "
            f"ahead; using it (now {utc_now():%d %b %Y %H:%M} UTC)",
            file=sys.stderr,
        )


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0")
    return int(text)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a moment like 2027-03-01T09:00:00+00:00"
        ) from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs its offset, e.g. +00:00 or Z")
    return moment.astimezone(UTC)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime.serving import serve
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    if settings.oauth_enabled:
        # No token of its own: each workspace's comes with its installation.
        logger.info("OAuth distribution: serving every workspace that installs the app")
        with _opened(args, settings, every_workspace=True) as database:
            _warn_of_unadopted_records(database)
    else:
        _check_bot_token(settings)
    return serve(
        settings,
        lambda: _served(settings),
        workers=_workers(args, settings),
        threads=args.threads or settings.threads,
    )


def _site(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime.serving import serve_site

    with _opened(args, settings, every_workspace=True) as database:
        serve_site(
            settings,
            database,
            port=args.port or settings.port,
            threads=args.threads or settings.threads,
        )
    return 0


def _served(settings: Settings) -> Served:
    """What one serving process serves (each gunicorn worker builds its own once forked)."""
    from bot.base.logs import ContextExecutor
    from bot.runtime.app import build_app, build_inbox, build_scheduler, build_ticks
    from bot.runtime.serving import Served
    from storage.database import Database

    database = Database(settings.database_url)
    executor = ContextExecutor(max_workers=8, thread_name_prefix="listener")
    # Few threads: commands' work is mostly Python under one lock; more would only slow
    # the acknowledgements that Slack times.
    commands = ContextExecutor(max_workers=COMMAND_THREADS, thread_name_prefix="command")
    # What is acknowledged is kept there until done; what a process that stopped left
    # there is taken at once, then every few seconds, by every serving process.
    inbox = build_inbox(settings, database, commands)

    def close() -> None:
        inbox.stop()  # take no more from the database: it waits for the next process
        executor.shutdown(wait=True)  # let work started after ack() finish
        commands.shutdown(wait=True)  # and the commands it handed on
        database.dispose()

    try:
        scheduler = build_scheduler(settings, database)
        app = build_app(settings, database, executor, scheduler, commands, inbox)
        inbox.start()
    except BaseException:
        close()
        raise
    return Served(database, app, build_ticks(settings, scheduler), close)


def _workers(args: argparse.Namespace, settings: Settings) -> int:
    """`--workers`, else ENGAGEBOT_WORKERS, else one process a core on PostgreSQL and one
    on SQLite (docs/operator/processes.md says why)."""
    asked = args.workers or settings.workers
    if asked is not None:
        return int(asked)
    if settings.socket_mode or settings.database_url.startswith("sqlite"):
        return 1
    return _cores()


def _cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _warn_of_unadopted_records(database: Database) -> None:
    from storage.workspaces import SINGLE_WORKSPACE, workspaces_with_records

    with database.engine.connect() as connection:
        unreachable = SINGLE_WORKSPACE in workspaces_with_records(connection=connection)
    if unreachable:
        logger.warning(
            "records made before OAuth distribution are still in the single workspace, where "
            "no request reaches them: move them into their workspace with `engagebot "
            "workspaces adopt TEAM_ID` (`engagebot workspaces` lists the workspaces)"
        )


def _check_bot_token(settings: Settings) -> None:
    """Sign in with SLACK_BOT_TOKEN; raise CommandError, saying what is wrong, if Slack
    does not accept it."""
    from slack_sdk.errors import SlackApiError

    from bot.base.slack_web import slack_client

    try:
        identity = slack_client(settings, settings.bot_token).auth_test()
    except SlackApiError as error:
        if not isinstance(error.response.data, dict):
            raise CommandError(
                f"{settings.slack_api_url} did not answer as Slack's Web API does: "
                "check SLACK_API_URL (and any proxy)",
                EXIT_CONFIG,
            ) from None
        raise CommandError(
            f"SLACK_BOT_TOKEN was refused by Slack ({error.response.get('error')}): "
            "copy the Bot User OAuth Token again from your app's OAuth & Permissions page",
            EXIT_CONFIG,
        ) from None
    except OSError as error:  # no network, DNS, refused connection
        raise CommandError(
            f"cannot reach Slack at {settings.slack_api_url} ({error}): "
            "check the network, or SLACK_API_URL"
        ) from None
    logger.info("signed in to %s as %s", identity.get("team"), identity.get("user"))


def _tick(args: argparse.Namespace, settings: Settings) -> int:
    from bot.base.logs import new_request_id, request_context
    from bot.runtime.app import build_scheduler, build_ticks

    with _opened(args, settings) as database, request_context(new_request_id("tick")):
        ticks = build_ticks(settings, build_scheduler(settings, database))
        outcome = ticks.tick(args.at or utc_now())
    print(f"Tick done: {outcome}.")
    return 0


def _deliveries(args: argparse.Namespace, settings: Settings) -> int:
    from bot.deliveries.report import delivery_lines
    from storage.deliveries import FAILED, PENDING, SENDING, SKIPPED, deliveries

    only = {"pending": [PENDING, SENDING], "failed": [FAILED], "skipped": [SKIPPED]}
    statuses = next((chosen for flag, chosen in only.items() if getattr(args, flag)), None)
    with _opened(args, settings) as database, database.transaction() as session:
        found = deliveries(session=session, statuses=statuses, limit=args.limit)
        lines = delivery_lines(found, settings.timezone)
    print("\n".join(lines) if lines else "No deliveries.")
    return 0


def _console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime.console.session import Console, channel_name, person_name
    from bot.runtime.console.terminal import Terminal

    for option, typed, name in (
        ("--user", args.user, person_name),
        ("--channel", args.channel, channel_name),
    ):
        try:
            name(typed)
        except ValueError as problem:
            raise CommandError(f"{option} {typed!r}: {problem}", EXIT_CONFIG) from None
    Console(settings, Terminal(), user=args.user, channel=args.channel).run()
    return 0


def _login_name() -> str:
    return (os.environ.get("USER") or "you").lower()


def _db_upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    print("The database is up to date.")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.transfer import UnknownTeam, export_records

    if args.kind == USERS_MAP:
        return _export_users_map(args, settings)
    if args.output is not None:
        raise CommandError("--output is for users-map only", EXIT_CONFIG)
    if args.kind == ORGANISATIONS and args.team is not None:
        raise CommandError("organisations are every team's: leave out --team", EXIT_CONFIG)
    with _opened(args, settings) as database:
        name_of, slack = _names(args, settings, database)
        with database.transaction() as session:
            try:
                export_records(
                    session=session,
                    kind=args.kind,
                    fmt=args.format,
                    team=args.team,
                    since=args.since,
                    out=sys.stdout,
                    include_personal=args.include_personal,
                    name_of=name_of,
                )
            except UnknownTeam as problem:
                raise CommandError(str(problem)) from None
    _say_why_unnamed(slack)
    return 0


def _names(
    args: argparse.Namespace, settings: Settings, database: Database
) -> tuple[NameOf, SlackNames]:
    """The names of the people whose Slack ids a command writes: the console's own people
    (in a console's database), else Slack's answer (users.info with the workspace's bot
    token); and the Slack lookup, whose `problem` says why some could not be named."""
    from bot.base.slack_web import slack_client, without_connection_retries
    from bot.people.names import first_known
    from bot.people.slack_names import SlackNames
    from storage.console import identity_names

    token = _bot_token(args, settings, database)
    client = None
    if token is not None:
        # Asked once, briefly: with no network, the ids are written without waiting long.
        client = without_connection_retries(slack_client(settings, token))
        client.timeout = NAME_LOOKUP_SECONDS
    slack = SlackNames(client, no_client=_NO_TOKEN)
    with database.transaction() as session:
        console_people = identity_names(session=session)
    return first_known(console_people.get, slack), slack


def _bot_token(args: argparse.Namespace, settings: Settings, database: Database) -> str | None:
    """The bot token of the workspace a command reads: SLACK_BOT_TOKEN, or with OAuth
    distribution the installation's of --workspace."""
    if not settings.oauth_enabled:
        return settings.bot_token
    from storage.installations import installed_workspaces

    assert settings.client_id is not None
    installed = installed_workspaces(engine=database.engine, client_id=settings.client_id)
    return next((w.bot_token for w in installed if w.team_id == args.workspace), None)


def _say_why_unnamed(slack: SlackNames) -> None:
    """Tell the person, once, why some people are shown by their Slack id alone."""
    if slack.problem is not None:
        print(
            f"engagebot: some people are shown by their Slack id alone: {slack.problem}",
            file=sys.stderr,
        )


def _export_users_map(args: argparse.Namespace, settings: Settings) -> int:
    from bot.users.map import UsersMapRefused, scope_named, users_map, write_users_map

    if args.team is None or args.since is not None:
        raise CommandError(
            "users-map needs --team NAME (and takes no --since: it covers all time)", EXIT_CONFIG
        )
    with _opened(args, settings) as database, database.transaction() as session:
        try:
            scope = scope_named(session=session, team_name=args.team, output_name=args.output)
        except UsersMapRefused as problem:
            raise CommandError(str(problem)) from None
        write_users_map(users_map(session=session, scope=scope), args.format, sys.stdout)
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.transfer import ImportRejected

    with _opened(args, settings, acting=f"import {args.kind}") as database:
        try:
            with args.file.open(newline="", encoding="utf-8-sig") as file:
                done = _imported(args.kind, database, file, settings)
        except OSError as error:
            raise CommandError(f"cannot read {args.file}: {error.strerror}") from None
        except ImportRejected as rejected:
            problems = counted(len(rejected.problems), "problem")
            rows = counted(len({problem.row for problem in rejected.problems}), "row")
            lines = [f"row {problem.row}: {problem.reason}" for problem in rejected.problems]
            report = "\n".join([f"Nothing was imported: {problems} in {rows}.", *lines])
            raise CommandError(report, prefix="") from None
        except SQLAlchemyError as error:
            raise CommandError(f"nothing was imported: {database_failure(error)}") from error
    print(done)
    return 0


def _imported(kind: str, database: Database, file: TextIO, settings: Settings) -> str:
    """Import the file as `kind`; what was done, in one line."""
    from bot.transfer import KINDS, import_records
    from bot.transfer.organisations import import_organisations

    if kind == ORGANISATIONS:
        register = import_organisations(database=database, file=file)
        return (
            f"Imported {counted(register.rows, 'organisation')}: {register.added} new, "
            f"{register.changed} with another segment than before, "
            f"{register.unchanged} as they were."
        )
    count = import_records(
        database=database,
        kind=kind,
        file=file,
        today=settings.today(),
        earliest=settings.earliest_date,
    )
    return f"Imported {counted(count, KINDS[kind].noun)}."


def _erase(args: argparse.Namespace, settings: Settings) -> int:
    from bot.people.erasure import ErasureRefused, erase_person, erasure_report, person_to_erase

    try:
        person = person_to_erase(args.email, args.name)
    except ErasureRefused as problem:
        raise CommandError(str(problem), EXIT_CONFIG) from None
    with _opened(args, settings, acting="erase") as database, database.transaction() as session:
        changes = erase_person(session=session, person=person, now=utc_now(), dry_run=args.dry_run)
    if not changes:
        raise CommandError(f"nothing holds {person.described}: no personal data was changed.")
    print("\n".join(erasure_report(person, changes, dry_run=args.dry_run)))
    return 0


def _cli_actor(what: str) -> Actor:
    """The person at the terminal, as the audit log names them, doing `what`."""
    from storage.auditing import Actor

    return Actor(f"cli:{_login_name()}", f"cli:{what}")


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    from bot.people.audit_report import audit_json, audit_lines
    from storage.audit import audit_entries

    zone = settings.timezone
    try:
        since, before, limit = _audit_window(args, settings)
    except argparse.ArgumentTypeError as problem:
        raise CommandError(str(problem), EXIT_CONFIG) from None
    with _opened(args, settings) as database:
        name_of, slack = _names(args, settings, database)
        with database.transaction() as session:
            entries = audit_entries(
                session=session, since=since, before=before, table=args.table, limit=limit
            )
        if args.format == "json":
            print(audit_json(entries, zone, name_of))
        else:
            lines = audit_lines(entries, zone, name_of)
            print("\n".join(lines) if entries else "No audit entries.")
    _say_why_unnamed(slack)
    return 0


def _audit_window(
    args: argparse.Namespace, settings: Settings
) -> tuple[datetime | None, datetime | None, int]:
    """`engagebot audit`'s --since and --until as moments (the first day's start, the day
    after the last's) and its --limit; a mistake raises ArgumentTypeError saying what."""
    from bot.base.clock import local_time
    from storage.auditing import audited_tables

    since, until = (None if text is None else _day(text) for text in (args.since, args.until))
    for option, day in (("--since", since), ("--until", until)):
        if day is not None and (problem := _date_problem(option, day, settings)):
            raise argparse.ArgumentTypeError(problem)
    limit = _positive(args.limit)
    zone = settings.timezone
    if since and until and until < since:
        raise argparse.ArgumentTypeError(f"--until {until} is before --since {since}")
    if args.table is not None and args.table not in audited_tables():
        raise argparse.ArgumentTypeError(
            f"no audited table {args.table!r}; one of: {', '.join(audited_tables())}"
        )
    return (
        None if since is None else local_time(since, 0, zone),
        None if until is None else local_time(until + timedelta(days=1), 0, zone),
        limit,
    )


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    from bot.statements.you_said_we_did import StatementRefused
    from bot.statements.you_said_we_did_formats import publish

    return _write_report(
        args,
        settings,
        StatementRefused,
        lambda session: publish(
            session=session,
            team_name=args.team,
            period_from=args.period_from,
            period_to=args.period_to,
            fmt=args.format,
            today=settings.today(),
        ),
    )


def _publish_users_and_uses(args: argparse.Namespace, settings: Settings) -> int:
    from bot.statements.users_and_uses_formats import publish_users_and_uses
    from bot.statements.you_said_we_did import StatementRefused

    return _write_report(
        args,
        settings,
        StatementRefused,
        lambda session: publish_users_and_uses(
            session=session,
            team_name=args.team,
            output_name=args.output,
            period_from=args.period_from,
            period_to=args.period_to,
            fmt=args.format,
            now=utc_now(),
            default_zone=settings.timezone,
        ),
    )


def _review(args: argparse.Namespace, settings: Settings) -> int:
    from bot.reviews.figures import ReviewRefused, review_for
    from bot.reviews.formats import FORMATS

    return _write_report(
        args,
        settings,
        ReviewRefused,
        lambda session: FORMATS[args.format](
            review_for(
                session=session,
                team_name=args.team,
                period_from=args.period_from,
                period_to=args.period_to,
                now=utc_now(),
                default_zone=settings.timezone,
            )
        ),
    )


def _write_report(
    args: argparse.Namespace,
    settings: Settings,
    refused: type[Exception],
    write: Callable[[Session], str],
) -> int:
    """Print what `write` makes of the database; a refusal (`refused`: unknown team, a
    period that ends before it starts) is one line and exit 2."""
    with _opened(args, settings) as database, database.transaction() as session:
        try:
            text = write(session)
        except refused as problem:
            raise CommandError(str(problem), EXIT_CONFIG) from None
    sys.stdout.write(text)
    return 0


def _workspaces(args: argparse.Namespace, settings: Settings) -> int:
    from storage.workspaces import SINGLE_WORKSPACE, workspaces_with_records

    with _opened(args, settings, every_workspace=True) as database:
        with database.engine.connect() as connection:
            holding = set(workspaces_with_records(connection=connection))
        installed = _installed(settings, database)
    for workspace in sorted(holding | installed):
        name = "(the single workspace)" if workspace == SINGLE_WORKSPACE else workspace
        states = [
            *(["installed"] if workspace in installed else []),
            "holds records" if workspace in holding else "no records yet",
        ]
        print(f"{name}: {', '.join(states)}" if settings.oauth_enabled else name)
    if not holding and not installed:
        print("No workspace holds records yet.")
    return 0


def _installed(settings: Settings, database: Database) -> set[str]:
    """The workspaces that have installed the app (OAuth distribution), else none."""
    if not settings.oauth_enabled or settings.client_id is None:
        return set()
    from storage.installations import installed_workspaces

    found = installed_workspaces(engine=database.engine, client_id=settings.client_id)
    return {workspace.team_id for workspace in found}


def _adopt(args: argparse.Namespace, settings: Settings) -> int:
    from storage.workspaces import SINGLE_WORKSPACE, AdoptClash, adopt

    with _opened(args, settings, every_workspace=True) as database:
        if settings.oauth_enabled and args.team_id not in _installed(settings, database):
            raise CommandError(
                f"nothing was moved: {args.team_id} has not installed engagebot "
                "(`engagebot workspaces` lists the workspaces that have)"
            )
        try:
            with database.engine.begin() as connection:
                moved = adopt(connection=connection, source=SINGLE_WORKSPACE, target=args.team_id)
        except AdoptClash as clash:
            raise CommandError(
                f"nothing was moved: {args.team_id} already has records with the same "
                f"names or keys; rename or remove one of each: {clash}"
            ) from None
    if not any(moved.values()):
        raise CommandError("the single workspace holds no records to adopt.")
    counts = ", ".join(f"{count} {table}" for table, count in moved.items() if count)
    print(f"Moved into {args.team_id}: {counts} (and what belongs to those teams).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
