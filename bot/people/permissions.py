"""Who may do what. Three roles (a team's members, workspace admins, everyone in the
workspace) and outsiders: people of another organisation in a Slack Connect channel.

`refusal` decides: given who the person is and what they are doing, None if they may, else
the sentence to show them. Handlers ask it before they change anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.base.text import escape_mrkdwn


class Action(Enum):
    """What a person asks to do; the value completes "Only ... can <value>"."""

    # A team's members, and workspace admins.
    DECIDE = "decide on its feedback or merge it"
    ANNOUNCE_CHANGE = "announce, edit or cancel its changes"
    POST_REVIEW = "post its engagement review to a channel"
    EXPORT = "export its records"
    EDIT_TEAM = "change its settings"
    POST_OPPORTUNITY = "post its engagement opportunities"
    # Any team's members (the register of organisations is everyone's), and admins.
    SET_SEGMENT = "set an organisation's audience segment"
    # Workspace admins.
    CREATE_TEAM = "create a team"
    EXPORT_PERSONAL = "export contact names and emails"
    # Outsiders too.
    COMMENT = "comment on a change"
    SIGN_UP = "sign up for an opportunity"
    # Everyone in the workspace (logging, feedback, subscriptions, insights, who, the map,
    # viewing reviews and lists).
    EVERYDAY = "use engagebot"


TEAM_ACTIONS = frozenset(
    {
        Action.DECIDE,
        Action.ANNOUNCE_CHANGE,
        Action.POST_REVIEW,
        Action.EXPORT,
        Action.EDIT_TEAM,
        Action.POST_OPPORTUNITY,
        Action.SET_SEGMENT,
    }
)
ADMIN_ACTIONS = frozenset({Action.CREATE_TEAM, Action.EXPORT_PERSONAL})
OPEN_TO_OUTSIDERS = frozenset({Action.COMMENT, Action.SIGN_UP})
NOTHING_CHANGED = "Nothing was changed."


class Refused(Exception):
    """Raised inside a save to stop it: the person may not do this (`message`, safe mrkdwn)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Person:
    """Who is asking: `outsider` if their Slack account belongs to another organisation
    than the workspace engagebot is installed in (`workspace`, its name)."""

    user_id: str
    workspace: str = "this workspace"
    outsider: bool = False
    admin: bool = False  # Slack's admin or owner, or listed in ENGAGEBOT_ADMINS
    team_ids: frozenset[int] = frozenset()  # the teams they are a member of


@dataclass(frozen=True)
class TeamRef:
    id: int
    name: str


def refusal(person: Person, action: Action, team: TeamRef | None = None) -> str | None:
    """None if `person` may do `action`, else why not. A team's action is asked of `team`;
    with no team, of some team (a form whose team is chosen later)."""
    if person.outsider:
        if action in OPEN_TO_OUTSIDERS:
            return None
        return (
            f":no_entry: That is for staff of {escape_mrkdwn(person.workspace)}: people from "
            "other organisations can comment on a change and sign up for an opportunity. "
            + NOTHING_CHANGED
        )
    if action is Action.CREATE_TEAM and not person.admin:
        return (
            ":no_entry: Only a workspace admin can create a team: ask one to create it and add "
            "you as a member. " + NOTHING_CHANGED
        )
    if action is Action.EXPORT_PERSONAL and not person.admin:
        return (
            ":no_entry: Only a workspace admin can export contact names and emails: they are "
            "personal data. `/engage export` without `personal` sends the rest. Nothing was sent."
        )
    if action in TEAM_ACTIONS and not person.admin:
        member = team.id in person.team_ids if team is not None else bool(person.team_ids)
        if not member:
            return member_refusal(action, team)
    return None


def member_refusal(action: Action, team: TeamRef | None) -> str:
    """Why someone who is not a member (nor an admin) may not do a team's `action`."""
    if team is None:
        what = action.value.replace("its ", "the team's ")
        return (
            f":no_entry: Only a team's members (or a workspace admin) can {what}, "
            "and you are in no team yet. "
            f"A member can add you with `/engage team` and the team's name. {NOTHING_CHANGED}"
        )
    name = escape_mrkdwn(team.name)
    return (
        f":no_entry: Only members of *{name}* (or a workspace admin) can {action.value}. "
        f"A member can add you in `/engage team {name}`. {NOTHING_CHANGED}"
    )
