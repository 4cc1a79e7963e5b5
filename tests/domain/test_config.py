import re
from datetime import date

import pytest

from bot.base.config import ConfigError, load_settings
from bot.runtime.cli import _cores, _parser, _workers

VALID = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


def test_defaults(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(VALID, require_slack=True)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == f"sqlite:///{tmp_path / 'engagebot.sqlite'}"
    assert settings.port == 3000
    assert str(settings.timezone) == "Europe/London"
    assert not settings.socket_mode
    assert settings.scheduler_enabled and settings.tick_seconds == 60
    assert settings.channel_pace_seconds == 1.0
    assert settings.sending_threads == 16
    assert settings.sending_lease_seconds == 600
    assert settings.earliest_date == date(2000, 1, 1)
    assert settings.workers is None and settings.threads == 8


def test_serve_runs_one_process_on_sqlite_and_one_a_core_on_postgresql() -> None:
    serve, asked = (
        _parser().parse_args(["serve"]),
        _parser().parse_args(["serve", "--workers", "3"]),
    )
    sqlite, postgresql = (
        load_settings(VALID),
        load_settings({**VALID, "DATABASE_URL": "postgresql://db/x"}),
    )
    assert _workers(serve, sqlite) == 1 and _workers(serve, postgresql) == _cores()
    assert _workers(asked, sqlite) == _workers(asked, postgresql) == 3
    several = load_settings({**VALID, "ENGAGEBOT_WORKERS": "4", "ENGAGEBOT_THREADS": "16"})
    assert _workers(serve, several) == 4 and several.threads == 16
    assert _workers(asked, several) == 3  # the command line wins


def test_the_earliest_date_a_person_may_type_is_a_setting() -> None:
    settings = load_settings({**VALID, "ENGAGEBOT_EARLIEST_DATE": "2015-04-01"})
    assert settings.earliest_date == date(2015, 4, 1)


def test_the_scheduler_can_be_switched_off_and_slowed() -> None:
    settings = load_settings(
        {**VALID, "ENGAGEBOT_SCHEDULER": "OFF", "ENGAGEBOT_TICK_SECONDS": "300"}
    )
    assert not settings.scheduler_enabled and settings.tick_seconds == 300


def test_cross_team_channels_are_a_list_of_ids() -> None:
    settings = load_settings({**VALID, "ENGAGEBOT_CROSS_TEAM_CHANNELS": " C0INSIGHT, G0LEADS "})
    assert settings.cross_team_channels == ("C0INSIGHT", "G0LEADS")
    assert load_settings(VALID).cross_team_channels == ()


def test_admins_are_a_set_of_user_ids() -> None:
    settings = load_settings({**VALID, "ENGAGEBOT_ADMINS": " U0ALICE,W0BOB , U0ALICE"})
    assert settings.admins == frozenset({"U0ALICE", "W0BOB"})
    assert load_settings(VALID).admins == frozenset()


def test_postgres_urls_use_psycopg_3() -> None:
    settings = load_settings({**VALID, "DATABASE_URL": "postgresql://me@db:5432/engage"})
    assert settings.database_url == "postgresql+psycopg://me@db:5432/engage"


def test_api_url_gets_its_trailing_slash() -> None:
    settings = load_settings({**VALID, "SLACK_API_URL": "https://slack-gov.com/api"})
    assert settings.slack_api_url == "https://slack-gov.com/api/"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("PORT", "eighty", "PORT must be a number"),
        ("PORT", "70000", "PORT must be a number"),
        ("ENGAGEBOT_TIMEZONE", "Mars/Olympus", "ENGAGEBOT_TIMEZONE must be an IANA time zone"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be one of text, json"),
        ("ENGAGEBOT_SOCKET_GRACE_SECONDS", "0", "ENGAGEBOT_SOCKET_GRACE_SECONDS must be a"),
        ("ENGAGEBOT_SCHEDULER", "maybe", "ENGAGEBOT_SCHEDULER must be on or off"),
        ("ENGAGEBOT_CROSS_TEAM_CHANNELS", "C1ABC,#general", "must list channel ids such as"),
        ("ENGAGEBOT_ADMINS", "U1ABC,@alice", "ENGAGEBOT_ADMINS must list Slack user ids such"),
        ("ENGAGEBOT_TICK_SECONDS", "0", "ENGAGEBOT_TICK_SECONDS must be a whole number of at"),
        ("ENGAGEBOT_TICK_SECONDS", "1.5", "ENGAGEBOT_TICK_SECONDS must be a whole number"),
        ("ENGAGEBOT_WORKERS", "0", "ENGAGEBOT_WORKERS must be a whole number of at least 1"),
        ("ENGAGEBOT_THREADS", "eight", "ENGAGEBOT_THREADS must be a whole number"),
        ("ENGAGEBOT_CHANNEL_PACE_SECONDS", "-1", "ENGAGEBOT_CHANNEL_PACE_SECONDS must be a"),
        ("ENGAGEBOT_SENDING_THREADS", "0", "ENGAGEBOT_SENDING_THREADS must be a whole number"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL must be an http(s) URL"),
        ("DATABASE_URL", "mysql://x@y/z", "DATABASE_URL must be a sqlite:// or postgresql://"),
        ("DATABASE_URL", "not a url", "DATABASE_URL is not a database URL"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN must start with 'xoxb-'"),
        ("SLACK_APP_TOKEN", "xoxb-wrong", "SLACK_APP_TOKEN must start with 'xapp-'"),
        (
            "ENGAGEBOT_EARLIEST_DATE",
            "01/01/2000",
            "ENGAGEBOT_EARLIEST_DATE must be a date like 2000-01-01, not '01/01/2000'",
        ),
    ],
)
def test_a_malformed_value_names_the_variable(name: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_settings({**VALID, name: value}, require_slack=True)


def test_serve_needs_a_bot_token_and_a_way_to_verify_requests() -> None:
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not set"):
        load_settings({"SLACK_SIGNING_SECRET": "s"}, require_slack=True)
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set"):
        load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}, require_slack=True)
    socket = load_settings(
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, require_slack=True
    )
    assert socket.socket_mode


OAUTH = {"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "s"}


def test_a_client_id_and_secret_turn_on_oauth_without_a_bot_token() -> None:
    settings = load_settings(OAUTH, require_slack=True)
    assert settings.oauth_enabled and settings.bot_token is None
    assert settings.client_id == "111.222" and settings.client_secret == "c"
    assert not load_settings(VALID, require_slack=True).oauth_enabled
    # The secret alone turns nothing on (it is only kept out of the logs).
    assert not load_settings({**VALID, "SLACK_CLIENT_SECRET": "c"}).oauth_enabled


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({**OAUTH, "SLACK_CLIENT_SECRET": ""}, "SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET"),
        ({**OAUTH, "SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both"),
        ({**OAUTH, "SLACK_APP_TOKEN": "xapp-1"}, "SLACK_APP_TOKEN (Socket Mode) cannot be used"),
        ({**OAUTH, "SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET is not set"),
    ],
)
def test_oauth_settings_that_cannot_work_are_named(environ: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(says)) as refused:
        load_settings(environ, require_slack=True)
    # Socket Mode is no way out with OAuth distribution: it is not suggested.
    assert "for Socket Mode)" not in str(refused.value)
