"""Who is behind a Slack request, for the rules in `bot/people/permissions.py`.

A middleware puts a `Requester` into every listener's arguments (`requester`). It also
turns away people of another organisation (in a Slack Connect channel) from everything but
commenting on a change and signing up for an opportunity, before any listener runs.

Whether someone is an outsider is read from the request: an interaction's `user.team_id`
(an org's id on Enterprise Grid) or a slash command's `team_id` / `enterprise_id`, against
the workspace (and org) engagebot is installed in, from `auth.test`. Whether someone is a
workspace admin comes from `users.info` (is_admin, is_owner, is_primary_owner), asked only
when a rule needs it and kept for a few minutes, or from ENGAGEBOT_ADMINS.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from logging import Logger
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.base.config import Settings
from bot.people.permissions import (
    ADMIN_ACTIONS,
    TEAM_ACTIONS,
    Action,
    Person,
    Refused,
    TeamRef,
    refusal,
)
from handlers.views.blocks import modal, section
from handlers.views.changes import COMMENT_ACTION
from handlers.views.entries import FormOrigin, notice_message
from handlers.views.feedback import CALLBACK_ID as FEEDBACK_CALLBACK_ID
from handlers.views.opportunities import TAKE_PART_ACTION, WITHDRAW_ACTION
from storage.models import ProducerTeam
from storage.teams import teams_of

THIS_WORKSPACE = "this workspace"
ADMIN_ANSWER_SECONDS = 300.0  # how long a users.info answer is trusted
SIGN_UP_ACTIONS = frozenset({TAKE_PART_ACTION, WITHDRAW_ACTION})
# Requests with no one to answer, or that only read: an outsider's pass through.
PASSING_TYPES = frozenset({"event_callback", "block_suggestion", "view_closed"})


class AdminDirectory:
    """Who is a workspace admin: ENGAGEBOT_ADMINS, or Slack's users.info, asked at most
    once every few minutes per person in this process."""

    def __init__(
        self,
        listed: frozenset[str],
        seconds: float = ADMIN_ANSWER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._listed = listed
        self._seconds = seconds
        self._clock = clock
        self._answers: dict[str, tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def is_admin(self, client: WebClient, user_id: str, logger: Logger) -> bool:
        if user_id in self._listed:
            return True
        now = self._clock()
        with self._lock:
            known = self._answers.get(user_id)
        if known is not None and now - known[0] < self._seconds:
            return known[1]
        try:
            user = client.users_info(user=user_id)["user"]
        except (SlackApiError, OSError):  # refuse what needs an admin, rather than guess
            logger.warning("users.info failed for %s; not treated as an admin", user_id)
            return False
        admin = any(bool(user.get(flag)) for flag in ("is_admin", "is_owner", "is_primary_owner"))
        with self._lock:
            self._answers[user_id] = (now, admin)
        return admin


@dataclass(frozen=True)
class Requester:
    """The person behind this request, as the rules need them."""

    user_id: str
    workspace: str
    outsider: bool
    ask_if_admin: Callable[[], bool] = field(repr=False)  # asks Slack (cached)

    def refusal(
        self, action: Action, *, session: Session, team: ProducerTeam | None = None
    ) -> str | None:
        """None if the person may do `action` (to `team`); else the sentence to show.
        Slack is asked whether they are an admin only when the rule depends on it."""
        needs_role = not self.outsider and (action in TEAM_ACTIONS or action in ADMIN_ACTIONS)
        admin = needs_role and self.ask_if_admin()
        team_ids = (
            teams_of(session=session, user_id=self.user_id)
            if needs_role and not admin
            else frozenset()
        )
        person = Person(self.user_id, self.workspace, self.outsider, admin, team_ids)
        ref = TeamRef(team.id, team.name) if team is not None and team.id is not None else None
        return refusal(person, action, ref)

    def require(
        self, action: Action, *, session: Session, team: ProducerTeam | None = None
    ) -> None:
        """Raise `Refused` (which `handlers/forms.py: save_form` shows) unless allowed."""
        problem = self.refusal(action, session=session, team=team)
        if problem is not None:
            raise Refused(problem)


def outsider_action(body: dict[str, Any]) -> Action:
    """The one thing an outsider may be doing in this request, else `Action.EVERYDAY`."""
    if body.get("type") == "block_actions":
        action_ids = {action.get("action_id") for action in body.get("actions", [])}
        if COMMENT_ACTION in action_ids:
            return Action.COMMENT
        if action_ids & SIGN_UP_ACTIONS:
            return Action.SIGN_UP
    view = body.get("view") or {}
    if body.get("type") == "view_submission" and view.get("callback_id") == FEEDBACK_CALLBACK_ID:
        origin = FormOrigin.from_json(view.get("private_metadata") or "", "feedback")
        if origin.change_id is not None and origin.record_id is None:
            return Action.COMMENT
    return Action.EVERYDAY


def is_outsider(context: BoltContext, body: dict[str, Any]) -> bool:
    """Whether the person's account belongs to another organisation than the installation."""
    installed = context.authorize_result
    if installed is None or not installed.team_id:
        return False
    home = {installed.team_id, installed.enterprise_id} - {None}
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return user["team_id"] not in home
    if "command" in body:  # a slash command: the workspace (and org) it ran in
        ran_in = {body.get("team_id"), body.get("enterprise_id")} - {None, ""}
        return bool(ran_in) and not ran_in & home
    return False


