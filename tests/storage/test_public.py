"""The public site's queries (storage/public.py), on SQLite and PostgreSQL: a team's address
is found in whichever workspace holds it, and the session then reads that workspace only;
an address is one team's across workspaces (bot/public/addresses.py)."""

from __future__ import annotations

import pytest

from bot.base.validation import Invalid
from bot.public.addresses import address_problem
from bot.teams.editing import TeamDraft, draft_of, save_team
from storage.database import Database
from storage.models import ProducerTeam
from storage.public import published_teams, team_at_address
from storage.teams import list_teams, team_named
from storage.workspaces import WrongWorkspace, enter_workspace

OURS, THEIRS = "TOURS", "TTHEIRS"


def make(database: Database, workspace: str, name: str, address: str | None) -> int:
    with database.in_workspace(workspace).transaction() as session:
        team = save_team(
            session=session,
            draft=TeamDraft(name, public_address=address),
            user_id="UADMIN",
        )
        return team.id  # type: ignore[return-value]


def test_a_team_is_found_by_its_address_in_its_own_workspace(database: Database) -> None:
    make(database, OURS, "Prices", "prices")
    theirs = make(database, THEIRS, "Health", "health")
    make(database, THEIRS, "Labour", None)
    with database.in_workspace(OURS).transaction() as session:
        assert [(t.address, t.name) for t in published_teams(session=session)] == [
            ("health", "Health"),
            ("prices", "Prices"),
        ]
        team = team_at_address(session=session, address="health")
        assert team is not None and team.id == theirs
        # From then on the session reads their workspace's records, not ours.
        assert {t.name for t in list_teams(session=session)} == {"Health", "Labour"}
    with database.transaction() as session:
        assert team_at_address(session=session, address="nobody") is None


def test_a_session_holding_records_keeps_its_workspace(database: Database) -> None:
    make(database, OURS, "Prices", "prices")
    with database.in_workspace(OURS).transaction() as session:
        team = team_named(session=session, name="Prices")  # held, so the session holds it
        assert team is not None
        with pytest.raises(WrongWorkspace):
            enter_workspace(session, THEIRS)


def test_an_address_is_one_teams_across_workspaces(database: Database) -> None:
    ours = make(database, OURS, "Prices", "prices")
    with pytest.raises(Invalid) as refused, database.in_workspace(THEIRS).transaction() as session:
        save_team(session=session, draft=TeamDraft("Health", public_address="Prices"), user_id="U1")
    assert refused.value.errors == {
        "public_address": "Another team has the address “prices”: choose another."
    }
    with database.in_workspace(OURS).transaction() as session:
        team = session.get(ProducerTeam, ours)
        assert team is not None
        # Its own address is its own to keep, and to give up.
        assert (
            save_team(
                session=session, draft=draft_of(team, ["UADMIN"]), user_id="U1", team_id=ours
            ).public_slug
            == "prices"
        )
        draft = draft_of(team, ["UADMIN"])
        draft.public_address = " "
        assert (
            save_team(session=session, draft=draft, user_id="U1", team_id=ours).public_slug is None
        )


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("Prices-Division", None),
        ("prices division", "Use lower-case letters, digits and hyphens, e.g. prices-division."),
        ("-prices", "Use lower-case letters, digits and hyphens, e.g. prices-division."),
        ("static", "“static” is the site's own: choose another."),
        ("a" * 61, "An address can be at most 60 characters."),
    ],
)
def test_what_an_address_may_be(database: Database, typed: str, problem: str | None) -> None:
    with database.transaction() as session:
        assert address_problem(session=session, address=typed, team_id=None)[1] == problem
