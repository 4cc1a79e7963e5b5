"""Settings read from the environment (and `.env`), checked once at start.

Every variable is documented in `.env.example` and docs/reference/configuration.md.
A bad value raises `ConfigError`, whose message is the one line the command line prints.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
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
SECRET_KEY_LEAST = 32  # characters: a key too short to be guessed only slowly is refused


class ConfigError(Exception):
    """A missing or malformed setting; the message names the variable and the fix."""


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


def default_database_url() -> str:
    """The database when DATABASE_URL is not set: engagebot.sqlite in the working directory."""
    return f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"


def _variable(name: str, default: Any = None, **field: Any) -> Any:
    """A setting read from environment variable `name` (or `.env`): `default` unless it is
    set, or what `default_factory` makes."""
    if "default_factory" in field:
        return Field(validation_alias=name, **field)
    return Field(default, validation_alias=name, **field)


class Settings(BaseSettings):
    """Every setting, read from the environment and `.env` (`load_settings`). Each value is
    checked by the validator of its kind below, which raises `ConfigError`: not a
    ValueError, so pydantic lets it through as it is, one line naming the variable."""

    model_config = SettingsConfigDict(
        env_file=".env",  # in the working directory; real environment variables win
        env_file_encoding="utf-8",
        case_sensitive=True,
        extra="ignore",  # the environment holds much else
        frozen=True,
        arbitrary_types_allowed=True,  # ZoneInfo
        validate_default=False,  # the defaults are what the checks would make
    )

    bot_token: str | None = _variable("SLACK_BOT_TOKEN")
    signing_secret: str | None = _variable("SLACK_SIGNING_SECRET")
    app_token: str | None = _variable("SLACK_APP_TOKEN")
    slack_api_url: str = _variable("SLACK_API_URL", DEFAULT_SLACK_API_URL)
    database_url: str = _variable("DATABASE_URL", default_factory=default_database_url)
    port: int = _variable("PORT", 3000)
    timezone: ZoneInfo = _variable(
        "ENGAGEBOT_TIMEZONE", default_factory=lambda: ZoneInfo("Europe/London")
    )
    log_level: str = _variable("LOG_LEVEL", "INFO")
    log_format: str = _variable("LOG_FORMAT", "text")
    # Both set: OAuth distribution (`oauth_enabled`). The secret alone turns nothing on,
    # but is kept out of the logs like the others.
    client_id: str | None = _variable("SLACK_CLIENT_ID")
    client_secret: str | None = _variable("SLACK_CLIENT_SECRET")
    # How long Socket Mode may be disconnected before /healthz reports it.
    socket_grace_seconds: float = _variable("ENGAGEBOT_SOCKET_GRACE_SECONDS", 60.0)
    scheduler_enabled: bool = _variable("ENGAGEBOT_SCHEDULER", True)
    tick_seconds: int = _variable("ENGAGEBOT_TICK_SECONDS", 60)
    # `serve`'s processes (None: one a core on PostgreSQL, one on SQLite) and their threads.
    workers: int | None = _variable("ENGAGEBOT_WORKERS")
    threads: int = _variable("ENGAGEBOT_THREADS", DEFAULT_THREADS)
    channel_pace_seconds: float = _variable("ENGAGEBOT_CHANNEL_PACE_SECONDS", 1.0)
    # Channels the scheduler sends to at once (each channel's messages one at a time).
    sending_threads: int = _variable("ENGAGEBOT_SENDING_THREADS", 16)
    # How long a post may take before its claim counts as cut short by a crash.
    sending_lease_seconds: int = _variable("ENGAGEBOT_SENDING_LEASE_SECONDS", 600)
    # Acknowledged requests a process holds in memory, waiting for their work
    # (handlers/inbox.py); more wait in the database, and the person is told theirs is queued.
    inbox_queue: int = _variable("ENGAGEBOT_INBOX_QUEUE", 100)
    # How long a process may hold an acknowledged request before another takes it over.
    inbox_lease_seconds: int = _variable("ENGAGEBOT_INBOX_LEASE_SECONDS", 60)
    # Channels where teams share insight and every team's review summary goes. NoDecode:
    # a list separated by commas, not the JSON pydantic-settings expects of a tuple.
    cross_team_channels: Annotated[tuple[str, ...], NoDecode] = _variable(
        "ENGAGEBOT_CROSS_TEAM_CHANNELS", ()
    )
    personal_data_months: int = _variable(
        "ENGAGEBOT_PERSONAL_DATA_MONTHS", DEFAULT_PERSONAL_DATA_MONTHS
    )
    # Slack user ids treated as workspace admins, besides Slack's own admins and owners.
    admins: Annotated[frozenset[str], NoDecode] = _variable("ENGAGEBOT_ADMINS", frozenset())
    # No record may be dated before this (a date typed in a form, a command or a CSV).
    earliest_date: date = _variable("ENGAGEBOT_EARLIEST_DATE", DEFAULT_EARLIEST_DATE)
    # Where people reach the public site (handlers/web/), ending in "/"; None: `serve`
    # serves no public pages (`engagebot site` serves them at "/").
    public_url: str | None = _variable("ENGAGEBOT_PUBLIC_URL")
    # Email to the public (bot/base/mail.py): through an SMTP server, or GOV.UK Notify (its
    # API key, and the id of a template whose subject is ((subject)) and body ((body))).
    # Neither set: email is off, and the pages offer feeds instead.
    smtp_url: str | None = _variable("ENGAGEBOT_SMTP_URL")
    notify_api_key: str | None = _variable("ENGAGEBOT_NOTIFY_API_KEY")
    notify_template_id: str | None = _variable("ENGAGEBOT_NOTIFY_TEMPLATE_ID")
    mail_from: str | None = _variable("ENGAGEBOT_MAIL_FROM")
    # Signs what the site hands out and reads back: its forms' CSRF tokens, the links in
    # emails (confirm, unsubscribe). None: the site offers no forms, and email links fail.
    secret_key: str | None = _variable("ENGAGEBOT_SECRET_KEY")
    # How many reverse proxies in front of the site add to X-Forwarded-For: the client's
    # address is the one that many entries from its end; 0 (none): the connection's.
    trusted_proxies: int = _variable("ENGAGEBOT_TRUSTED_PROXIES", 0)
    # Forms a client address, and an email address, may send to the public site an hour.
    form_limit_per_address: int = _variable("ENGAGEBOT_FORM_LIMIT_PER_ADDRESS", 20)
    form_limit_per_email: int = _variable("ENGAGEBOT_FORM_LIMIT_PER_EMAIL", 5)

    @property
    def email_on(self) -> bool:
        """Whether the bot sends email: an SMTP server or GOV.UK Notify is set."""
        return self.smtp_url is not None or self.notify_api_key is not None

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

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, values: Any) -> Any:
        """Each value without the spaces around it; a blank one is not set (as
        .env.example's are), so the setting keeps its default."""
        if not isinstance(values, Mapping):
            return values
        stripped = {
            key: value.strip() if isinstance(value, str) else value for key, value in values.items()
        }
        return {key: value for key, value in stripped.items() if value != ""}

    @field_validator("bot_token", "app_token", mode="before")
    @classmethod
    def _token(cls, value: str, info: ValidationInfo) -> str:
        name = _name(info)
        prefix = "xoxb-" if name == "SLACK_BOT_TOKEN" else "xapp-"
        if not value.startswith(prefix):
            raise ConfigError(
                f"{name} must start with '{prefix}': check you copied the right token"
            )
        return value

    @field_validator("slack_api_url", mode="before")
    @classmethod
    def _api_url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(
                "SLACK_API_URL must be an http(s) URL such as "
                f"{DEFAULT_SLACK_API_URL}, not {value!r}"
            )
        return value if value.endswith("/") else value + "/"

    @field_validator("public_url", mode="before")
    @classmethod
    def _public_url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query:
            raise ConfigError(
                "ENGAGEBOT_PUBLIC_URL must be the http(s) address of the public site, such as "
                f"https://statistics.example.org/engage/, not {value!r}"
            )
        return value if value.endswith("/") else value + "/"

    @field_validator("smtp_url", mode="before")
    @classmethod
    def _smtp_url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
            raise ConfigError(
                "ENGAGEBOT_SMTP_URL must be an smtp:// or smtps:// URL such as "
                "smtp://user:password@mail.example.org:587?starttls=1, not "
                f"{parsed.scheme or 'no scheme'}://..."
            )
        return value

    @field_validator("mail_from", mode="before")
    @classmethod
    def _mail_from(cls, value: str) -> str:
        if not re.fullmatch(r"(?:[^<>]*<)?[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+>?", value):
            raise ConfigError(
                "ENGAGEBOT_MAIL_FROM must be an email address such as "
                f"'Prices team <engage@example.org>', not {value!r}"
            )
        return value

    @field_validator("database_url", mode="before")
    @classmethod
    def _database_url(cls, value: str) -> str:
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

    @field_validator("port", mode="before")
    @classmethod
    def _port(cls, value: str) -> int:
        if not value.isdigit() or not 0 < int(value) < 65536:
            raise ConfigError(f"PORT must be a number from 1 to 65535, not {value!r}")
        return int(value)

    @field_validator("timezone", mode="before")
    @classmethod
    def _timezone(cls, value: str) -> ZoneInfo:
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"ENGAGEBOT_TIMEZONE must be an IANA time zone such as Europe/London, not {value!r}"
            ) from None

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _one_of(cls, value: str, info: ValidationInfo) -> str:
        name = _name(info)
        known, chosen = (
            (LOG_LEVELS, value.upper()) if name == "LOG_LEVEL" else (LOG_FORMATS, value.lower())
        )
        if chosen not in known:
            raise ConfigError(f"{name} must be one of {', '.join(known)}, not {value!r}")
        return chosen

    @field_validator(
        "tick_seconds",
        "workers",
        "threads",
        "sending_threads",
        "sending_lease_seconds",
        "inbox_queue",
        "inbox_lease_seconds",
        "personal_data_months",
        "form_limit_per_address",
        "form_limit_per_email",
        mode="before",
    )
    @classmethod
    def _whole_number(cls, value: str, info: ValidationInfo) -> int:
        return int(_number(_name(info), value, minimum=1, whole=True))

    @field_validator("socket_grace_seconds", mode="before")
    @classmethod
    def _grace(cls, value: str, info: ValidationInfo) -> float:
        return _number(_name(info), value, minimum=1)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: str, info: ValidationInfo) -> int:
        return int(_number(_name(info), value, minimum=0, whole=True))

    @field_validator("secret_key", mode="before")
    @classmethod
    def _secret_key(cls, value: str, info: ValidationInfo) -> str:
        if len(value) < SECRET_KEY_LEAST:
            raise ConfigError(
                f"{_name(info)} must be at least {SECRET_KEY_LEAST} characters: make one with "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value

    @field_validator("channel_pace_seconds", mode="before")
    @classmethod
    def _pace(cls, value: str, info: ValidationInfo) -> float:
        return _number(_name(info), value, minimum=0)

    @field_validator("scheduler_enabled", mode="before")
    @classmethod
    def _switch(cls, value: str, info: ValidationInfo) -> bool:
        if value.lower() not in ("on", "off"):
            raise ConfigError(f"{_name(info)} must be on or off, not {value.lower()!r}")
        return value.lower() == "on"

    @field_validator("cross_team_channels", mode="before")
    @classmethod
    def _channels(cls, value: str, info: ValidationInfo) -> tuple[str, ...]:
        return _slack_ids(_name(info), value, CHANNEL_IDS)

    @field_validator("admins", mode="before")
    @classmethod
    def _admins(cls, value: str, info: ValidationInfo) -> frozenset[str]:
        return frozenset(_slack_ids(_name(info), value, USER_IDS))

    @field_validator("earliest_date", mode="before")
    @classmethod
    def _day(cls, value: str, info: ValidationInfo) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ConfigError(
                f"{_name(info)} must be a date like 2000-01-01, not {value!r}"
            ) from None

    @model_validator(mode="after")
    def _email_complete(self) -> Settings:
        """Email on: what its messages and links need, and one way of sending only."""
        if not self.email_on:
            return self
        missing = [
            name
            for name, value in (
                ("ENGAGEBOT_MAIL_FROM", self.mail_from or self.notify_api_key),
                ("ENGAGEBOT_SECRET_KEY", self.secret_key),
                ("ENGAGEBOT_PUBLIC_URL", self.public_url),
                ("ENGAGEBOT_NOTIFY_TEMPLATE_ID", self.notify_template_id or self.smtp_url),
            )
            if value is None
        ]
        if self.smtp_url is not None and self.notify_api_key is not None:
            raise ConfigError(
                "ENGAGEBOT_SMTP_URL and ENGAGEBOT_NOTIFY_API_KEY are both set: send email "
                "one way, remove one of them"
            )
        if missing:
            raise ConfigError(
                f"email is on but {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
                "not set: see docs/operator/email.md"
            )
        return self

    @model_validator(mode="after")
    def _oauth_alone(self) -> Settings:
        """SLACK_CLIENT_ID turns on OAuth distribution: what must and must not come with it."""
        if self.client_id is None:
            return self
        if self.client_secret is None:
            raise ConfigError(
                "SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is not: copy the Client Secret "
                "from your Slack app's Basic Information page into .env (or remove "
                "SLACK_CLIENT_ID to serve one workspace with SLACK_BOT_TOKEN)"
            )
        if self.bot_token is not None:
            raise ConfigError(
                "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: with OAuth distribution each "
                "workspace's token comes from its installation; remove SLACK_BOT_TOKEN (or "
                "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to serve one workspace)"
            )
        if self.app_token is not None:
            raise ConfigError(
                "SLACK_APP_TOKEN (Socket Mode) cannot be used with SLACK_CLIENT_ID: installing "
                "through OAuth needs the HTTP endpoints /slack/install and "
                "/slack/oauth_redirect; remove SLACK_APP_TOKEN and set SLACK_SIGNING_SECRET"
            )
        return self


def _name(info: ValidationInfo) -> str:
    """The environment variable the field being checked is read from."""
    assert info.field_name is not None
    return str(Settings.model_fields[info.field_name].validation_alias)


def _number(name: str, value: str, *, minimum: float, whole: bool = False) -> float:
    try:
        number = int(value) if whole else float(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"{name} must be {kind} of at least {minimum:g}, not {value!r}")
    return number


def _slack_ids(name: str, value: str, kind: _IdKind) -> tuple[str, ...]:
    ids = tuple(part.strip() for part in value.split(",") if part.strip())
    for slack_id in ids:
        if not re.fullmatch(kind.pattern, slack_id):
            raise ConfigError(
                f"{name} must list {kind.what}, separated by commas "
                f"(in Slack: {kind.where}), not {slack_id!r}"
            )
    return ids


class _Given(Settings):
    """The settings in a mapping alone, not the environment's (tests, a compose file's)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def load_settings(
    environ: Mapping[str, str] | None = None, *, require_slack: bool = False
) -> Settings:
    """Read the settings from `environ`, or else from the environment and `.env` in the
    working directory (real environment variables win); with `require_slack`, the tokens
    `serve` needs must be present."""
    settings = Settings() if environ is None else _Given.model_validate(dict(environ))
    if require_slack:
        if settings.bot_token is None and settings.client_id is None:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from your "
                "Slack app's OAuth & Permissions page into .env (or set SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET to install it in several workspaces through OAuth)"
            )
        if settings.app_token is None and settings.signing_secret is None:
            # OAuth distribution is served over HTTP, which Slack signs: no Socket Mode.
            otherwise = "" if settings.client_id else " (or set SLACK_APP_TOKEN for Socket Mode)"
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your Slack app's "
                f"Basic Information page into .env{otherwise}"
            )
    return settings


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
        settings.secret_key,
        make_url(settings.database_url).password,
        urlparse(settings.smtp_url).password if settings.smtp_url else None,
        settings.notify_api_key,
    )
    install(level=level, log_format=settings.log_format, known_secrets=known_secrets)
    # Alembic reports every migration step at INFO; starting up needs one line, not twenty.
    logging.getLogger("alembic").setLevel(max(logging.getLevelName(level), logging.WARNING))
