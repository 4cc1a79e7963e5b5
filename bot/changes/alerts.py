"""When the alerts ahead of an upcoming change are due, and whether each still matters.

A change has four kinds of alert, each at 09:00 in its team's time zone:

- a reminder to its channels on each of the team's lead days before it takes effect
  (only those due after the change was announced or last updated: that notice covers
  the rest);
- "feedback closes tomorrow" to its channels, the day before its feedback-by date;
- "in effect from today" to its channels, on the day;
- a direct message to each person who recorded feedback on its output in the year before
  it was announced (comments on the change itself aside), on the earliest lead day (or at
  the announcement, if that is later).

A tick plans what is due as of its moment (`bot/deliveries/catch_up.py`: what fell due in
the look-back before it). A channel hears each fact once, from the reminder that speaks for the day:
the latest reminder whose day has come. A bot that was down sends the latest reminder it
missed, late and worded from the real time left; each earlier one is skipped as
overtaken by it ("overtaken by the 1-day reminder"), as is a late reminder on the day of a
later one, so "tomorrow" is said once. Reminders and direct messages are skipped once the
change is in effect, "feedback closes" once feedback has closed, and the in-effect note
more than a week after the day. Each alert is rendered when sent, from the change as it
is then, and the same rules decide again: cancelled, or moved to another date, it is
skipped. Every alert missed ends as sent or skipped, with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.clock import local_time, zone_named
from bot.deliveries.catch_up import LOOKBACK, Skip, planned_each
from bot.statements.you_said_we_did import long_date
from storage.alerts import changes_to_plan, staff_to_tell
from storage.changes import ANNOUNCED
from storage.deliveries import Due
from storage.models import Delivery, UpcomingChange
from storage.subscriptions import targets_for_change
from storage.types import flushed_id

REMINDER = "change_reminder"
FEEDBACK_CLOSES = "change_feedback_closes"
IN_EFFECT = "change_in_effect"
STAFF_MESSAGE = "change_staff_message"

DEFAULT_LEAD_DAYS = (28, 7, 1)
MAX_LEAD_DAYS = 365
ALERT_HOUR = 9
# How long after a change takes effect a bot that was down still sends the in-effect note.
IN_EFFECT_CATCH_UP = timedelta(days=7)


def lead_days(text: str | None) -> tuple[int, ...]:
    """A team's lead days ("28,7,1"), longest first; anything unreadable is ignored, and
    with nothing readable left (or nothing set) the default is used."""
    parts = re.split(r"[\s,;]+", text or "")
    days = {int(part) for part in parts if re.fullmatch(r"[0-9]+", part)}
    chosen = sorted((day for day in days if 0 < day <= MAX_LEAD_DAYS), reverse=True)
    return tuple(chosen) or DEFAULT_LEAD_DAYS


@dataclass(frozen=True)
class ChangeTiming:
    """What a change's alerts are timed by."""

    effective_on: date
    feedback_by: date | None
    announced_at: datetime
    last_told_at: datetime  # the latest announcement or update notice
    zone: ZoneInfo
    lead_days: tuple[int, ...]

    @classmethod
    def of(cls, change: UpcomingChange, zone: ZoneInfo) -> ChangeTiming:
        return cls(
            effective_on=change.effective_on,
            feedback_by=change.feedback_by,
            announced_at=change.created_at,
            last_told_at=change.updated_at,
            zone=zone,
            lead_days=lead_days(change.team.alert_lead_days),
        )

    def at_nine(self, day: date) -> datetime:
        return local_time(day, ALERT_HOUR, self.zone)

    def today(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()


@dataclass(frozen=True)
class Alert:
    kind: str
    due_at: datetime
    # The date it tells of (the effective or feedback-by date); a reminder for a date that
    # has since moved no longer matters. None for direct messages, which follow the change.
    about: date | None
    lead_days: int | None = None


def scheduled_alerts(timing: ChangeTiming) -> list[Alert]:
    """Every alert of a change, at its planned moment."""
    effective = timing.effective_on
    ahead = [
        Alert(REMINDER, timing.at_nine(effective - timedelta(days=lead)), effective, lead)
        for lead in timing.lead_days
    ]
    if timing.feedback_by is not None:
        closes = timing.at_nine(timing.feedback_by - timedelta(days=1))
        ahead.append(Alert(FEEDBACK_CLOSES, closes, timing.feedback_by))
    earliest = timing.at_nine(effective - timedelta(days=max(timing.lead_days)))
    return [
        *(alert for alert in ahead if alert.due_at > timing.last_told_at),
        Alert(IN_EFFECT, timing.at_nine(effective), effective),
        Alert(STAFF_MESSAGE, max(earliest, timing.announced_at), None),
    ]


def skip_reason(alert: Alert, timing: ChangeTiming, today: date) -> str | None:
    """Why `alert` is not worth sending `today`, or None when it is."""
    effective = timing.effective_on
    if alert.kind == STAFF_MESSAGE:  # one message, whatever the date
        return None if today < effective else _took_effect(effective)
    if alert.kind == FEEDBACK_CLOSES:
        if timing.feedback_by is None:
            return "the change no longer has a feedback-by date"
        if alert.about != timing.feedback_by:
            return f"feedback now closes on {long_date(timing.feedback_by)}"
        if today > alert.about:
            return f"feedback closed on {long_date(alert.about)} before it was sent"
        return None
    if alert.about != effective:
        return f"the change was moved to {long_date(effective)}"
    if alert.kind == IN_EFFECT:
        late = today > effective + IN_EFFECT_CATCH_UP
        return f"more than a week after {_took_effect(effective)}" if late else None
    if today >= effective:
        return _took_effect(effective)
    later = overtaking(alert, timing, today)
    return None if later is None else f"overtaken by the {later.lead_days}-day reminder"


def overtaking(reminder: Alert, timing: ChangeTiming, today: date) -> Alert | None:
    """The later reminder that speaks for `today` instead of `reminder`: the latest one
    whose day has come, if later than `reminder`'s. Each reminder has its day, so a
    channel is never told the same thing twice."""
    come = [
        alert
        for alert in scheduled_alerts(timing)
        if alert.kind == REMINDER and timing.today(alert.due_at) <= today
    ]
    latest = max(come, key=lambda alert: alert.due_at, default=None)
    return latest if latest is not None and latest.due_at > reminder.due_at else None


def alerts_due(timing: ChangeTiming, at: datetime) -> list[tuple[Alert, str | None]]:
    """The alerts that fell due in the look-back to `at` (`bot/deliveries/catch_up.py`), each
    with the reason it is skipped, or None: to send."""
    today = timing.today(at)
    return [
        (alert, skip_reason(alert, timing, today))
        for alert in scheduled_alerts(timing)
        if at - LOOKBACK < alert.due_at <= at
    ]


def alert_dues(
    change: UpcomingChange,
    alerts: Sequence[tuple[Alert, str | None]],
    channels: Sequence[str],
    staff: Sequence[str],
) -> list[Due]:
    """The deliveries of `alerts` (each with its skip reason, if any): to each channel, or
    to each person for direct messages.

    Keys name the date told of, so a change moved to another date gets its alerts again.
    """
    dues = []
    for alert, reason in alerts:
        name = {
            REMINDER: f"remind:{alert.lead_days}:{alert.about}",
            FEEDBACK_CLOSES: f"closes:{alert.about}",
            IN_EFFECT: f"in-effect:{alert.about}",
            STAFF_MESSAGE: "staff",
        }[alert.kind]
        for target in staff if alert.kind == STAFF_MESSAGE else channels:
            dues.append(
                Due(
                    key=f"change:{change.id}:{name}:{target}",
                    kind=alert.kind,
                    target=target,
                    due_at=alert.due_at,
                    team_id=change.team_id,
                    subject_id=change.id,
                    lead_days=alert.lead_days,
                    note=alert.about.isoformat() if alert.about else None,
                    skip_reason=reason,
                )
            )
    return dues


def plan_alerts(session: Session, at: datetime, default_zone: ZoneInfo) -> list[Due]:
    """Every change alert that fell due in the look-back to `at`, to send or, missed and
    no longer worth sending, to skip (some may be recorded already). A change that cannot
    be planned is left out, logged (`planned_each`)."""
    # Local dates are within a day of UTC's: the query may take a day too many, never too few.
    oldest = (at - LOOKBACK).astimezone(UTC).date() - timedelta(days=1)
    changes = changes_to_plan(session=session, effective_from=oldest)
    return planned_each(changes, partial(_change_alerts, session, at, default_zone), _named)


def _change_alerts(
    session: Session, at: datetime, default_zone: ZoneInfo, change: UpcomingChange
) -> list[Due]:
    timing = ChangeTiming.of(change, zone_named(change.team.timezone, default_zone))
    alerts = alerts_due(timing, at)
    channels: list[str] = []
    if any(alert.kind != STAFF_MESSAGE for alert, _ in alerts):
        channels = targets_for_change(session=session, change=change)
    staff: list[str] = []
    if any(alert.kind == STAFF_MESSAGE for alert, _ in alerts):
        announced = timing.today(timing.announced_at)
        staff = staff_to_tell(
            session=session,
            change_id=flushed_id(change),
            output_id=change.output_id,
            received_from=_a_year_before(announced),
            received_to=announced,
        )
    return alert_dues(change, alerts, channels, staff)


def _named(change: UpcomingChange) -> str:
    return f"change {change.id}, taking effect on {change.effective_on.isoformat()}"


@dataclass(frozen=True)
class ChangeNotice:
    """What an alert tells of a change, as of the day it is sent."""

    change_id: int
    title: str
    description: str
    output: str
    effective_on: date
    feedback_by: date | None
    today: date


def notice_to_send(
    session: Session, delivery: Delivery, zone: ZoneInfo, at: datetime
) -> ChangeNotice | Skip:
    """What the alert `delivery` says when sent as of `at`, or why it is skipped."""
    change = session.get(UpcomingChange, delivery.subject_id) if delivery.subject_id else None
    if change is None:
        return Skip("the change no longer exists")
    if change.status != ANNOUNCED:
        return Skip("the change was cancelled")
    timing = ChangeTiming.of(change, zone)
    about = date.fromisoformat(delivery.note) if delivery.note else None
    alert = Alert(delivery.kind, delivery.due_at, about, delivery.lead_days)
    today = timing.today(at)
    reason = skip_reason(alert, timing, today)
    if reason is not None:
        return Skip(reason)
    return ChangeNotice(
        change_id=flushed_id(change),
        title=change.title,
        description=change.description,
        output=change.output.name,
        effective_on=change.effective_on,
        feedback_by=change.feedback_by,
        today=today,
    )


def _took_effect(effective_on: date) -> str:
    return f"the change took effect on {long_date(effective_on)}"


def _a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
