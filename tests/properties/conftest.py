"""Property tests: hypothesis profiles, and the real app driven in-process for many examples.

Profiles: "default" (quick), "ci" (the same, derandomized, so a CI run is reproducible;
chosen when CI=true) and "long" (many more examples, for a run at a desk). Choose one with
HYPOTHESIS_PROFILE=long.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from slack_bolt import App, BoltRequest

from bot.app import build_app
from bot.console.bolt_driver import TrackedExecutor
from bot.console.payloads import encode, signed_headers
from bot.console.slack_standin import SlackStandIn
from storage.database import Database
from tests.conftest import SIGNING_SECRET, _empty_postgres, test_settings

# The app fixture lives for a module, so examples share it: the health check warns about
# function-scoped fixtures, which none of these tests reset between examples on purpose.
_SHARED = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
settings.register_profile("default", max_examples=50, **_SHARED)
settings.register_profile("ci", max_examples=50, derandomize=True, print_blob=True, **_SHARED)
settings.register_profile("long", max_examples=1000, **_SHARED)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "default")
)
# Examples that go through the whole app (a request, a transaction, the fake Slack) are
# slower than a parser's: their tests ask for this many instead (a fraction of the profile's).
APP_EXAMPLES = max(10, settings.default.max_examples // 5)


@dataclass
class Answer:
    """What the app acknowledged a request with."""

    status: int
    json: dict[str, Any] | None


class InProcessBot:
    """The real Bolt app (every listener, signature checks on) fed signed requests in this
    process, waiting after each for the work it started, with the Slack stand-in behind it."""

    def __init__(self, app: App, executor: TrackedExecutor, database: Database, slack: Any):
        self.app = app
        self.executor = executor
        self.database = database
        self.slack = slack

    def send(self, payload: dict[str, Any]) -> Answer:
        body, content_type = encode(payload)
        headers = signed_headers(SIGNING_SECRET, body, content_type)
        response = self.app.dispatch(BoltRequest(body=body.decode(), headers=headers))
        self.executor.wait_idle()
        try:
            parsed = json.loads(response.body) if response.body else None
        except ValueError:
            parsed = None
        return Answer(response.status, parsed if isinstance(parsed, dict) else None)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app_bot(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[InProcessBot]:
    """One app and database for the module's tests, on SQLite and on PostgreSQL. Tests
    start from what earlier ones left, so each checks what changed rather than totals."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("properties") / "engagebot.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        _empty_postgres(url)
    with SlackStandIn() as slack:
        database = Database(url)
        executor = TrackedExecutor()
        app = build_app(test_settings(slack, url), database, executor)
        yield InProcessBot(app, executor, database, slack)
        executor.shutdown()
        database.dispose()
