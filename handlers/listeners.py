"""Wires every feature's listeners onto the Bolt app: the one place to add a feature."""

from __future__ import annotations

from slack_bolt import App

from bot.base.config import Settings
from bot.deliveries.scheduler import DeliveryKind
from handlers import (
    alerts,
    changes,
    decisions,
    digests,
    engagement,
    entry_buttons,
    errors,
    export,
    feedback,
    home,
    insights,
    installs,
    opportunities,
    options,
    organisations,
    permissions,
    prompts,
    reviews,
    subscriptions,
    team,
    users_map,
    web_feedback,
    who,
)
from handlers.engage import EngageCommand
from handlers.web import emails

COMMAND = "/engage"

# Every message the scheduler delivers, by feature (see bot/deliveries/scheduler.py).
DELIVERY_KINDS: tuple[DeliveryKind, ...] = (
    *changes.KINDS,
    *alerts.KINDS,
    *opportunities.KINDS,
    *digests.KINDS,
    *insights.KINDS,
    *reviews.KINDS,
    *prompts.KINDS,
    *emails.KINDS,
    *web_feedback.KINDS,
)


def configured_kinds(settings: Settings) -> tuple[DeliveryKind, ...]:
    """Kinds whose plan depends on the settings: the weekly digest and the review summary
    to the cross-team channels."""
    channels = settings.cross_team_channels
    return (*insights.cross_team_kinds(channels), *reviews.cross_team_kinds(channels))


def register_listeners(app: App, settings: Settings) -> EngageCommand:
    """Register every listener; returns the `/engage` router (its subcommands make the help)."""
    permissions.register(app, settings)  # first: every listener gets `requester`
    engage = EngageCommand()
    # Bolt tries listeners in the order registered, each match costing some work: the
    # command most requests are goes first (its subcommands are added to it below).
    app.command(COMMAND)(engage)
    engagement.register(app, engage)
    feedback.register(app, engage)
    team.register(app, engage)
    changes.register(app, engage)
    subscriptions.register(engage)
    users_map.register(engage)
    export.register(engage)
    opportunities.register(app, engage)
    insights.register(app, engage)
    who.register(engage)
    organisations.register(engage)
    reviews.register(app, engage)
    prompts.register(app)
    entry_buttons.register(app)
    decisions.register(app)
    home.register(app)
    options.register(app)
    installs.register(app)
    errors.register(app)
    return engage
