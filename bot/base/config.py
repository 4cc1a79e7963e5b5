"""Settings read from the environment (and `.env`), checked once at start.

Every variable is documented in `.env.example` and docs/reference/configuration.md.
A bad value raises `ConfigError`, whose message is the one line the command line prints.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.base.clock import today
from bot.base.logs import LOG_FORMATS, install
from bot.base.validation import DEFAULT_EARLIEST_DATE

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_FILE = "engagebot.sqlite"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Threads for requests in each serving process (`engagebot serve`, bot/runtime/serving.py).
DEFAULT_THREADS = 8
# Months a closed feedback item keeps its contact details (bot/people/retention.py).
DEFAULT_PERSONAL_DATA_MONTHS = 24


class ConfigError(Exception):
    """A missing or malformed setting; the message names the variable and the fix."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    slack_api_url: str
    database_url: str
    port: int
    timezone: ZoneInfo
    log_level: str
    log_format: str = "text"
    # Both set: OAuth distribution (`oauth_enabled`). The secret alone turns nothing on,
    # but is kept out of the logs like the others.
    client_id: str | None = None
    client_secret: str | None = None
    # How long Socket Mode may be disconnected before /healthz reports it.
    socket_grace_seconds: float = 60.0
    scheduler_enabled: bool = True
    tick_seconds: int = 60
    # `serve`'s processes (None: one a core on PostgreSQL, one on SQLite) and their threads.
    workers: int | None = None
    threads: int = DEFAULT_THREADS
    channel_pace_seconds: float = 1.0
    # Channels the scheduler sends to at once (each channel's messages one at a time).
    sending_threads: int = 16
    # How long a post may take before its claim counts as cut short by a crash.
    sending_lease_seconds: int = 600
    # Acknowledged requests a process holds in memory, waiting for their work (bot/inbox.py);
    # more wait in the database, and the person is told theirs is queued.
    inbox_queue: int = 100
    # How long a process may hold an acknowledged request before another takes it over.
    inbox_lease_seconds: int = 60
    # Channels where teams share insight and every team's review summary goes.
    cross_team_channels: tuple[str, ...] = ()
    personal_data_months: int = DEFAULT_PERSONAL_DATA_MONTHS
    # Slack user ids treated as workspace admins, besides Slack's own admins and owners.
    admins: frozenset[str] = frozenset()
    # No record may be dated before this (a date typed in a form, a command or a CSV).
    earliest_date: date = DEFAULT_EARLIEST_DATE
    # Where people reach the public site (handlers/web/), ending in "/"; None: `serve`
    # serves no public pages (`engagebot site` serves them at "/").
    public_url: str | None = None

    @property
    def public_path(self) -> str:
        """The path the public site is served under: ENGAGEBOT_PUBLIC_URL's, or "/"."""
        return urlparse(self.public_url).path if self.public_url else "/"

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @property
    def oauth_enabled(self) -> bool:
        """Installed in any number of workspaces through Slack's OAuth flow, each with its
        own bot token, rather than in one with SLACK_BOT_TOKEN."""
        return self.client_id is not None and self.client_secret is not None

    def today(self) -> date:
        """Today in ENGAGEBOT_TIMEZONE, by the clock."""
        return today(self.timezone)


