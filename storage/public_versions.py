"""Each team's public version (`TeamPublicVersion`): one more at every write of what its
public pages and feeds can show, so the site tells whether a page changed by reading one
row (its ETag, its Last-Modified and its cache: handlers/web/site.py).

Like the review's summaries (ARCHITECTURE.md, "Summaries kept in step"), it is kept by a
hook on every session's flush, whichever path writes: a row of the team's own that a page
shows (the team, and `_OWNED`: its outputs, changes, opportunities, engagements and their
links, feedback), a sign-up (its opportunity's team), a decision (its
item's team), or a record of the workspace's that teams' pages name (an organisation, a
theme, edited: every team of that workspace). A bulk statement on those tables bumps every
team of the session's workspace (`do_orm_execute`). The count is bumped in the write's
transaction, so it commits with the write, and a page read before keeps the version it read.

SQL run past the ORM (`bench/generate.py`) writes none: a team with no row is at version 0.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, event, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from storage.clock import utc_now
from storage.models import (
    Engagement,
    EngagementOrganisation,
    EngagementOutput,
    EngagementPartner,
    EngagementSegment,
    Feedback,
    FeedbackDecision,
    Opportunity,
    OpportunitySignup,
    Organisation,
    ProducerTeam,
    StatisticalOutput,
    TeamPublicVersion,
    Theme,
    UpcomingChange,
)
from storage.types import table_of
from storage.workspaces import SINGLE_WORKSPACE, WORKSPACE_KEY

_VERSIONS = table_of(TeamPublicVersion)
_TEAMS = table_of(ProducerTeam)
# The team's records its pages and feeds show, by their `team_id` (a link's is empty until
# its engagement's is copied onto it, after the flush: the engagement is in it too); not its
# bookkeeping (deliveries, subscriptions, members, insights), which ticks write all the time.
_OWNED = (
    StatisticalOutput,
    UpcomingChange,
    Opportunity,
    Engagement,
    EngagementOutput,
    EngagementSegment,
    EngagementOrganisation,
    EngagementPartner,
    Feedback,
)
# Records of the workspace that a team's pages name: a change to one is a change to all.
_NAMED = (Organisation, Theme)
_THROUGH = (OpportunitySignup, FeedbackDecision)  # a team's through their opportunity, item


def keep_public_versions_current(session_class: type[Session]) -> None:
    """Bump the public version of every team whose records a flush or a bulk statement of a
    session of `session_class` writes."""
    event.listen(session_class, "after_flush", _bump_after_flush)
    event.listen(session_class, "do_orm_execute", _bump_on_bulk)


def _bump_after_flush(session: Session, _context: Any) -> None:
    teams: set[int] = set()
    workspaces: set[str] = set()
    opportunities: set[int] = set()
    items: set[int] = set()
    for record in (*session.new, *session.dirty, *session.deleted):
        if isinstance(record, ProducerTeam):
            if record.id is not None:
                teams.add(record.id)
        elif isinstance(record, OpportunitySignup):
            opportunities.add(record.opportunity_id)
        elif isinstance(record, FeedbackDecision):
            items.add(record.feedback_id)
        elif isinstance(record, _NAMED):
            if record not in session.new:  # a new one is on no page before a record names it
                workspaces.add(record.workspace_id or SINGLE_WORKSPACE)
        elif isinstance(record, _OWNED) and record.team_id is not None:
            teams.add(record.team_id)
    if opportunities:
        teams.update(_teams_of(session, Opportunity, opportunities))
    if items:
        teams.update(_teams_of(session, Feedback, items))
    if teams:
        _bump(session, select(_TEAMS.c.id).where(_TEAMS.c.id.in_(sorted(teams))))
    if workspaces:
        _bump(session, select(_TEAMS.c.id).where(_TEAMS.c.workspace_id.in_(sorted(workspaces))))


def _bump_on_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    if state.bind_mapper.class_ in (ProducerTeam, *_OWNED, *_NAMED, *_THROUGH):
        # Every team of the session's workspace: a bulk statement names its rows by a
        # WHERE, not by team, and those on these tables are rare (an erasure).
        workspace = state.session.info.get(WORKSPACE_KEY, SINGLE_WORKSPACE)
        teams = select(_TEAMS.c.id).where(_TEAMS.c.workspace_id == workspace)
        _bump(state.session, teams)  # type: ignore[arg-type]  # sqlmodel's Session, in fact


def _teams_of(session: Session, model: type[Opportunity | Feedback], ids: set[int]) -> set[int]:
    table = table_of(model)
    found = session.connection().execute(select(table.c.team_id).where(table.c.id.in_(sorted(ids))))
    return set(found.scalars())


def _bump(session: Session, teams: Select[Any]) -> None:
    """One more on the version of each team `teams` selects (its ids), as of now."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(_VERSIONS).from_select(
        ["team_id", "version", "changed_at"],
        # In the teams' order: two transactions bumping the same teams lock them in the same
        # order (PostgreSQL), and so never wait for each other the other way round.
        teams.add_columns(literal(1), literal(utc_now(), _VERSIONS.c.changed_at.type)).order_by(
            _TEAMS.c.id
        ),
    )
    session.connection().execute(
        statement.on_conflict_do_update(
            index_elements=["team_id"],
            set_={
                "version": _VERSIONS.c.version + 1,
                "changed_at": statement.excluded.changed_at,
            },
        )
    )
