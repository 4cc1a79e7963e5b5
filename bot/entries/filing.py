"""Filing an entry (an engagement, an item of feedback) under its team, and undoing it,
each in one transaction: the team a typed entry goes to when the person names none, what
was filed, and what came of an Undo."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypeVar

from sqlmodel import Session

from bot.users.organisations import RegisterEntry, register_entries
from storage.database import Database
from storage.models import Engagement, Feedback, ProducerTeam
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


Entry = TypeVar("Entry", Engagement, Feedback)


@dataclass(frozen=True)
class Undone:
    team: str  # the team it was filed under


@dataclass(frozen=True)
class AlreadyGone:
    pass


@dataclass(frozen=True)
class OnlyTheirs:
    owner: str | None  # who recorded it, the one person who may undo it


@dataclass(frozen=True)
class UndoRefused:
    reason: str  # other records depend on it


Undo = Undone | AlreadyGone | OnlyTheirs | UndoRefused


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


def undo_entry(
    database: Database,
    model: type[Entry],
    record_id: int,
    user_id: str,
    *,
    owner_of: Callable[[Entry], str | None],
    refusal: Callable[[Session, Entry], str | None] = lambda *_: None,
) -> Undo:
    """Delete the entry, in one transaction, if `user_id` recorded it (`owner_of`) and
    nothing stops it (`refusal`, why not, or None)."""
    with database.transaction() as session:
        record = session.get(model, record_id)
        if record is None:
            return AlreadyGone()
        owner = owner_of(record)
        if owner != user_id:
            return OnlyTheirs(owner)
        reason = refusal(session, record)
        if reason is not None:
            return UndoRefused(reason)
        team = record.team.name
        session.delete(record)
        return Undone(team)
