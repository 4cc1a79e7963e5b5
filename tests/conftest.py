"""Fixtures: a clean database per test (SQLite and PostgreSQL), a fake Slack, the real server.

Every test that asks for `database` runs twice, once per backend. PostgreSQL runs skip
when no server answers, except under CI=true or ENGAGEBOT_REQUIRE_POSTGRES, where they fail.
"""

from __future__ import annotations

import functools
import os
import random
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, create_engine, text
from sqlalchemy.exc import OperationalError

from bot.base.config import Settings, load_settings
from bot.base.logs import ContextExecutor
from bot.runtime.app import build_app
from bot.runtime.serving import HttpServer, WebApp
from handlers.inbox import Inbox
from handlers.web.site import PublicSite
from storage.clock import CLOCK, Clock
from storage.database import Database
from storage.migrate import upgrade
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackRequester

SIGNING_SECRET = "test-signing-secret"
OAUTH_CLIENT_ID = "1111.2222"
POSTGRES_SERVER = os.environ.get(
    "ENGAGEBOT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
# Rows the migrations seed; kept between tests, everything else is emptied.
SEEDED_TABLES = {"alembic_version", "audience_segment"}


# Where each test's clock starts (the `clock` fixture), so that no test depends on the real
# date: a fixed moment, which tests written with fixed dates are written against. Tests
# marked `any_date` are written relative to their start and take ENGAGEBOT_TEST_DATE's
# instead: an ISO moment, or "random" for one drawn from the next three years (.ci/run
# runs them again so). The header of the run prints the moment, to repeat a failure.
FIXED_START = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
ANY_DATE_YEARS = 3
ANY_DATE_START = pytest.StashKey[datetime]()


def pytest_configure(config: pytest.Config) -> None:
    chosen = os.environ.get("ENGAGEBOT_TEST_DATE", "")
    if chosen == "random":
        drawn = timedelta(minutes=random.randrange(ANY_DATE_YEARS * 365 * 24 * 60))
        chosen = (datetime.now(UTC) + drawn).replace(second=0, microsecond=0).isoformat()
        os.environ["ENGAGEBOT_TEST_DATE"] = chosen  # the same in every worker process
    moment = datetime.fromisoformat(chosen) if chosen else FIXED_START
    config.stash[ANY_DATE_START] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def pytest_report_header(config: pytest.Config) -> str:
    start = config.stash[ANY_DATE_START].isoformat()
    return (
        f"clock: tests start at {FIXED_START.isoformat()}; those marked any_date at {start} "
        f"(ENGAGEBOT_TEST_DATE={start} repeats it)"
    )


@pytest.hookimpl(trylast=True)  # after pytest has grouped the tests by their fixtures
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow first: mostly waiting on processes or a lease, they start while
    the cores are free, and the quick ones fill the cores around them, rather than running
    on alone at the end (pytest-xdist hands the tests out in this order)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def clock(request: pytest.FixtureRequest) -> Iterator[Clock]:
    """The process's one clock (storage/clock.py), started where this test starts; a test
    moves it with `clock.move_to(...)` or `clock.move_by(...)`."""
    any_date = request.node.get_closest_marker("any_date") is not None
    CLOCK.move_to(request.config.stash[ANY_DATE_START] if any_date else FIXED_START)
    yield CLOCK
    CLOCK.offset = timedelta(0)


def postgres_required() -> bool:
    return os.environ.get("CI") == "true" or bool(os.environ.get("ENGAGEBOT_REQUIRE_POSTGRES"))


@pytest.fixture(scope="session", autouse=True)
def cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The cache folder (where the console saves the files the bot shares), inside the
    tests' own temporary folder, so that no test writes into the person's home."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """The name of a database migrated once for this test session and never connected to
    again, so that PostgreSQL can copy it: a copy is a fraction of a migration's time."""
    name = f"engagebot_test_{uuid.uuid4().hex[:8]}_template"
    try:
        _create_postgres(name)
    except OperationalError as error:
        reason = f"PostgreSQL at {POSTGRES_SERVER} is not reachable: {error.orig}"
        if postgres_required():
            pytest.fail(reason)
        pytest.skip(reason)
    upgrade(f"{POSTGRES_SERVER}/{name}")  # the migrations' engine pools no connection
    yield name
    _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_url(postgres_template: str) -> Iterator[str]:
    """A migrated database of its own for this test session."""
    name = postgres_template.removesuffix("_template")
    _create_postgres(name, template=postgres_template)
    yield f"{POSTGRES_SERVER}/{name}"
    _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:
    if request.param == "sqlite":
        return _fresh_sqlite(request.getfixturevalue("sqlite_template"), tmp_path_factory)
    url: str = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


def _fresh_sqlite(template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of `template` at the same address for every test of this process, as
    PostgreSQL's is, so that the one engine a process makes for it keeps the statements it
    compiled (storage/database.py). The engine's connections to the last test's file are
    closed, and its write-ahead log deleted, before the copy replaces it."""
    path = tmp_path_factory.getbasetemp() / "engagebot.sqlite"
    url = f"sqlite:///{path}"
    Database(url).dispose()
    for log in (path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        log.unlink(missing_ok=True)
    copied = path.with_name("copying.sqlite")
    shutil.copy(template, copied)
    copied.replace(path)
    return url


def _empty_postgres(url: str) -> None:
    """Deletes every row but the seeded ones and starts the ids again at 1, as a fresh
    database would. DELETE rather than TRUNCATE: on tables this small, TRUNCATE (new files
    for every table and index) takes a few hundred milliseconds a test, DELETE a few."""
    engine, statements = _emptying(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(statements)


@functools.cache
def _emptying(url: str) -> tuple[Engine, str]:
    """An engine kept for the session (a connection a test costs time), and its statements,
    sent in one round trip: a DELETE a table, those referring to others first, then the id
    sequences of those tables that were used, back to 1."""
    engine = create_engine(url)
    tables = MetaData()
    tables.reflect(bind=engine)
    with engine.connect() as connection:
        owned = connection.execute(
            text(
                "SELECT sequence.relname, owner.relname FROM pg_depend"
                " JOIN pg_class sequence ON sequence.oid = pg_depend.objid"
                " JOIN pg_class owner ON owner.oid = pg_depend.refobjid"
                " WHERE sequence.relkind = 'S' AND pg_depend.deptype IN ('a', 'i')"
            )
        ).all()
    emptied = [table.name for table in reversed(tables.sorted_tables)]
    emptied = [name for name in emptied if name not in SEEDED_TABLES]
    sequences = ", ".join(f"'{sequence}'" for sequence, owner in owned if owner in emptied)
    return engine, "; ".join(
        [
            *(f'DELETE FROM "{name}"' for name in emptied),
            "SELECT setval(quote_ident(sequencename), 1, false) FROM pg_sequences"
            f" WHERE last_value IS NOT NULL AND sequencename IN ({sequences})",
        ]
    )


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def fresh_database(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[Callable[..., Database]]:
    """Makes more empty databases on the backend `database_url` is on, migrated to `revision`
    (the latest unless given)."""
    made: list[Database] = []
    sqlite = database_url.startswith("sqlite")
    # At the latest revision, a copy of the session's migrated database (as `database_url` is).
    template = request.getfixturevalue("sqlite_template" if sqlite else "postgres_template")

    def make(revision: str = "head") -> Database:
        latest = revision == "head"
        if sqlite:
            url = f"sqlite:///{tmp_path / f'fresh_{len(made)}.sqlite'}"
            if latest:
                shutil.copy(template, url.removeprefix("sqlite:///"))
        else:
            url = f"{database_url}_{len(made)}"
            _create_postgres(url.rpartition("/")[2], template=template if latest else None)
        if not latest:
            upgrade(url, revision)
        made.append(Database(url))
        return made[-1]

    yield make
    for fresh in made:
        fresh.dispose()
        if fresh.url.startswith("postgresql"):
            _postgres_admin(f'DROP DATABASE "{fresh.url.rpartition("/")[2]}" WITH (FORCE)')


def _create_postgres(name: str, template: str | None = None) -> None:
    """A database for tests (a copy of `template` if given): its commits wait for no disk
    (nothing in it must outlive a crash), which saves a few milliseconds each."""
    _postgres_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    _postgres_admin(f'ALTER DATABASE "{name}" SET synchronous_commit = off')


def _postgres_admin(statement: str) -> None:
    admin = create_engine(f"{POSTGRES_SERVER}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(statement))
    admin.dispose()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


TEST_SECRET_KEY = "test-secret-key-of-at-least-32-characters"


def test_settings(fake_slack: FakeSlack, database_url: str, **overrides: str) -> Settings:
    environ = {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": database_url,
        "ENGAGEBOT_TIMEZONE": "Europe/London",
        # Pacing posts a second apart per channel is tested on its own; elsewhere it only waits.
        "ENGAGEBOT_CHANNEL_PACE_SECONDS": "0",
        # The public site's forms need it (handlers/web/forms.py).
        "ENGAGEBOT_SECRET_KEY": TEST_SECRET_KEY,
        **overrides,
    }
    return load_settings(environ, require_slack=True)


test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def oauth_test_settings(fake_slack: FakeSlack, database_url: str, **overrides: str) -> Settings:
    """`test_settings` with OAuth distribution on (no bot token of its own)."""
    return test_settings(
        fake_slack,
        database_url,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=OAUTH_CLIENT_ID,
        SLACK_CLIENT_SECRET="test-client-secret",
        **overrides,
    )


def serve_in_thread(server: HttpServer) -> None:
    """Serve on a daemon thread of its own, until `server.stop()`."""
    threading.Thread(target=server.serve_forever, name="http-server", daemon=True).start()


class RunningBot:
    """The real Bolt app behind the real HTTP server, on a free local port."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        fake_slack: FakeSlack,
        inbox: Inbox | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.slack = fake_slack
        # Its own pool, so that stop() waits for the work requests started after ack():
        # left running, it would write to the next test's database, and log into its log.
        self.executor = ContextExecutor(max_workers=8, thread_name_prefix="listener")
        # With ENGAGEBOT_PUBLIC_URL, the public site too, as `serve` answers it.
        self.server = HttpServer(
            WebApp(
                database,
                build_app(settings, database, self.executor, inbox=inbox),
                signing_secret=settings.signing_secret,
                public_site=PublicSite.of(database, settings) if settings.public_url else None,
                public_path=settings.public_path,
            ),
            host="127.0.0.1",
            port=0,
        )
        serve_in_thread(self.server)
        self.url = f"http://127.0.0.1:{self.server.port}"
        self.requester = SlackRequester(self.url, SIGNING_SECRET)

    def stop(self) -> None:
        self.server.stop()
        self.executor.shutdown(wait=True)


@pytest.fixture
def bot(fake_slack: FakeSlack, database: Database, database_url: str) -> Iterator[RunningBot]:
    running = RunningBot(test_settings(fake_slack, database_url), database, fake_slack)
    yield running
    running.stop()


@pytest.fixture
def oauth_bot(fake_slack: FakeSlack, database: Database, database_url: str) -> Iterator[RunningBot]:
    """The bot with OAuth distribution (no workspace installed yet: see
    tests/e2e/installs.py); it shares insight in CINSIGHT."""
    settings = oauth_test_settings(
        fake_slack, database_url, ENGAGEBOT_CROSS_TEAM_CHANNELS="CINSIGHT"
    )
    running = RunningBot(settings, database, fake_slack)
    yield running
    running.stop()


@pytest.fixture
def cli_database(
    database: Database, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Database:
    """The command line pointed at the test database (and no .env of the checkout, nor
    Slack settings of the environment)."""
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ENGAGEBOT_TIMEZONE", "Europe/London")
    return database
