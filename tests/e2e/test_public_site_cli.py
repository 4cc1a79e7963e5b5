"""The public site from the command line, as real processes on SQLite: `engagebot site`
alone, and `engagebot serve` with ENGAGEBOT_PUBLIC_URL, which answers Slack too."""

from __future__ import annotations

import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from storage.database import Database
from tests.clocked import engagebot
from tests.e2e.public_records import ADDRESS, PUBLIC_PATH, PUBLIC_URL, fetch, seed_public
from tests.e2e.serve_process import (
    killed_at_the_end,
    serve_environment,
    start_serve,
    stop,
    wait_until_healthy,
)
from tests.fake_slack import FakeSlack


def seeded(env: dict[str, str]) -> None:
    database = Database(env["DATABASE_URL"])
    seed_public(database)
    database.dispose()


def test_engagebot_site_serves_the_pages_alone(
    tmp_path: Path, fake_slack: FakeSlack, sqlite_template: Path
) -> None:
    env = serve_environment(tmp_path, fake_slack, sqlite_template)
    seeded(env)
    url = f"http://127.0.0.1:{env['PORT']}"
    with killed_at_the_end() as started:
        # No Slack setting is needed: the site only reads the records.
        site_env = {k: v for k, v in env.items() if not k.startswith("SLACK_")}
        site = subprocess.Popen(
            engagebot("site"), env=site_env, cwd=tmp_path, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append(site)
        wait_until_healthy(site, url)
        assert ">Prices</a>" in fetch(f"{url}/").body  # at "/" without ENGAGEBOT_PUBLIC_URL
        assert "CPI user group" in fetch(f"{url}/{ADDRESS}/opportunities").body
        assert fetch(f"{url}/slack/events").status == 404  # no Slack here
        log = stop(site)
    assert "the public site at /" in log


def test_serve_answers_slack_and_the_site_under_its_path(
    tmp_path: Path, fake_slack: FakeSlack, sqlite_template: Path
) -> None:
    env = {
        **serve_environment(tmp_path, fake_slack, sqlite_template),
        "ENGAGEBOT_PUBLIC_URL": PUBLIC_URL,
    }
    seeded(env)
    url = f"http://127.0.0.1:{env['PORT']}"
    with killed_at_the_end() as started:
        serve = start_serve(env, tmp_path)
        started.append(serve)
        wait_until_healthy(serve, url)
        assert "Owner occupiers" in fetch(f"{url}{PUBLIC_PATH}{ADDRESS}/changes").body
        assert fetch(f"{url}/{ADDRESS}/changes").status == 404  # only under its path
        unsigned = urllib.request.Request(f"{url}/slack/events", data=b"token=x")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(unsigned, timeout=10)
        assert refused.value.code == 401  # Slack's, checked as ever
        log = stop(serve)
    assert f"public site at {PUBLIC_URL} (path {PUBLIC_PATH})" in log
