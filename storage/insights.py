"""Queries over insights teams share, and what the weekly cross-team digest lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Insight, Opportunity, OpportunitySignup, ProducerTeam
from storage.opportunities import OPEN


def insight_from_source(*, session: Session, source_key: str) -> Insight | None:
    """The insight a Slack request (identified by `source_key`) already created, if any."""
    return session.exec(select(Insight).where(Insight.source_key == source_key)).first()


@dataclass(frozen=True)
class SharedInsight:
    team: str
    text: str


def insights_shared_between(
    *, session: Session, start: datetime, end: datetime, limit: int
) -> tuple[list[SharedInsight], int]:
    """Insights of every team shared from `start` (inclusive) to `end`, oldest first, at
    most `limit` of them, and how many there are in all."""
    within = (col(Insight.created_at) >= start, col(Insight.created_at) < end)
    total = session.exec(select(func.count()).select_from(Insight).where(*within)).one()
    rows = session.exec(
        select(ProducerTeam.name, Insight.text)
        .select_from(Insight)
        .join(ProducerTeam, col(ProducerTeam.id) == Insight.team_id)
        .where(*within)
        .order_by(col(Insight.created_at), col(Insight.id))
        .limit(limit)
    ).all()
    return [SharedInsight(team, text) for team, text in rows], total


@dataclass(frozen=True)
class OpenOpportunity:
    title: str
    team: str
    happens_on: date
    places_left: int


def open_opportunities_between(
    *, session: Session, first: date, last: date, limit: int
) -> tuple[list[OpenOpportunity], int]:
    """Open opportunities of every team from `first` to `last` (inclusive), soonest first,
    with the places left; at most `limit` of them, and how many there are in all."""
    within = (
        Opportunity.status == OPEN,
        col(Opportunity.happens_on) >= first,
        col(Opportunity.happens_on) <= last,
    )
    total = session.exec(select(func.count()).select_from(Opportunity).where(*within)).one()
    taken = (
        select(func.count())
        .where(
            OpportunitySignup.opportunity_id == Opportunity.id,
            col(OpportunitySignup.withdrawn_at).is_(None),
        )
        .correlate(Opportunity)
        .scalar_subquery()
    )
    rows = session.exec(
        select(
            col(Opportunity.title),
            col(ProducerTeam.name),
            col(Opportunity.happens_on),
            col(Opportunity.places) - taken,
        )
        .select_from(Opportunity)
        .join(ProducerTeam, col(ProducerTeam.id) == Opportunity.team_id)
        .where(*within)
        .order_by(col(Opportunity.happens_on), col(Opportunity.id))
        .limit(limit)
    ).all()
    return [
        OpenOpportunity(title, team, day, max(left, 0)) for title, team, day, left in rows
    ], total
