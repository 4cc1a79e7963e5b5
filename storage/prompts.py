"""Queries behind the prompts to engage about an output overdue for engagement
(`bot/engagements/prompts.py`); which outputs are overdue is the review's query
(`storage/review.py: outputs_overdue`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import exists, func, select
from sqlmodel import Session, col

from storage.models import (
    AudienceSegment,
    Engagement,
    EngagementOutput,
    EngagementSegment,
    ProducerTeam,
    StatisticalOutput,
)
from storage.types import fetch


def teams_to_prompt(*, session: Session) -> Sequence[ProducerTeam]:
    """Teams with a home channel (where prompts go) and at least one output, by id."""
    return session.scalars(
        select(ProducerTeam)
        .where(
            col(ProducerTeam.home_channel_id).is_not(None),
            exists().where(col(StatisticalOutput.team_id) == ProducerTeam.id),
        )
        .order_by(col(ProducerTeam.id))
    ).all()


def last_engagement(*, session: Session, output_id: int, until: date) -> date | None:
    """The day of the output's last engagement on or before `until`; None: never."""
    return fetch(
        session,
        select(func.max(col(Engagement.occurred_on)))
        .join(EngagementOutput, col(EngagementOutput.engagement_id) == Engagement.id)
        .where(col(EngagementOutput.output_id) == output_id, col(Engagement.occurred_on) <= until),
    ).scalar_one()


def segments_not_heard(*, session: Session, output_id: int, first: date, last: date) -> list[str]:
    """The taxonomy's segments, in its order, that no engagement about the output dated
    from `first` to `last` reached."""
    heard = (
        select(col(EngagementSegment.segment_id))
        .join(Engagement, col(Engagement.id) == EngagementSegment.engagement_id)
        .join(EngagementOutput, col(EngagementOutput.engagement_id) == Engagement.id)
        .where(
            col(EngagementOutput.output_id) == output_id,
            col(Engagement.occurred_on).between(first, last),
        )
    )
    return list(
        session.scalars(
            select(col(AudienceSegment.name))
            .where(col(AudienceSegment.id).not_in(heard))
            .order_by(col(AudienceSegment.position), col(AudienceSegment.name))
        )
    )
