"""Queries over producer teams, their outputs and members, and which team a person works in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.clock import utc_now
from storage.models import (
    EngagementOutput,
    Feedback,
    ProducerTeam,
    StatisticalOutput,
    Subscription,
    TeamMember,
    UpcomingChange,
    UserPreference,
)


def list_teams(*, session: Session, query: str = "", limit: int = 100) -> Sequence[ProducerTeam]:
    statement = select(ProducerTeam).order_by(col(ProducerTeam.name)).limit(limit)
    if query:
        statement = statement.where(
            func.lower(ProducerTeam.name).contains(query.lower(), autoescape=True)
        )
    return session.exec(statement).all()


def team_named(*, session: Session, name: str) -> ProducerTeam | None:
    return session.exec(
        select(ProducerTeam).where(func.lower(ProducerTeam.name) == name.strip().lower())
    ).first()


def team_for_channel(*, session: Session, channel_id: str) -> ProducerTeam | None:
    return session.exec(
        select(ProducerTeam).where(ProducerTeam.home_channel_id == channel_id)
    ).first()


def team_for_person(
    *, session: Session, channel_id: str | None, user_id: str
) -> ProducerTeam | None:
    """The team whose home channel this is, else the team the person last recorded for."""
    if channel_id:
        team = team_for_channel(session=session, channel_id=channel_id)
        if team is not None:
            return team
    preference = _preference(session, user_id)
    if preference is None or preference.last_team_id is None:
        return None
    return session.get(ProducerTeam, preference.last_team_id)


def remember_team(*, session: Session, user_id: str, team_id: int) -> None:
    """Remember `team_id` as the team `user_id` last recorded for: one statement, an upsert,
    which writes only if the team changed. A read then a write would let two first records
    of one person's, saved at once (two processes, two command threads), both insert the
    row, and the second save fail on its key."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = utc_now()
    session.execute(
        insert(UserPreference)
        .values(slack_user_id=user_id, last_team_id=team_id, updated_at=now)
        .on_conflict_do_update(
            index_elements=["slack_user_id", "workspace_id"],
            set_={"last_team_id": team_id, "updated_at": now},
            where=col(UserPreference.last_team_id).is_distinct_from(team_id),
        )
    )


def _preference(session: Session, user_id: str) -> UserPreference | None:
    return session.exec(
        select(UserPreference).where(UserPreference.slack_user_id == user_id)
    ).first()


def outputs_in_use(*, session: Session, output_ids: Sequence[int]) -> dict[int, int]:
    """How many engagements, feedback items, upcoming changes and subscriptions (ended
    ones too: they are the channel's history) refer to each of these outputs."""
    if not output_ids:
        return {}
    counts: dict[int, int] = {}
    for column in (
        col(EngagementOutput.output_id),
        col(Feedback.output_id),
        col(UpcomingChange.output_id),
        col(Subscription.output_id),
    ):
        statement = select(column, func.count()).where(column.in_(output_ids)).group_by(column)
        for output_id, count in session.exec(statement):
            # Some of these columns may be empty, but not in rows chosen by `output_ids`.
            counts[cast(int, output_id)] = counts.get(cast(int, output_id), 0) + count
    return counts


@dataclass(frozen=True)
class WantedOutput:
    """An output a team lists: `was` the name of one it renames, `retired` whether it is."""

    name: str
    profile: str
    retired: bool = False
    was: str | None = None


def replace_outputs(
    *, session: Session, team: ProducerTeam, outputs: Sequence[WantedOutput]
) -> None:
    """Make the team's outputs exactly `outputs`, keeping the ids of those kept by name or
    renamed (`was`); a newly retired one is stamped now, one listed again unstamped."""
    current = {output.name.lower(): output for output in team.outputs}
    kept_keys = {(wanted.was or wanted.name).lower() for wanted in outputs}
    for key, output in current.items():
        if key not in kept_keys:
            session.delete(output)
    session.flush()
    assert team.id is not None
    now = utc_now()
    for wanted in outputs:
        kept = current.get((wanted.was or wanted.name).lower())
        if kept is None:
            kept = StatisticalOutput(team_id=team.id, name=wanted.name, profile=wanted.profile)
        kept.name, kept.profile = wanted.name, wanted.profile
        if not wanted.retired:
            kept.retired_at = None
        elif kept.retired_at is None:
            kept.retired_at = now
        session.add(kept)
    session.flush()
    session.refresh(team)


def teams_with_digest(*, session: Session) -> Sequence[ProducerTeam]:
    """Teams that have a channel for their "you said, we did" digest."""
    return session.exec(
        select(ProducerTeam)
        .where(col(ProducerTeam.digest_channel_id).is_not(None))
        .order_by(col(ProducerTeam.id))
    ).all()


def first_team_set_up(*, session: Session) -> datetime | None:
    """When the workspace's first team was set up (None: it has none yet)."""
    return session.exec(select(func.min(ProducerTeam.created_at))).one()


def teams_by_id(*, session: Session, ids: Sequence[int]) -> list[ProducerTeam]:
    wanted = set(ids)
    if not wanted:
        return []
    return list(session.exec(select(ProducerTeam).where(col(ProducerTeam.id).in_(wanted))))


def team_members(*, session: Session, team_id: int) -> list[str]:
    """The Slack user ids of the team's members, earliest added first (then by id)."""
    return list(
        session.exec(
            select(TeamMember.user_id)
            .where(TeamMember.team_id == team_id)
            .order_by(col(TeamMember.added_at), col(TeamMember.user_id))
        )
    )


def teams_of(*, session: Session, user_id: str) -> frozenset[int]:
    """The ids of the teams the person is a member of."""
    return frozenset(session.exec(select(TeamMember.team_id).where(TeamMember.user_id == user_id)))


def replace_members(
    *, session: Session, team_id: int, user_ids: Sequence[str], added_by: str | None
) -> None:
    """Make the team's members exactly `user_ids`; members kept keep when they were added."""
    current = {
        member.user_id: member
        for member in session.exec(select(TeamMember).where(TeamMember.team_id == team_id))
    }
    for user_id, member in current.items():
        if user_id not in user_ids:
            session.delete(member)
    now = utc_now()
    for user_id in dict.fromkeys(user_ids):
        if user_id not in current:
            session.add(
                TeamMember(team_id=team_id, user_id=user_id, added_at=now, added_by=added_by)
            )
    session.flush()