def load_settings(
    environ: Mapping[str, str] | None = None, *, require_slack: bool = False
) -> Settings:
    """Read the settings; with `require_slack`, the tokens `serve` needs must be present.

    `.env` in the working directory is loaded first (real environment variables win).
    """
    if environ is None:
        load_dotenv(Path.cwd() / ".env", override=False)
        environ = os.environ
    env = {key: value.strip() for key, value in environ.items() if value.strip()}

    app_token = _token(env, "SLACK_APP_TOKEN", "xapp-")
    bot_token = _token(env, "SLACK_BOT_TOKEN", "xoxb-")
    signing_secret = env.get("SLACK_SIGNING_SECRET")
    client_id = env.get("SLACK_CLIENT_ID")
    if client_id is not None:
        _check_oauth(env, bot_token=bot_token, app_token=app_token)
    if require_slack:
        if bot_token is None and client_id is None:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from your "
                "Slack app's OAuth & Permissions page into .env (or set SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET to install it in several workspaces through OAuth)"
            )
        if app_token is None and signing_secret is None:
            # OAuth distribution is served over HTTP, which Slack signs: no Socket Mode.
            otherwise = "" if client_id else " (or set SLACK_APP_TOKEN for Socket Mode)"
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your Slack app's "
                f"Basic Information page into .env{otherwise}"
            )
    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        slack_api_url=_slack_api_url(env.get("SLACK_API_URL", DEFAULT_SLACK_API_URL)),
        database_url=_database_url(env.get("DATABASE_URL")),
        port=_port(env.get("PORT", "3000")),
        timezone=_timezone(env.get("ENGAGEBOT_TIMEZONE", "Europe/London")),
        log_level=_log_level(env.get("LOG_LEVEL", "INFO")),
        log_format=_log_format(env.get("LOG_FORMAT", "text")),
        client_id=client_id,
        client_secret=env.get("SLACK_CLIENT_SECRET"),
        socket_grace_seconds=_number(env, "ENGAGEBOT_SOCKET_GRACE_SECONDS", "60", minimum=1),
        scheduler_enabled=_switch(env, "ENGAGEBOT_SCHEDULER", default=True),
        tick_seconds=int(_number(env, "ENGAGEBOT_TICK_SECONDS", "60", minimum=1, whole=True)),
        workers=_workers(env),
        threads=int(_number(env, "ENGAGEBOT_THREADS", str(DEFAULT_THREADS), minimum=1, whole=True)),
        channel_pace_seconds=_number(env, "ENGAGEBOT_CHANNEL_PACE_SECONDS", "1", minimum=0),
        sending_threads=int(_number(env, "ENGAGEBOT_SENDING_THREADS", "16", minimum=1, whole=True)),
        sending_lease_seconds=int(
            _number(env, "ENGAGEBOT_SENDING_LEASE_SECONDS", "600", minimum=1, whole=True)
        ),
        inbox_queue=int(_number(env, "ENGAGEBOT_INBOX_QUEUE", "100", minimum=1, whole=True)),
        inbox_lease_seconds=int(
            _number(env, "ENGAGEBOT_INBOX_LEASE_SECONDS", "60", minimum=1, whole=True)
        ),
        cross_team_channels=_slack_ids(env, "ENGAGEBOT_CROSS_TEAM_CHANNELS", CHANNEL_IDS),
        admins=frozenset(_slack_ids(env, "ENGAGEBOT_ADMINS", USER_IDS)),
        earliest_date=_day(env, "ENGAGEBOT_EARLIEST_DATE", DEFAULT_EARLIEST_DATE),
        public_url=_public_url(env.get("ENGAGEBOT_PUBLIC_URL")),
        personal_data_months=int(
            _number(
                env,
                "ENGAGEBOT_PERSONAL_DATA_MONTHS",
                str(DEFAULT_PERSONAL_DATA_MONTHS),
                minimum=1,
                whole=True,
            )
        ),
    )


def _workers(env: Mapping[str, str]) -> int | None:
    if "ENGAGEBOT_WORKERS" not in env:
        return None
    return int(_number(env, "ENGAGEBOT_WORKERS", "1", minimum=1, whole=True))


def _check_oauth(env: Mapping[str, str], *, bot_token: str | None, app_token: str | None) -> None:
    """SLACK_CLIENT_ID turns on OAuth distribution: what must and must not come with it."""
    if env.get("SLACK_CLIENT_SECRET") is None:
        raise ConfigError(
            "SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is not: copy the Client Secret "
            "from your Slack app's Basic Information page into .env (or remove SLACK_CLIENT_ID "
            "to serve one workspace with SLACK_BOT_TOKEN)"
        )
    if bot_token is not None:
        raise ConfigError(
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: with OAuth distribution each "
            "workspace's token comes from its installation; remove SLACK_BOT_TOKEN (or "
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to serve one workspace)"
        )
    if app_token is not None:
        raise ConfigError(
            "SLACK_APP_TOKEN (Socket Mode) cannot be used with SLACK_CLIENT_ID: installing "
            "through OAuth needs the HTTP endpoints /slack/install and /slack/oauth_redirect; "
            "remove SLACK_APP_TOKEN and set SLACK_SIGNING_SECRET"
        )


