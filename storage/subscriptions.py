"""Which channels hear about a team's changes: its home channel and its subscribers."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, select

from storage.models import ProducerTeam, Subscription, UpcomingChange


def channels_for_change(*, session: Session, change: UpcomingChange) -> list[str]:
    """The team's home channel, then every channel subscribed to the team or the output."""
    team = session.get(ProducerTeam, change.team_id)
    subscribed = session.exec(
        select(Subscription.channel_id)
        .where(
            Subscription.team_id == change.team_id,
            Subscription.active,
            or_(
                col(Subscription.output_id).is_(None),
                col(Subscription.output_id) == change.output_id,
            ),
        )
        .order_by(col(Subscription.created_at), col(Subscription.id))
    ).all()
    home = [team.home_channel_id] if team and team.home_channel_id else []
    return list(dict.fromkeys([*home, *subscribed]))
