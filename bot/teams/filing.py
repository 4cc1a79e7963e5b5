"""Filing an entry (an engagement, an item of feedback) under its team, in one transaction:
the team a typed entry goes to when the person names none, and what was filed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlmodel import Session

from bot.users.organisations import RegisterEntry, register_entries
from storage.database import Database
from storage.models import ProducerTeam
from storage.reference import organisations_without_segment
from storage.teams import list_teams, team_for_person


@dataclass(frozen=True)
class Typed:
    """An entry typed after its subcommand (`/engage log Met DWP`), recorded at once."""

    text: str
    user_id: str
    channel_id: str | None
    today: date
    earliest: date
    source_key: str  # the command's, so that a retried command records once


@dataclass(frozen=True)
class Filed:
    """An entry saved: its id, its text and its team's name."""

    record_id: int
    text: str
    team: str
    # The organisations it names that had no segment in the register before, as the
    # register now holds them (bot/users/organisations.py: default_segment).
    organisations: Sequence[RegisterEntry] = field(default_factory=tuple)


@dataclass(frozen=True)
class TeamUnclear:
    """No team to file a typed entry under: the channel is no team's home and the person
    has recorded for none. `any_team` says whether there is one to choose."""

    any_team: bool


def file_typed(
    database: Database, typed: Typed, save: Callable[[Session, ProducerTeam], Filed]
) -> Filed | TeamUnclear:
    """`save` the entry for the team whose home the channel is, else the one the person last
    recorded for, in one transaction; `TeamUnclear` if neither."""
    with database.transaction() as session:
        team = team_for_person(session=session, channel_id=typed.channel_id, user_id=typed.user_id)
        if team is None:
            return TeamUnclear(any_team=bool(list_teams(session=session, limit=1)))
        return save(session, team)


def file_with_register(
    database: Database, organisations: Sequence[str], save: Callable[[Session], Filed]
) -> Filed:
    """`save` the entry in one transaction, with the register's entries for the
    `organisations` it names that had no segment before."""
    with database.transaction() as session:
        unsegmented = organisations_without_segment(session=session, names=organisations)
        filed = save(session)
        return replace(filed, organisations=register_entries(session=session, names=unsegmented))
