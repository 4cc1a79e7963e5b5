"""Which channels hear about a team's changes: its home channel and its subscribers (and,
by email, its confirmed email subscribers: `targets_for_change`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from storage.email_subscriptions import email_targets_for_change
from storage.models import ProducerTeam, StatisticalOutput, Subscription, UpcomingChange


def channels_for_change(*, session: Session, change: UpcomingChange) -> list[str]:
    """The team's home channel, then every channel subscribed to the team or the output."""
    return channels_hearing(session=session, team_id=change.team_id, output_id=change.output_id)


def targets_for_change(*, session: Session, change: UpcomingChange) -> list[str]:
    """Every delivery target hearing about the change: its channels
    (`channels_for_change`), then its confirmed email subscribers ("email:<id>")."""
    return [
        *channels_for_change(session=session, change=change),
        *email_targets_for_change(session=session, change=change),
    ]


def channels_hearing(*, session: Session, team_id: int, output_id: int | None) -> list[str]:
    """The channels that hear about the team's changes (`output_id`: those of that output):
    its home channel, then every channel subscribed to the whole team or to the output,
    in the order they subscribed."""
    team = session.get(ProducerTeam, team_id)
    subscribed = session.exec(
        select(Subscription.channel_id)
        .where(
            Subscription.team_id == team_id,
            Subscription.active,
            or_(
                col(Subscription.output_id).is_(None),
                col(Subscription.output_id) == output_id,
            ),
        )
        .order_by(col(Subscription.created_at), col(Subscription.id))
    ).all()
    home = [team.home_channel_id] if team and team.home_channel_id else []
    return list(dict.fromkeys([*home, *subscribed]))


def channel_subscriptions(
    *, session: Session, channel_id: str
) -> Sequence[tuple[Subscription, ProducerTeam, StatisticalOutput | None]]:
    """The channel's active subscriptions with their team and output (None: the whole
    team), by team name, the whole team before its outputs."""
    return session.exec(
        select(Subscription, ProducerTeam, StatisticalOutput)
        .join(ProducerTeam, col(ProducerTeam.id) == Subscription.team_id)
        .outerjoin(StatisticalOutput, col(StatisticalOutput.id) == Subscription.output_id)
        .where(Subscription.channel_id == channel_id, Subscription.active)
        .order_by(
            col(ProducerTeam.name),
            col(Subscription.output_id).is_not(None),
            col(StatisticalOutput.name),
        )
    ).all()


def subscription_of(
    *, session: Session, channel_id: str, team_id: int, output_id: int | None
) -> Subscription | None:
    """The channel's subscription to the team (or one output), active or ended, if any."""
    output = (
        col(Subscription.output_id).is_(None)
        if output_id is None
        else col(Subscription.output_id) == output_id
    )
    return session.exec(
        select(Subscription)
        .where(Subscription.channel_id == channel_id, Subscription.team_id == team_id, output)
        .order_by(col(Subscription.active).desc(), col(Subscription.id).desc())
    ).first()


def outputs_named(
    *, session: Session, name: str, team_id: int | None = None
) -> Sequence[StatisticalOutput]:
    """Outputs called `name` (ignoring case and spacing), of one team or of any."""
    statement = select(StatisticalOutput).where(
        func.lower(StatisticalOutput.name) == " ".join(name.split()).lower()
    )
    if team_id is not None:
        statement = statement.where(StatisticalOutput.team_id == team_id)
    return session.exec(statement.order_by(col(StatisticalOutput.team_id))).all()
