"""Queries behind email subscriptions (`bot/mail/subscribing.py`): who hears about a
change by email, a subscription a signed link names, those past keeping, those of an
address (erasure).

A subscriber is named in the delivery queue as "email:<subscription id>" (`email_target`),
never by the address: erasing the address leaves none behind in the queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from storage.models import EmailSubscription, UpcomingChange
from storage.workspaces import enter_workspace

EMAIL_PREFIX = "email:"


def email_target(subscription_id: int) -> str:
    """How a delivery names the subscriber of `subscription_id`."""
    return f"{EMAIL_PREFIX}{subscription_id}"


def subscription_of_target(target: str) -> int | None:
    """The subscription a delivery's target names, or None for a Slack conversation."""
    number = target.removeprefix(EMAIL_PREFIX)
    return int(number) if target.startswith(EMAIL_PREFIX) and number.isdigit() else None


REPLY_PREFIX = "reply:"


def reply_target(feedback_id: int) -> str:
    """How a delivery names the person who sent feedback item `feedback_id` and asked for a
    reply (its contact email, read when it is sent: never the address itself)."""
    return f"{REPLY_PREFIX}{feedback_id}"


def feedback_of_target(target: str) -> int | None:
    """The feedback item a reply's target names, or None."""
    number = target.removeprefix(REPLY_PREFIX)
    return int(number) if target.startswith(REPLY_PREFIX) and number.isdigit() else None


def is_emailed(target: str) -> bool:
    """Whether a delivery to `target` is an email (to a subscriber, or a reply), not a post
    to a Slack conversation."""
    return subscription_of_target(target) is not None or feedback_of_target(target) is not None


def email_targets_for_change(*, session: Session, change: UpcomingChange) -> list[str]:
    """The confirmed, still subscribed subscribers to the change's team or its output, in
    the order they subscribed, as delivery targets."""
    ids = session.exec(
        select(EmailSubscription.id)
        .where(
            EmailSubscription.team_id == change.team_id,
            col(EmailSubscription.confirmed_at).is_not(None),
            col(EmailSubscription.unsubscribed_at).is_(None),
            or_(
                col(EmailSubscription.output_id).is_(None),
                col(EmailSubscription.output_id) == change.output_id,
            ),
        )
        .order_by(col(EmailSubscription.id))
    ).all()
    return [email_target(each) for each in ids if each is not None]


def pending_subscription(
    *, session: Session, team_id: int, output_id: int | None, email: str
) -> EmailSubscription | None:
    """The address's subscription to the team (or the output) still heard or awaiting
    confirmation, if any: asking again reuses it."""
    output = (
        col(EmailSubscription.output_id).is_(None)
        if output_id is None
        else col(EmailSubscription.output_id) == output_id
    )
    return session.exec(
        select(EmailSubscription)
        .where(
            EmailSubscription.team_id == team_id,
            output,
            func.lower(EmailSubscription.email) == email.lower(),
            col(EmailSubscription.unsubscribed_at).is_(None),
        )
        .order_by(col(EmailSubscription.id).desc())
    ).first()


def subscription_in(
    *, session: Session, workspace_id: str, subscription_id: int
) -> EmailSubscription | None:
    """The subscription a signed link names, with `session` kept to its workspace from now
    on (a public page learns it from the link: `enter_workspace`)."""
    enter_workspace(session, workspace_id)
    return session.get(EmailSubscription, subscription_id)


def subscriptions_ended_before(
    *, session: Session, cutoff: datetime
) -> Sequence[EmailSubscription]:
    """Subscriptions unsubscribed, or never confirmed, since before `cutoff`."""
    return session.exec(
        select(EmailSubscription).where(
            or_(
                col(EmailSubscription.unsubscribed_at) < cutoff,
                (col(EmailSubscription.confirmed_at).is_(None))
                & (col(EmailSubscription.created_at) < cutoff),
            )
        )
    ).all()


def subscriptions_of_address(*, session: Session, email: str) -> Sequence[EmailSubscription]:
    """Every subscription of `email` (ignoring case), of every team in the workspace."""
    return session.exec(
        select(EmailSubscription)
        .where(func.lower(EmailSubscription.email) == email.lower())
        .order_by(col(EmailSubscription.id))
    ).all()
