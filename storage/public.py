"""Queries for the public site (`bot/public/`): the teams that publish, across workspaces,
and what a team's pages show.

A team's address is unique across workspaces, so the teams are found by it on the bare
connection (not scoped: storage/workspaces.py); the session then keeps to the team's
workspace for the rest of the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col
from sqlmodel import select as select_models

from storage.models import Feedback, ProducerTeam, TeamPublicVersion, UpcomingChange
from storage.types import related, table_of
from storage.workspaces import enter_workspace

_TEAMS = table_of(ProducerTeam)
_VERSIONS = table_of(TeamPublicVersion)


@dataclass(frozen=True)
class PublishedTeam:
    address: str
    name: str


def published_teams(*, session: Session) -> list[PublishedTeam]:
    """Every team with a public address, in every workspace, by name."""
    rows = session.connection().execute(
        select(_TEAMS.c.public_slug, _TEAMS.c.name)
        .where(_TEAMS.c.public_slug.is_not(None))
        .order_by(func.lower(_TEAMS.c.name), _TEAMS.c.public_slug)
    )
    return [PublishedTeam(row.public_slug, row.name) for row in rows]


def address_holder(*, session: Session, address: str) -> int | None:
    """The id of the team, in any workspace, whose public address is `address`."""
    found: int | None = (
        session.connection()
        .execute(select(_TEAMS.c.id).where(_TEAMS.c.public_slug == address))
        .scalar()
    )
    return found


def team_at_address(*, session: Session, address: str) -> ProducerTeam | None:
    """The team whose public address is `address`, with `session` kept to its workspace
    from now on (see `enter_workspace`); None if no team has it."""
    found = (
        session.connection()
        .execute(select(_TEAMS.c.id, _TEAMS.c.workspace_id).where(_TEAMS.c.public_slug == address))
        .first()
    )
    if found is None:
        return None
    enter_workspace(session, found.workspace_id)
    return session.get(ProducerTeam, found.id)


def changes_from(*, session: Session, team_id: int, first: date) -> Sequence[UpcomingChange]:
    """The team's changes taking effect on `first` or later, announced or cancelled, soonest
    first, with their output and the segments they affect."""
    return session.exec(
        select_models(UpcomingChange)
        .where(UpcomingChange.team_id == team_id, col(UpcomingChange.effective_on) >= first)
        .options(
            selectinload(related(UpcomingChange.output)),
            selectinload(related(UpcomingChange.segments)),
        )
        .order_by(col(UpcomingChange.effective_on), col(UpcomingChange.id))
    ).all()


@dataclass(frozen=True)
class PublicStamp:
    """What tells whether a team's pages changed: its public version (0 and no moment if
    nothing was written through the ORM since it was loaded past it: `bench/generate.py`)
    and its time zone, which says what day it is there."""

    team_id: int
    timezone: str | None
    version: int
    changed_at: datetime | None


_STAMP = (
    select(_TEAMS.c.id, _TEAMS.c.timezone, _VERSIONS.c.version, _VERSIONS.c.changed_at)
    .select_from(_TEAMS.outerjoin(_VERSIONS, _VERSIONS.c.team_id == _TEAMS.c.id))
    .where(_TEAMS.c.public_slug == bindparam("address"))
)


def public_stamp(*, connection: Connection, address: str) -> PublicStamp | None:
    """The stamp of the team, in any workspace, whose public address is `address` (None if
    none has it): one statement, built once, and all that a page asked for again needs
    when it has not changed (on a connection: no session to begin and end)."""
    found = connection.execute(_STAMP, {"address": address}).first()
    if found is None:
        return None
    return PublicStamp(found.id, found.timezone, found.version or 0, found.changed_at)


def feedback_changed_at(
    *, session: Session, team_id: int, first: date, last: date
) -> datetime | None:
    """When the team's feedback received from `first` to `last` last changed (recorded,
    edited, decided or merged); None if there is none."""
    latest: datetime | None = session.exec(
        select_models(func.max(Feedback.updated_at)).where(
            Feedback.team_id == team_id,
            col(Feedback.received_on) >= first,
            col(Feedback.received_on) <= last,
        )
    ).one()
    return latest
