"""Where OAuth installations live: slack_sdk's own tables, in our database.

In OAuth mode (bot/base/config.py: `Settings.oauth_enabled`) Bolt keeps each workspace's bot
token through slack_sdk's `SQLAlchemyInstallationStore`, and the `state` of each install
in progress through its `SQLAlchemyOAuthStateStore`. Their tables are not SQLModel models:
they are built here by the stores' own `build_*_table` classmethods, under the stores'
default names, on `INSTALLATION_METADATA` (kept apart from `SQLModel.metadata`, so they are
no model of ours and no workspace scoping applies: they hold the tokens, not records).
Migration 0015 creates them and `storage/migrations/env.py` compares them with the
database like the models.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table, delete, desc, func, select
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

# How long an install started at /slack/install may take to come back to the redirect URL.
STATE_EXPIRATION_SECONDS = 600

INSTALLATION_METADATA = MetaData()
INSTALLATIONS: Table = SQLAlchemyInstallationStore.build_installations_table(
    INSTALLATION_METADATA, SQLAlchemyInstallationStore.default_installations_table_name
)
BOTS: Table = SQLAlchemyInstallationStore.build_bots_table(
    INSTALLATION_METADATA, SQLAlchemyInstallationStore.default_bots_table_name
)
OAUTH_STATES: Table = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    INSTALLATION_METADATA, SQLAlchemyOAuthStateStore.default_table_name
)


@dataclass(frozen=True)
class InstalledWorkspace:
    """A workspace the app is installed in, and the bot token to act there with."""

    team_id: str
    bot_token: str


class _LatestInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, keeping only each workspace's latest installation: slack_sdk
    keeps every earlier one, and with it every token the workspace was ever given."""

    def save(self, installation: Installation) -> None:
        super().save(installation)
        for table in (self.installations, self.bots):
            older = select(func.max(table.c.id)).where(
                table.c.client_id == self.client_id, table.c.team_id == installation.team_id
            )
            with self.engine.begin() as connection:
                connection.execute(
                    delete(table).where(
                        table.c.client_id == self.client_id,
                        table.c.team_id == installation.team_id,
                        table.c.id < older.scalar_subquery(),
                    )
                )
        logger.info(
            "engagebot was installed in workspace %s (%s)",
            installation.team_id,
            installation.team_name,
        )


def installation_store(*, engine: Engine, client_id: str) -> SQLAlchemyInstallationStore:
    """slack_sdk's store on our database (the tables of migration 0015)."""
    return _LatestInstallationStore(client_id=client_id, engine=engine)


def oauth_state_store(*, engine: Engine) -> SQLAlchemyOAuthStateStore:
    return SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine)


def installed_workspaces(*, engine: Engine, client_id: str) -> list[InstalledWorkspace]:
    """Every workspace with a bot token, by team id, each with its latest token.

    Org-wide (Enterprise Grid) installs have no team id and are not supported.
    """
    bots = BOTS.c
    query = (
        select(bots.team_id, bots.bot_token)
        .where(bots.client_id == client_id, bots.team_id.is_not(None))
        .where(bots.bot_token.is_not(None), bots.is_enterprise_install.is_(False))
        .order_by(bots.team_id, desc(bots.installed_at), desc(bots.id))
    )
    latest: dict[str, str] = {}
    with engine.connect() as connection:
        for row in connection.execute(query):
            latest.setdefault(row.team_id, row.bot_token)
    return [InstalledWorkspace(team_id, token) for team_id, token in latest.items()]
