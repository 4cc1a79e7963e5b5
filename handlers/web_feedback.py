"""Feedback sent from the public site (`bot/public/web_feedback.py`), posted to its team's
home channel by the delivery outbox: queued with the item, sent once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.deliveries.catch_up import Skip
from bot.deliveries.scheduler import DeliveryKind, Message
from bot.public.web_feedback import FEEDBACK_POSTED
from handlers.views.web_feedback import web_feedback_message
from storage.models import Delivery, Feedback, UpcomingChange


def _render(session: Session, delivery: Delivery, _zone: ZoneInfo, _at: datetime) -> Message | Skip:
    item = session.get(Feedback, delivery.subject_id) if delivery.subject_id else None
    if item is None:
        return Skip("the feedback was deleted before it was posted")
    change = session.get(UpcomingChange, item.change_id) if item.change_id else None
    return web_feedback_message(item, change.title if change else None)


KINDS: tuple[DeliveryKind, ...] = (
    DeliveryKind(FEEDBACK_POSTED, "feedback from the public site", _render),
)
