"""The "you said, we did" digest: each period's statement, posted to a team's digest channel
at 09:00 team time on the day after the period ends
(`bot/statements/you_said_we_did.py: digest_plan` has the schedule)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.deliveries.catch_up import Skip
from bot.deliveries.scheduler import DeliveryKind, Message
from bot.statements.you_said_we_did import DIGEST, digest_plan, set_up_note, you_said_we_did
from handlers.views.statements import digest_message
from storage.models import Delivery, ProducerTeam


def _render(session: Session, delivery: Delivery, zone: ZoneInfo, at: datetime) -> Message | Skip:
    team = session.get(ProducerTeam, delivery.team_id)
    if team is None or team.digest_channel_id != delivery.target or not delivery.note:
        return Skip("the team moved its digest to another channel, or stopped it")
    period_from, period_to = (date.fromisoformat(day) for day in delivery.note.split("/"))
    statement = you_said_we_did(
        session=session, team=team, period_from=period_from, period_to=period_to
    )
    return digest_message(statement, note=set_up_note(team, period_from, zone))


KINDS: tuple[DeliveryKind, ...] = (
    DeliveryKind(DIGEST, 'the "you said, we did" digest', _render, digest_plan),
)
