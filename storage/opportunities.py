"""Queries over engagement opportunities and the places people have taken on them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.deliveries import SENT
from storage.models import Delivery, Opportunity, OpportunitySignup

OPEN, CANCELLED = "open", "cancelled"  # an opportunity's status


def opportunity_from_source(*, session: Session, source_key: str) -> Opportunity | None:
    """The opportunity a Slack request (identified by `source_key`) already created, if any."""
    return session.exec(select(Opportunity).where(Opportunity.source_key == source_key)).first()


def locked_opportunity(*, session: Session, opportunity_id: int) -> Opportunity | None:
    """The opportunity, its row locked until the transaction ends (PostgreSQL; SQLite
    ignores the lock), so places are counted and taken by one person at a time."""
    return session.exec(
        select(Opportunity).where(Opportunity.id == opportunity_id).with_for_update()
    ).first()


def signup_of(*, session: Session, opportunity_id: int, user_id: str) -> OpportunitySignup | None:
    """The person's sign-up, active or withdrawn, if they ever signed up."""
    return session.exec(
        select(OpportunitySignup).where(
            OpportunitySignup.opportunity_id == opportunity_id,
            OpportunitySignup.user_id == user_id,
        )
    ).first()


def active_signup_count(*, session: Session, opportunity_id: int) -> int:
    """How many places are taken."""
    return session.exec(
        select(func.count()).where(
            OpportunitySignup.opportunity_id == opportunity_id,
            col(OpportunitySignup.withdrawn_at).is_(None),
        )
    ).one()


def signed_up(*, session: Session, opportunity_id: int) -> list[str]:
    """Who holds a place, first to sign up first."""
    return list(
        session.exec(
            select(OpportunitySignup.user_id)
            .where(
                OpportunitySignup.opportunity_id == opportunity_id,
                col(OpportunitySignup.withdrawn_at).is_(None),
            )
            .order_by(col(OpportunitySignup.signed_up_at), col(OpportunitySignup.id))
        ).all()
    )


def upcoming_opportunities(
    *, session: Session, team_id: int, today: date, limit: int
) -> list[tuple[Opportunity, int]]:
    """The team's open opportunities from `today` on, soonest first, with places taken."""
    taken = (
        select(OpportunitySignup.opportunity_id, func.count().label("taken"))
        .where(col(OpportunitySignup.withdrawn_at).is_(None))
        .group_by(col(OpportunitySignup.opportunity_id))
        .subquery()
    )
    rows = session.exec(
        select(Opportunity, func.coalesce(taken.c.taken, 0))
        .outerjoin(taken, taken.c.opportunity_id == Opportunity.id)
        .where(
            Opportunity.team_id == team_id,
            Opportunity.status == OPEN,
            col(Opportunity.happens_on) >= today,
        )
        .order_by(col(Opportunity.happens_on), col(Opportunity.id))
        .limit(limit)
    ).all()
    return [(opportunity, count) for opportunity, count in rows]


def opportunities_between(*, session: Session, first: date, last: date) -> Sequence[Opportunity]:
    """Open opportunities taking place from `first` to `last`, for the scheduler to plan."""
    return session.exec(
        select(Opportunity).where(
            Opportunity.status == OPEN,
            col(Opportunity.happens_on) >= first,
            col(Opportunity.happens_on) <= last,
        )
    ).all()


def posted_copies(*, session: Session, opportunity_id: int, kind: str) -> list[tuple[str, str]]:
    """(channel, ts) of every post of the opportunity that went out, to update them."""
    rows = session.exec(
        select(Delivery.message_channel, Delivery.message_ts)
        .where(
            Delivery.kind == kind,
            Delivery.subject_id == opportunity_id,
            Delivery.status == SENT,
        )
        .order_by(col(Delivery.id))
    ).all()
    return [(channel, ts) for channel, ts in rows if channel and ts]
