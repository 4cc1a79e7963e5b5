"""Property tests: hypothesis profiles, and the real app driven in-process for many examples.

Profiles: "default" (quick), "ci" (the same, derandomized, so a CI run is reproducible;
chosen when CI=true) and "long" (many more examples, for a run at a desk). Choose one with
HYPOTHESIS_PROFILE=long.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from slack_bolt import App, BoltRequest
from sqlmodel import select

from bot.runtime.app import build_app
from bot.runtime.console.bolt_driver import TrackedExecutor
from bot.runtime.console.payloads import (
    block_actions,
    encode,
    signed_headers,
    slash_command,
    state_values,
    view_submission,
)
from handlers.views.changes import CANCEL_ACTION
from handlers.views.decisions import DECIDE_ACTION, MERGE_CHOICE
from storage.database import Database
from storage.models import Feedback, UpcomingChange
from tests.conftest import SIGNING_SECRET, RunningBot, _empty_postgres, test_settings
from tests.e2e.helpers import make_team
from tests.fake_slack import FakeSlack

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

    def send(self, payload: dict[str, Any], *, signed: bool = True) -> Answer:
        """Send `payload` as Slack would (`signed=False`: with a signature of another body)."""
        body, content_type = encode(payload)
        headers = signed_headers(SIGNING_SECRET, body, content_type, tamper=not signed)
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
    with FakeSlack() as slack:
        database = Database(url)
        executor = TrackedExecutor()
        app = build_app(test_settings(slack, url), database, executor)
        yield InProcessBot(app, executor, database, slack)
        executor.shutdown()
        database.dispose()


@pytest.fixture(scope="module")
def over_http(app_bot: InProcessBot) -> Iterator[RunningBot]:
    """The same database and Slack stand-in behind the real HTTP server."""
    running = RunningBot(
        test_settings(app_bot.slack, app_bot.database.url), app_bot.database, app_bot.slack
    )
    yield running
    running.stop()


class LoggedFailures(logging.Handler):
    """Catches every error the app logs, and every log line with a traceback: what the
    app's one error handler logs when a listener raised, and any failure handled
    elsewhere."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.failures: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.failures.append(f"{record.name}: {record.getMessage()}\n{record.exc_text or ''}")


@pytest.fixture(scope="module")
def failed(app_bot: InProcessBot) -> Iterator[LoggedFailures]:
    handler = LoggedFailures()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest.fixture(scope="module")
def forms(app_bot: InProcessBot) -> dict[str, dict[str, Any]]:
    """Each form as the bot opened it, for a person in the Prices team's channel."""
    bot = app_bot
    # An admin, who may open every form (creating a team needs one): inputs are the subject.
    bot.slack.set_user("U0001", is_admin=True)
    make_team(bot.database, "Prices", "CPRICES")
    make_team(bot.database, "Trade", "CTRADE", "Exports | high")

    def opened(payload: dict[str, Any]) -> dict[str, Any]:
        seen = len(bot.slack.calls("views.open"))
        assert bot.send(payload).status == 200
        view: dict[str, Any] = bot.slack.calls("views.open")[seen].args["view"]
        return view

    def command(text: str, channel: str = "CPRICES") -> dict[str, Any]:
        return slash_command(text, channel_id=channel, response_url=bot.slack.response_url("f"))

    for text in ("The CPI table is late", "Publish CPI sooner", "More regional detail"):
        bot.send(command(f"feedback {text}"))
    with bot.database.transaction() as session:
        feedback_id = session.exec(select(Feedback.id)).first()
    decision = opened(block_actions(DECIDE_ACTION, feedback_id, channel_id="CPRICES"))
    # Choosing "Merge into another item" in the decision form turns it into the merge form.
    merging = bot.send(view_submission(decision, state_values(decision, {"status": MERGE_CHOICE})))
    assert merging.json is not None and merging.json["response_action"] == "update"
    change = opened(command("change"))
    answers = {"output": ("Consumer price inflation", "1"), "title": "New weights"}
    answers.update(description="Chain-linked", effective_on=date(2027, 6, 1))
    bot.send(view_submission(change, state_values(change, answers), user_id="U0001"))
    with bot.database.transaction() as session:
        change_id = session.exec(select(UpcomingChange.id)).first()
    return {
        "engagement": opened(command("log")),
        "feedback": opened(command("feedback")),
        "change": change,
        "cancel": opened(block_actions(CANCEL_ACTION, change_id, channel_id="CPRICES")),
        "insight": opened(command("insight")),
        "opportunity": opened(command("opportunity")),
        "team": opened(command("team", channel="C0NEW")),
        "team settings": opened(command("team Prices")),
        "decision": decision,
        "merge": merging.json["view"],
    }
