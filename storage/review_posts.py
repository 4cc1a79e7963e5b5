"""Queries behind the review posts: which teams get one, and whom a team could ask about
the audience segments it has not heard from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session, col

from storage.models import AudienceSegment, EngagementOrganisation, Organisation, ProducerTeam
from storage.types import fetch


def teams_with_review_channel(*, session: Session) -> Sequence[ProducerTeam]:
    """Teams that have a channel for their review, by id."""
    return session.scalars(
        select(ProducerTeam)
        .where(col(ProducerTeam.review_channel_id).is_not(None))
        .order_by(col(ProducerTeam.id))
    ).all()


def organisations_in_segments(
    *,
    session: Session,
    segments: Sequence[str],
    not_team_id: int,
    first: date,
    last: date,
    per_segment: int,
) -> dict[str, list[tuple[str, int]]]:
    """For each segment named, the organisations of that segment (their own, the
    register's) that other teams' engagements dated from `first` to `last` named, with how
    many engagements: most first, then by name, at most `per_segment` each. Segments with
    none are left out. Whatever the segments an engagement names, it counts only for its
    organisations' own.

    The organisations are counted from their engagement links (the links' copy of the
    team and day) and ranked per segment in the database.
    """
    if not segments:
        return {}
    engagements = func.count()
    link = EngagementOrganisation
    counts = (
        select(
            col(AudienceSegment.name).label("segment"),
            col(Organisation.name).label("organisation"),
            engagements.label("engagements"),
        )
        .select_from(Organisation)
        .join(AudienceSegment, col(AudienceSegment.id) == Organisation.segment_id)
        .join(link, col(link.organisation_id) == Organisation.id)
        .where(
            col(AudienceSegment.name).in_(segments),
            col(link.team_id) != not_team_id,
            col(link.occurred_on).between(first, last),
        )
        .group_by(col(AudienceSegment.name), col(Organisation.id), col(Organisation.name))
        .subquery()
    )
    rank = (
        func.row_number()
        .over(
            partition_by=counts.c.segment,
            order_by=(counts.c.engagements.desc(), counts.c.organisation),
        )
        .label("rank")
    )
    ranked = select(counts, rank).subquery()
    rows = fetch(
        session,
        select(ranked.c.segment, ranked.c.organisation, ranked.c.engagements)
        .where(ranked.c.rank <= per_segment)
        .order_by(ranked.c.segment, ranked.c.rank),
    ).all()
    found: dict[str, list[tuple[str, int]]] = {}
    for row in rows:
        found.setdefault(row.segment, []).append((row.organisation, row.engagements))
    return found
