"""Options for the forms' type-ahead menus (external selects), loaded as the person types."""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_bolt import Ack, App

from bot.base.text import ORGANISATION_MAX, storable
from bot.base.validation import json_object, record_id_in
from handlers.failures import NoOptions, when_the_database_fails
from handlers.views.blocks import option
from storage.database import Database
from storage.reference import find_organisations, find_outputs
from storage.teams import list_teams

OPTIONS_MAX = 100  # Slack shows at most 100 options


@when_the_database_fails(NoOptions())
def load_options(ack: Ack, body: dict[str, Any], database: Database, logger: Logger) -> None:
    """The options of the menu `body` names (its action_id), matching what was typed."""
    # A NUL can't be searched for in PostgreSQL, nor kept in an organisation's name.
    query = " ".join(storable(str(body.get("value", ""))).split())
    with database.transaction() as session:
        found = FINDERS[body["action_id"]](session, query, body)
    ack(options=found[:OPTIONS_MAX])


def register(app: App) -> None:
    for action_id in FINDERS:
        app.options(action_id)(load_options)


def _teams(session: Any, query: str, _body: dict[str, Any]) -> list[dict[str, Any]]:
    return [option(team.name, str(team.id)) for team in list_teams(session=session, query=query)]


def _partner_teams(session: Any, query: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every team but the one the form is for: a team is not its own partner."""
    own = _chosen_team(body)
    return [option for option in _teams(session, query, body) if option["value"] != str(own)]


def _outputs(session: Any, query: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    team_id = _chosen_team(body)
    found = find_outputs(session=session, query=query, team_id=team_id, limit=OPTIONS_MAX)
    return [
        option(output.name if team_id else f"{output.name} ({team_name})", str(output.id))
        for output, team_name in found
    ]


def _organisations(session: Any, query: str, _body: dict[str, Any]) -> list[dict[str, Any]]:
    known = find_organisations(session=session, query=query, limit=OPTIONS_MAX - 1)
    found = [option(org.name, org.name) for org in known]
    is_new = query and all(org.name.lower() != query.lower() for org in known)
    # Offered even when the name can't be kept (a ';' in it): saving then says why.
    if is_new and len(query) <= ORGANISATION_MAX:
        found.insert(0, option(f"Add “{query}”", query))
    return found


def _chosen_team(body: dict[str, Any]) -> int | None:
    """The team already picked in the same form, or the one a form without a team field is
    for (`team_id` in its metadata), so that only its outputs are offered."""
    view = body.get("view", {})
    values = view.get("state", {}).get("values", {})
    selected = values.get("team", {}).get("team", {}).get("selected_option") or {}
    return record_id_in(
        selected.get("value") or json_object(view.get("private_metadata")).get("team_id")
    )


Finder = Callable[[Any, str, dict[str, Any]], list[dict[str, Any]]]
# Each type-ahead menu's action_id, and how its options are found.
FINDERS: dict[str, Finder] = {
    "team": _teams,
    "partners": _partner_teams,
    "outputs": _outputs,
    "output": _outputs,
    "organisations": _organisations,
    "organisation": _organisations,
}
