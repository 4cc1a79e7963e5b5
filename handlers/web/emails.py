"""The emails to the public, as the scheduler sends them (`DeliveryKind.email`): the
confirmation a subscription asks for, every notice the channels get about a change, and
the reply to feedback sent from the public site (each decision's public note).

Each is worded when it is sent, in the subscriber's language, from the templates in
`templates/email/` (the HTML autoescaped; what the team wrote is printed as written), with a
link to the team's changes page and the one-click unsubscribe link (`List-Unsubscribe`).
A subscription ended or gone skips what it was owed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.links import CONFIRM, UNSUBSCRIBE, Subject
from bot.base.mail import Email, MailService
from bot.base.vocabulary import FEEDBACK_STATUSES
from bot.changes.alerts import FEEDBACK_CLOSES, IN_EFFECT, REMINDER, notice_to_send
from bot.changes.announcing import Revision
from bot.deliveries.catch_up import Skip
from bot.deliveries.scheduler import DeliveryKind
from bot.feedback.decisions import REPLY_KIND, wants_reply
from bot.mail.subscribing import CONFIRMATION_KIND
from handlers.web.rendering import ENGLISH, render
from handlers.web.site import LANGUAGE, URLS
from storage.changes import CANCELLED
from storage.email_subscriptions import feedback_of_target, subscription_of_target
from storage.models import Delivery, EmailSubscription, Feedback, FeedbackDecision, UpcomingChange
from storage.workspaces import session_workspace


def _subscriber(session: Session, delivery: Delivery) -> EmailSubscription | Skip:
    """The subscription `delivery` goes to, or why it no longer goes."""
    number = subscription_of_target(delivery.target)
    subscription = session.get(EmailSubscription, number) if number is not None else None
    if subscription is None:
        return Skip("the email subscription no longer exists")
    if subscription.unsubscribed_at is not None:
        return Skip("the subscriber unsubscribed")
    return subscription


def _url(mail: MailService, endpoint: str, language: str, **values: Any) -> str:
    """The public site's full address of `endpoint`, in `language`."""
    if language != ENGLISH:
        values[LANGUAGE] = language
    return mail.url(URLS.bind("").build(endpoint, values))


def _email(
    mail: MailService,
    session: Session,
    subscription: EmailSubscription,
    template: str,
    **context: Any,
) -> Email:
    """The email of `template` (its headline the subject) to the subscriber."""
    language = subscription.language
    subject = Subject(session_workspace(session), subscription.id or 0)
    team = subscription.team
    context |= {
        "team": team.name,
        "changes_url": _url(mail, "changes", language, address=team.public_slug)
        if team.public_slug
        else None,
        "unsubscribe_url": _url(
            mail, "unsubscribe", language, token=mail.links.token(UNSUBSCRIBE, subject)
        ),
        "confirm_url": _url(mail, "confirm", language, token=mail.links.token(CONFIRM, subject)),
    }
    context["kind"] = template
    headline = render(language, "email/headline.txt", **context).strip()
    parts = {"headline": headline, **context}
    layout = "confirm" if template == "confirm" else "change"
    return Email(
        to=subscription.email,
        subject=headline,
        text=render(language, f"email/{layout}.txt", **parts),
        html=render(language, f"email/{layout}.html", **parts),
        # The confirmation is no list's: nothing to unsubscribe from yet.
        unsubscribe_url=None if template == "confirm" else context["unsubscribe_url"],
    )


def confirmation_email(
    session: Session, delivery: Delivery, _zone: ZoneInfo, _at: datetime, mail: MailService
) -> Email | Skip:
    """The email asking the person to confirm their subscription (double opt-in)."""
    subscription = _subscriber(session, delivery)
    if isinstance(subscription, Skip):
        return subscription
    if subscription.confirmed_at is not None:
        return Skip("the subscription was confirmed already")
    output = subscription.output.name if subscription.output else None
    return _email(mail, session, subscription, "confirm", output=output)


def _change_context(change: UpcomingChange) -> dict[str, Any]:
    return {
        "title": change.title,
        "description": change.description,
        "output": change.output.name,
        "effective_on": change.effective_on,
        "feedback_by": change.feedback_by,
        "cancel_reason": change.cancel_reason,
    }


