"""OAuth distribution: installing engagebot in any number of workspaces.

With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (`Settings.oauth_enabled`), Bolt serves the
install flow (`/slack/install`, then Slack sends the installer back to
`/slack/oauth_redirect`) and keeps each workspace's bot token in our database
(`storage/installations.py`); every request is then answered with its own workspace's token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore

from bot.base.config import Settings
from bot.deliveries.scheduler import Outcome, Scheduler
from bot.people.retention import apply_retention
from storage.database import Database
from storage.deliveries import cancel_pending
from storage.installations import installation_store, installed_workspaces, oauth_state_store
from storage.workspaces import workspaces_with_records

logger = logging.getLogger(__name__)

# The bot scopes an install asks for, and no more: manifest.yml's
# `oauth_config.scopes.bot`, which tests/test_manifest.py keeps equal to these (the
# manifest is not shipped with the code).
BOT_SCOPES = (
    "commands",
    "chat:write",
    # conversations.info and .join, when a subscribed public channel answers
    # not_in_channel (bot/deliveries/scheduler.py).
    "channels:read",
    "channels:join",
    # files.getUploadURLExternal and .completeUploadExternal: `/engage export`'s CSV files
    # (handlers/export.py), a review post's chart.
    "files:write",
    "im:write",  # conversations.open: the direct message those files go to
    # conversations.history, where a send cut short by a crash is looked for
    # (bot/deliveries/trace.py).
    "channels:history",
    "groups:history",
    "im:history",
    "users:read",  # users.info: whether someone is a workspace admin (handlers/permissions.py)
)
# Why a workspace's deliveries were cancelled (`engagebot deliveries` shows it).
UNINSTALLED = "not sent: the app was uninstalled from this workspace, or its token revoked"
# What someone is told when their workspace has no installation (never installed, or
# uninstalled): Bolt's own text speaks of a reinstall "for some unknown reason".
NOT_INSTALLED = (
    ":warning: Nothing was recorded: engagebot is not installed in this workspace. "
    "A workspace admin can install it from engagebot's install page."
)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def oauth_settings(settings: Settings, database: Database) -> OAuthSettings:
    """Bolt's OAuth flow, its installations and states kept in `database`."""
    assert settings.client_id is not None and settings.client_secret is not None
    return OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        # Slack's own page beside its Web API (GovSlack's for slack-gov.com).
        authorization_url=urljoin(settings.slack_api_url, "/oauth/v2/authorize"),
        installation_store=installation_store(engine=database.engine, client_id=settings.client_id),
        # engagebot asks for no user scopes: a workspace's bot is all there is to find.
        installation_store_bot_only=True,
        state_store=oauth_state_store(engine=database.engine),
    )


def forget_workspace(
    *, store: InstallationStore | None, database: Database, team_id: str | None
) -> int:
    """The app has left a workspace (`database` is bound to it): delete its tokens (with
    OAuth distribution; one workspace's SLACK_BOT_TOKEN is the operator's to replace) and
    cancel the deliveries still pending there, which could only fail with a dead token.
    Its records stay, for a reinstall to find (`engagebot erase` removes personal data).
    Returns how many deliveries were cancelled."""
    if store is not None:
        store.delete_all(enterprise_id=None, team_id=team_id)
    with database.transaction() as session:
        return cancel_pending(session=session, reason=UNINSTALLED)


@dataclass(frozen=True)
class EveryWorkspace:
    """What a tick is with OAuth distribution: `scheduler`'s tick in each installed
    workspace, bound to it and with its bot token (`client_for(token)`); personal-data
    retention also in the workspaces the app has left, whose records stay."""

    scheduler: Scheduler
    client_id: str
    client_for: Callable[[str], WebClient]

    def tick(self, at: datetime) -> Outcome:
        database = self.scheduler.database
        installed = installed_workspaces(engine=database.engine, client_id=self.client_id)
        outcome = Outcome()
        for workspace in installed:
            scheduler = self.scheduler.serving(
                database.in_workspace(workspace.team_id), self.client_for(workspace.bot_token)
            )
            try:
                outcome += scheduler.tick(at)
            except Exception:  # one workspace's failure must not hold back the others'
                logger.exception("the tick in workspace %s failed", workspace.team_id)
        self._retain(at, installed={workspace.team_id for workspace in installed})
        logger.info(
            "tick as of %s in %s installed workspaces: %s",
            at.isoformat(timespec="seconds"),
            len(installed),
            outcome,
        )
        return outcome

    def _retain(self, at: datetime, *, installed: set[str]) -> None:
        database = self.scheduler.database
        with database.engine.connect() as connection:
            holding = workspaces_with_records(connection=connection)
        for workspace_id in sorted(set(holding) - installed):
            with database.in_workspace(workspace_id).transaction() as session:
                apply_retention(session=session, now=at, months=self.scheduler.personal_data_months)
