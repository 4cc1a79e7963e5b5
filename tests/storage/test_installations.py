"""OAuth installations kept in our database: migration 0015 makes the tables slack_sdk's
stores use, on both databases, and takes them away again; an uninstalled workspace's
pending deliveries are cancelled, and only its own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from alembic import command
from alembic.script import ScriptDirectory
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import inspect, update
from sqlmodel import col, select

from storage.database import Database
from storage.deliveries import PENDING, SENT, SKIPPED, Due, cancel_pending, enqueue
from storage.installations import (
    BOTS,
    INSTALLATION_METADATA,
    INSTALLATIONS,
    InstalledWorkspace,
    installation_store,
    installed_workspaces,
    oauth_state_store,
)
from storage.migrate import alembic_config, upgrade
from storage.models import Delivery

REVISION = "0015"


def _tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names())


def test_migration_0015_adds_and_removes_the_installation_tables(
    fresh_database: Callable[..., Database],
) -> None:
    config = alembic_config("unused")
    before = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    old = fresh_database(before)
    slack_tables = set(INSTALLATION_METADATA.tables)
    assert slack_tables == {"slack_bots", "slack_installations", "slack_oauth_states"}
    assert not slack_tables & _tables(old)

    upgrade(old.url, REVISION)
    assert slack_tables <= _tables(old)

    command.downgrade(alembic_config(old.url), before)
    old.engine.dispose()  # SQLite: see the tables as they are now
    assert not slack_tables & _tables(old)


def _installation(team_id: str, token: str) -> Installation:
    return Installation(
        app_id="A0001",
        team_id=team_id,
        team_name=f"Workspace {team_id}",
        bot_token=token,
        bot_id=f"B{team_id}",
        bot_user_id=f"U{team_id}",
        bot_scopes="commands,chat:write",
        user_id="UINSTALLER",
    )


def test_the_stores_work_on_the_migrated_tables(database: Database) -> None:
    store = installation_store(engine=database.engine, client_id="111.222")
    store.save(_installation("T0001", "xoxb-old"))
    store.save(_installation("T0001", "xoxb-one"))
    store.save(_installation("T0002", "xoxb-two"))
    bot = store.find_bot(enterprise_id=None, team_id="T0002")
    assert bot is not None and bot.bot_token == "xoxb-two"
    assert installed_workspaces(engine=database.engine, client_id="111.222") == [
        InstalledWorkspace("T0001", "xoxb-one"),
        InstalledWorkspace("T0002", "xoxb-two"),
    ]
    # Another app's installations (another client id) are not this one's.
    assert installed_workspaces(engine=database.engine, client_id="999.000") == []
    # A reinstall leaves no earlier token behind.
    with database.engine.connect() as connection:
        for table in (INSTALLATIONS, BOTS):
            tokens = select(table.c.bot_token).where(table.c.team_id == "T0001")
            assert list(connection.execute(tokens).scalars()) == ["xoxb-one"]

    states = oauth_state_store(engine=database.engine)
    state = states.issue()
    assert states.consume(state)
    assert not states.consume(state), "a state is good once"


def test_cancelling_a_workspaces_deliveries_leaves_the_others(database: Database) -> None:
    due = datetime(2027, 1, 4, 9, tzinfo=UTC)
    for workspace in ("TGONE", "TSTAYS"):
        with database.in_workspace(workspace).transaction() as session:
            enqueue(
                session=session,
                dues=[Due(key="digest:C1", kind="digest", target="C1", due_at=due)],
            )
            sent = Due(key="digest:C2", kind="digest", target="C2", due_at=due)
            enqueue(session=session, dues=[sent])
            session.execute(
                update(Delivery).where(col(Delivery.key) == "digest:C2").values(status=SENT)
            )
    with database.in_workspace("TGONE").transaction() as session:
        assert cancel_pending(session=session, reason="uninstalled") == 1
    for workspace, expected in (("TGONE", SKIPPED), ("TSTAYS", PENDING)):
        with database.in_workspace(workspace).transaction() as session:
            found = {d.key: (d.status, d.last_error) for d in session.exec(select(Delivery))}
        reason = "uninstalled" if expected == SKIPPED else None
        assert found == {"digest:C1": (expected, reason), "digest:C2": (SENT, None)}