def announcement_email(
    session: Session, delivery: Delivery, _zone: ZoneInfo, _at: datetime, mail: MailService
) -> Email | Skip | None:
    """A change announced, or updated: as the channels' notice, skipped alike once the
    change is edited again or cancelled."""
    subscription = _subscriber(session, delivery)
    if isinstance(subscription, Skip):
        return subscription
    change = session.get(UpcomingChange, delivery.subject_id)
    revision = Revision.from_note(delivery.note)
    if change is None or change.status == CANCELLED or revision is None:
        return None
    if revision.number != change.revision:
        return None  # edited again since: the later notice tells what is true now
    template = "updated" if revision.number > 1 else "announced"
    return _email(mail, session, subscription, template, **_change_context(change))


def cancellation_email(
    session: Session, delivery: Delivery, _zone: ZoneInfo, _at: datetime, mail: MailService
) -> Email | Skip | None:
    """A change cancelled, and why."""
    subscription = _subscriber(session, delivery)
    if isinstance(subscription, Skip):
        return subscription
    change = session.get(UpcomingChange, delivery.subject_id)
    if change is None or change.status != CANCELLED:
        return None
    return _email(mail, session, subscription, "cancelled", **_change_context(change))


ALERT_TEMPLATES = {REMINDER: "reminder", FEEDBACK_CLOSES: "feedback_closes", IN_EFFECT: "in_effect"}


def alert_email(
    session: Session, delivery: Delivery, zone: ZoneInfo, at: datetime, mail: MailService
) -> Email | Skip:
    """A reminder, "feedback closes" or "in effect": skipped by the same rules as the
    channels' (`bot/changes/alerts.py: notice_to_send`)."""
    subscription = _subscriber(session, delivery)
    if isinstance(subscription, Skip):
        return subscription
    notice = notice_to_send(session, delivery, zone, at)
    if isinstance(notice, Skip):
        return notice
    change = session.get(UpcomingChange, notice.change_id)
    assert change is not None  # notice_to_send read it
    context = _change_context(change) | {"today": notice.today}
    return _email(mail, session, subscription, ALERT_TEMPLATES[delivery.kind], **context)


def reply_email(
    session: Session, delivery: Delivery, _zone: ZoneInfo, _at: datetime, mail: MailService
) -> Email | Skip:
    """A decision's public note, to who sent the feedback from the public site and asked
    for a reply (`bot/feedback/decisions.py: wants_reply`), as long as they still do."""
    number = feedback_of_target(delivery.target)
    item = session.get(Feedback, number) if number is not None else None
    decision = session.get(FeedbackDecision, delivery.subject_id) if delivery.subject_id else None
    if item is None or decision is None:
        return Skip("the feedback, or its decision, no longer exists")
    if not (wants_reply(item) and item.contact_email):
        return Skip("its sender's email address was erased")
    team = item.team
    statement = (
        _url(mail, "you_said_we_did", ENGLISH, address=team.public_slug)
        if team.public_slug
        else None
    )
    context = {
        "team": team.name,
        "said": item.text,
        "status": FEEDBACK_STATUSES.get(decision.to_status, decision.to_status),
        "note": decision.note or "",
        "statement_url": statement,
    }
    return Email(
        to=item.contact_email,
        subject=render(ENGLISH, "email/reply_subject.txt", **context).strip(),
        text=render(ENGLISH, "email/reply.txt", **context),
        html=render(ENGLISH, "email/reply.html", **context),
    )


def _never_posted(_session: Session, _delivery: Delivery, _zone: ZoneInfo, _at: datetime) -> Skip:
    return Skip("only ever emailed")


KINDS: tuple[DeliveryKind, ...] = (
    DeliveryKind(
        CONFIRMATION_KIND,
        "an email asking to confirm a subscription",
        _never_posted,
        email=confirmation_email,
    ),
    DeliveryKind(
        REPLY_KIND,
        "an email telling who sent feedback what was decided",
        _never_posted,
        email=reply_email,
    ),
)
