"""The rules of who may do what (bot/people/permissions.py), as plain functions."""

from __future__ import annotations

import pytest

from bot.people.permissions import OPEN_TO_OUTSIDERS, TEAM_ACTIONS, Action, Person, TeamRef, refusal

PRICES = TeamRef(1, "Prices & <rents>")
MEMBER = Person("U1", team_ids=frozenset({1}))
OTHER_TEAMS_MEMBER = Person("U2", team_ids=frozenset({2}))
NOBODY = Person("U3")
ADMIN = Person("U4", admin=True)
OUTSIDER = Person("U5", workspace="ONS", outsider=True, admin=True, team_ids=frozenset({1}))


@pytest.mark.parametrize("action", sorted(TEAM_ACTIONS, key=str))
def test_a_teams_actions_are_for_its_members_and_admins(action: Action) -> None:
    assert refusal(MEMBER, action, PRICES) is None
    assert refusal(ADMIN, action, PRICES) is None
    for person in (OTHER_TEAMS_MEMBER, NOBODY):
        problem = refusal(person, action, PRICES)
        assert problem is not None
        assert problem.startswith(":no_entry: Only members of *Prices &amp; &lt;rents&gt;* (or")
        assert f"can {action.value}." in problem and problem.endswith("Nothing was changed.")


def test_without_a_team_any_membership_will_do() -> None:
    assert refusal(OTHER_TEAMS_MEMBER, Action.ANNOUNCE_CHANGE) is None
    problem = refusal(NOBODY, Action.ANNOUNCE_CHANGE)
    assert problem is not None and "announce, edit or cancel the team's changes" in problem
    assert "you are in no team yet" in problem


def test_only_admins_create_teams() -> None:
    assert refusal(ADMIN, Action.CREATE_TEAM) is None
    problem = refusal(MEMBER, Action.CREATE_TEAM)
    assert problem is not None and problem.startswith(":no_entry: Only a workspace admin")


def test_everyone_in_the_workspace_does_everyday_things() -> None:
    for person in (MEMBER, NOBODY, ADMIN):
        for action in (Action.EVERYDAY, *OPEN_TO_OUTSIDERS):
            assert refusal(person, action, PRICES) is None


@pytest.mark.parametrize("action", list(Action))
def test_outsiders_only_comment_and_sign_up_whatever_else_they_are(action: Action) -> None:
    problem = refusal(OUTSIDER, action, PRICES)
    if action in OPEN_TO_OUTSIDERS:
        assert problem is None
    else:
        assert problem is not None
        assert problem.startswith(":no_entry: That is for staff of ONS: people from other")