def _token(env: Mapping[str, str], name: str, prefix: str) -> str | None:
    value = env.get(name)
    if value is not None and not value.startswith(prefix):
        raise ConfigError(f"{name} must start with '{prefix}': check you copied the right token")
    return value


def _slack_api_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(
            f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_SLACK_API_URL}, not {value!r}"
        )
    return value if value.endswith("/") else value + "/"


def _public_url(value: str | None) -> str | None:
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query:
        raise ConfigError(
            "ENGAGEBOT_PUBLIC_URL must be the http(s) address of the public site, such as "
            f"https://statistics.example.org/engage/, not {value!r}"
        )
    return value if value.endswith("/") else value + "/"


def default_database_url() -> str:
    """The database when DATABASE_URL is not set: engagebot.sqlite in the working directory."""
    return f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"


def _database_url(value: str | None) -> str:
    if value is None:
        return default_database_url()
    try:
        url = make_url(value)
    except ArgumentError:
        raise ConfigError(
            "DATABASE_URL is not a database URL: use sqlite:///path/to/file.sqlite or "
            "postgresql://user@host:5432/dbname"
        ) from None
    if url.get_backend_name() == "postgresql":
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if url.get_backend_name() != "sqlite":
        raise ConfigError(
            f"DATABASE_URL must be a sqlite:// or postgresql:// URL, not {url.drivername}://"
        )
    return value


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"PORT must be a number from 1 to 65535, not {value!r}")
    return int(value)


def _timezone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"ENGAGEBOT_TIMEZONE must be an IANA time zone such as Europe/London, not {value!r}"
        ) from None


@dataclass(frozen=True)
class _IdKind:
    pattern: str
    what: str  # "channel ids such as C0123ABCD"
    where: str  # where Slack shows one


CHANNEL_IDS = _IdKind(
    r"[CG][A-Z0-9]{2,}", "channel ids such as C0123ABCD", "the channel's name, then About"
)
USER_IDS = _IdKind(
    r"[UW][A-Z0-9]{2,}",
    "Slack user ids such as U0123ABCD",
    "the person's profile, then ⋮, Copy member ID",
)


def _slack_ids(env: Mapping[str, str], name: str, kind: _IdKind) -> tuple[str, ...]:
    ids = tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())
    for slack_id in ids:
        if not re.fullmatch(kind.pattern, slack_id):
            raise ConfigError(
                f"{name} must list {kind.what}, separated by commas "
                f"(in Slack: {kind.where}), not {slack_id!r}"
            )
    return ids


def _day(env: Mapping[str, str], name: str, default: date) -> date:
    value = env.get(name, default.isoformat())
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{name} must be a date like 2000-01-01, not {value!r}") from None


def _switch(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name, "on" if default else "off").lower()
    if value not in ("on", "off"):
        raise ConfigError(f"{name} must be on or off, not {value!r}")
    return value == "on"


def _number(
    env: Mapping[str, str], name: str, default: str, *, minimum: float, whole: bool = False
) -> float:
    value = env.get(name, default)
    try:
        number = int(value) if whole else float(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"{name} must be {kind} of at least {minimum:g}, not {value!r}")
    return number


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
    return level


def _log_format(value: str) -> str:
    log_format = value.lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}")
    return log_format


def configure_logging(settings: Settings, *, quiet: bool = False) -> None:
    """Log at LOG_LEVEL in LOG_FORMAT, never showing a token, a secret or a password;
    `quiet` (the console) shows only warnings unless asked for DEBUG."""
    level = settings.log_level
    if quiet and level != "DEBUG":
        level = "WARNING"
    known_secrets = (
        settings.bot_token,
        settings.app_token,
        settings.signing_secret,
        settings.client_secret,
        make_url(settings.database_url).password,
    )
    install(level=level, log_format=settings.log_format, known_secrets=known_secrets)
    # Alembic reports every migration step at INFO; starting up needs one line, not twenty.
    logging.getLogger("alembic").setLevel(max(logging.getLevelName(level), logging.WARNING))
