"""Retention: a feedback item's contact details are kept while they may be needed, and
cleared once the item has been closed for ENGAGEBOT_PERSONAL_DATA_MONTHS.

An item is closed when its status is final (done, not planned); it was closed at its latest
decision (or, for an item imported closed with no history, its last change), so an item
reopened and closed again starts the period afresh, and a reopened item keeps its contact.
An item merged into another follows the one kept: its person hears the kept item's outcome.
The scheduler applies this on every tick; it reads only the items still holding contact
details, and does nothing a second time.

An email subscription (`bot/mail/`) keeps its address while it is heard: one never
confirmed, or unsubscribed, is deleted a week after (`EMAIL_SUBSCRIPTION_KEPT`; the link
to confirm has expired by then, and a click on an old unsubscribe link still finds it).

The inbox keeps what people send only until its work is done (`handlers/inbox.py`); a
request still there after the same period (its work never finished) is deleted with it.
"""

from __future__ import annotations

import calendar
import logging
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.people.personal_data import clear_contact
from storage.email_subscriptions import subscriptions_ended_before
from storage.inbox import forget_received_before
from storage.personal_data import contacts_closed_before

logger = logging.getLogger(__name__)

EMAIL_SUBSCRIPTION_KEPT = timedelta(days=7)


def months_before(moment: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (on the month's last day when it is
    shorter: 31 March less one month is 28 or 29 February)."""
    year, month_index = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month = month_index + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def apply_retention(*, session: Session, now: datetime, months: int) -> int:
    """Clear the contact details of the items closed more than `months` before `now`
    (closed exactly that long ago: kept until the next tick), forget the requests the
    inbox received before then, and the email subscriptions ended (or never confirmed)
    more than a week ago; return how many items were cleared."""
    ended = subscriptions_ended_before(session=session, cutoff=now - EMAIL_SUBSCRIPTION_KEPT)
    for subscription in ended:
        session.delete(subscription)
    if ended:
        logger.info("deleted %d ended or unconfirmed email subscription(s)", len(ended))
    cutoff = months_before(now, months)
    forgotten = forget_received_before(session=session, before=cutoff)
    if forgotten:
        logger.warning("deleted %d request(s) left in the inbox since before %s", forgotten, cutoff)
    items = contacts_closed_before(session=session, cutoff=cutoff)
    for item in items:
        clear_contact(item, now)
        session.add(item)
    session.flush()
    if items:
        logger.info("cleared the contact details of %d closed feedback item(s)", len(items))
    return len(items)
