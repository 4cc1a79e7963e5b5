"""The "you said, we did" digest: each period's statement, posted to a team's digest channel
at 09:00 team time on the day after the period ends (bot/statements.py has the schedule)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.clock import zone_named
from bot.scheduling import DeliveryKind, Message
from bot.statements import (
    DEFAULT_CADENCE,
    digest_due_at,
    digest_key,
    digest_period_due,
    you_said_we_did,
)
from handlers.views.statements import digest_message
from storage.deliveries import Due
from storage.models import Delivery, ProducerTeam
from storage.teams import teams_with_digest

DIGEST = "digest"
# A bot that was down posts a missed digest within this long; after that it is old news.
CATCH_UP = timedelta(days=7)


def _plan(session: Session, at: datetime, default_zone: ZoneInfo) -> Iterable[Due]:
    for team in teams_with_digest(session=session):
        assert team.id is not None and team.digest_channel_id is not None
        zone = zone_named(team.timezone, default_zone)
        period = digest_period_due(team.digest_cadence or DEFAULT_CADENCE, at, zone)
        if period is None or at - digest_due_at(period[1], zone) > CATCH_UP:
            continue
        yield Due(
            key=digest_key(team.id, period, team.digest_channel_id),
            kind=DIGEST,
            target=team.digest_channel_id,
            due_at=digest_due_at(period[1], zone),
            team_id=team.id,
            note=f"{period[0].isoformat()}/{period[1].isoformat()}",
        )


def _render(session: Session, delivery: Delivery, zone: ZoneInfo, at: datetime) -> Message | None:
    team = session.get(ProducerTeam, delivery.team_id)
    if team is None or team.digest_channel_id != delivery.target or not delivery.note:
        return None  # the team has moved its digest elsewhere, or stopped it
    period_from, period_to = (date.fromisoformat(day) for day in delivery.note.split("/"))
    statement = you_said_we_did(
        session=session, team=team, period_from=period_from, period_to=period_to
    )
    return digest_message(statement)


KINDS: tuple[DeliveryKind, ...] = (
    DeliveryKind(DIGEST, 'the "you said, we did" digest', _render, _plan),
)
