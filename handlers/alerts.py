"""The alerts ahead of upcoming changes, as the scheduler delivers them (bot/changes/alerts.py says
when each is due; handlers/views/alerts.py what it says, handlers/web/emails.py what it
says by email)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.changes.alerts import (
    FEEDBACK_CLOSES,
    IN_EFFECT,
    REMINDER,
    STAFF_MESSAGE,
    ChangeNotice,
    notice_to_send,
    plan_alerts,
)
from bot.deliveries.catch_up import Skip
from bot.deliveries.scheduler import DeliveryKind, Message
from handlers.views.alerts import (
    feedback_closes_message,
    in_effect_message,
    reminder_message,
    staff_message,
)
from handlers.web.emails import alert_email
from storage.models import Delivery


def _render(
    message: Callable[[ChangeNotice], dict[str, Any]],
) -> Callable[[Session, Delivery, ZoneInfo, datetime], Message | Skip]:
    def render(
        session: Session, delivery: Delivery, zone: ZoneInfo, at: datetime
    ) -> Message | Skip:
        notice = notice_to_send(session, delivery, zone, at)
        return notice if isinstance(notice, Skip) else message(notice)

    return render


KINDS: tuple[DeliveryKind, ...] = (
    # One plan queues all four kinds: they come from the same changes.
    DeliveryKind(
        REMINDER,
        "a reminder of an upcoming change",
        _render(reminder_message),
        plan_alerts,
        email=alert_email,
    ),
    DeliveryKind(
        FEEDBACK_CLOSES,
        "a “feedback closes” reminder",
        _render(feedback_closes_message),
        email=alert_email,
    ),
    DeliveryKind(
        IN_EFFECT, "an “in effect from today” note", _render(in_effect_message), email=alert_email
    ),
    DeliveryKind(STAFF_MESSAGE, "a message about an upcoming change", _render(staff_message)),
)