def tell(body: dict[str, Any], respond: Respond, client: WebClient, text: str, title: str) -> None:
    """Show `text` (safe mrkdwn) to the person alone, wherever they clicked: an ephemeral
    reply where there is a response_url, else a modal (`title`): over the modal they had
    open, or on its own (from Home, or a global shortcut)."""
    if body.get("response_url"):
        respond(**notice_message(text), replace_original=False)
        return
    view = refused_modal(title, text)
    if (body.get("view") or {}).get("type") == "modal":  # over the form, not in its place
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def refused_modal(title: str, text: str) -> dict[str, Any]:
    """A modal saying why something was refused (`text` safe mrkdwn)."""
    return modal("refused", title, [section(text)], submit=None)


def register(app: App, settings: Settings) -> None:
    """Identify the person behind every request; stop outsiders at the door."""
    admins = AdminDirectory(settings.admins)
    # Each installation's name by its team id (one with OAuth distribution: many), asked
    # once, for outsiders.
    workspaces: dict[str | None, str] = {}

    def workspace_name(client: WebClient, team_id: str | None) -> str:
        if team_id not in workspaces:
            try:
                workspaces[team_id] = str(client.auth_test().get("team") or THIS_WORKSPACE)
            except SlackApiError:
                return THIS_WORKSPACE
        return workspaces[team_id]

    @app.middleware
    def identify(
        context: BoltContext,
        body: dict[str, Any],
        client: WebClient,
        respond: Respond,
        logger: Logger,
        next: Callable[[], None],
    ) -> BoltResponse | None:
        user_id = context.user_id
        if user_id is None:
            next()
            return None
        outsider = is_outsider(context, body)
        home = context.authorize_result  # there is one wherever there are outsiders
        requester = Requester(
            user_id=user_id,
            workspace=workspace_name(client, home.team_id) if outsider and home else THIS_WORKSPACE,
            outsider=outsider,
            ask_if_admin=lambda: admins.is_admin(client, user_id, logger),
        )
        context["requester"] = requester
        if requester.outsider and body.get("type") not in PASSING_TYPES:
            person = Person(user_id, requester.workspace, outsider=True)
            problem = refusal(person, outsider_action(body))
            if problem is not None:
                return _turn_away(body, respond, client, logger, problem)
        next()
        return None


def _turn_away(
    body: dict[str, Any], respond: Respond, client: WebClient, logger: Logger, problem: str
) -> BoltResponse:
    """Answer an outsider's request with why not, and run no listener."""
    if body.get("type") == "view_submission":
        update = {"response_action": "update", "view": refused_modal("engagebot", problem)}
        return BoltResponse(status=200, body=update)
    try:
        tell(body, respond, client, problem, "engagebot")
    except SlackApiError:  # nothing was done either way; only the explanation is lost
        logger.warning("could not tell %s why not", body.get("user_id"), exc_info=True)
    return BoltResponse(status=200, body="")
