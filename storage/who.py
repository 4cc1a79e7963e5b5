"""Which teams engaged with an organisation or an audience segment, when and how: counted in
SQL, one row per team (or per team and method, per team and partner)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import (
    Engagement,
    EngagementOrganisation,
    EngagementPartner,
    EngagementSegment,
    Feedback,
    ProducerTeam,
)


@dataclass(frozen=True)
class Subject:
    """What is asked about: one organisation or one segment, from `since` on (None: ever)."""

    organisation_id: int | None = None
    segment_id: int | None = None
    since: date | None = None


@dataclass
class TeamEngagements:
    team: str
    count: int
    last: date
    methods: list[tuple[str, int]] = field(default_factory=list)  # most used first
    partners: list[str] = field(default_factory=list)  # by name


@dataclass(frozen=True)
class TeamFeedback:
    team: str
    count: int
    last: date


def engagements_by_team(*, session: Session, subject: Subject) -> list[TeamEngagements]:
    """Per team that engaged with the subject: how often, when last, by which methods and
    with which partner teams; the latest first."""
    rows = session.exec(
        _about(
            select(
                ProducerTeam.id, ProducerTeam.name, func.count(), func.max(Engagement.occurred_on)
            )
            .select_from(Engagement)
            .join(ProducerTeam, col(ProducerTeam.id) == Engagement.team_id)
            .group_by(col(ProducerTeam.id), col(ProducerTeam.name)),
            subject,
        )
    ).all()
    teams = {team_id: TeamEngagements(name, count, last) for team_id, name, count, last in rows}
    methods = session.exec(
        _about(
            select(Engagement.team_id, Engagement.method, func.count())
            .where(col(Engagement.method).is_not(None))
            .group_by(col(Engagement.team_id), col(Engagement.method)),
            subject,
        )
    ).all()
    for team_id, method, count in sorted(methods, key=lambda row: (-row[2], row[1])):
        teams[team_id].methods.append((method, count))
    partner = aliased(ProducerTeam)
    partners = session.exec(
        _about(
            select(Engagement.team_id, partner.name)
            .join(EngagementPartner, col(EngagementPartner.engagement_id) == Engagement.id)
            .join(partner, col(partner.id) == EngagementPartner.team_id)
            .group_by(col(Engagement.team_id), col(partner.name)),
            subject,
        )
    ).all()
    for team_id, name in sorted(partners, key=lambda row: row[1].lower()):
        teams[team_id].partners.append(name)
    return sorted(teams.values(), key=lambda team: (-team.last.toordinal(), team.team.lower()))


def feedback_by_team(*, session: Session, subject: Subject) -> list[TeamFeedback]:
    """Per team that received feedback from the subject (merged items aside): how many
    items and when the latest came in; the latest first."""
    about = (
        Feedback.organisation_id == subject.organisation_id
        if subject.organisation_id is not None
        else Feedback.segment_id == subject.segment_id
    )
    since = [col(Feedback.received_on) >= subject.since] if subject.since else []
    rows = session.exec(
        select(ProducerTeam.name, func.count(), func.max(Feedback.received_on))
        .select_from(Feedback)
        .join(ProducerTeam, col(ProducerTeam.id) == Feedback.team_id)
        .where(about, col(Feedback.merged_into_id).is_(None), *since)
        .group_by(col(ProducerTeam.id), col(ProducerTeam.name))
    ).all()
    found = [TeamFeedback(name, count, last) for name, count, last in rows]
    return sorted(found, key=lambda team: (-team.last.toordinal(), team.team.lower()))


def _about(statement: Any, subject: Subject) -> Any:
    """`statement` over engagements narrowed to those with the subject, since its day."""
    if subject.organisation_id is not None:
        statement = statement.join(
            EngagementOrganisation, col(EngagementOrganisation.engagement_id) == Engagement.id
        ).where(EngagementOrganisation.organisation_id == subject.organisation_id)
    else:
        statement = statement.join(
            EngagementSegment, col(EngagementSegment.engagement_id) == Engagement.id
        ).where(EngagementSegment.segment_id == subject.segment_id)
    if subject.since is not None:
        statement = statement.where(col(Engagement.occurred_on) >= subject.since)
    return statement
