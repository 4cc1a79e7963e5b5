"""Email subscriptions to a team's changes, with double opt-in: asked for on the public
site (`ask_to_subscribe`, which the subscribe form calls), confirmed from the link the
confirmation email carries, ended from the link every email carries (one click, RFC 8058).

Only confirmed subscriptions hear anything (`storage/email_subscriptions.py:
email_targets_for_change`, read by the plans of `bot/changes/`). Asking again for what is
already asked for sends nothing more: one confirmation email a subscription, so the form
cannot be used to flood someone's inbox. Unconfirmed and unsubscribed subscriptions are
deleted after a week (`bot/people/retention.py`), and `engagebot erase --email` deletes
an address's at once (`bot/people/erasure.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.base.validation import FieldErrors, Invalid
from bot.feedback.recording import EMAIL
from storage.database import Database
from storage.deliveries import Due, enqueue
from storage.email_subscriptions import email_target, pending_subscription
from storage.models import EmailSubscription, ProducerTeam, StatisticalOutput
from storage.public import team_at_address
from storage.types import flushed_id

# A delivery kind: the email asking the person to confirm (rendered by handlers/web/emails.py).
CONFIRMATION_KIND = "email_confirmation"
EMAIL_MAX = 254  # as stored, and as an address can be (RFC 5321)
# The languages emails are written in: the public site's (handlers/web/locale/).
LANGUAGES = ("en", "cy")


@dataclass(frozen=True)
class Asked:
    """A subscription asked for, and its confirmation email's delivery to send now (None:
    nothing new to send, as it was asked for already)."""

    subscription: EmailSubscription
    confirmation: Due | None


def ask_to_subscribe(
    *,
    session: Session,
    team: ProducerTeam,
    output: StatisticalOutput | None = None,
    email: str,
    language: str,
    now: datetime,
) -> Asked:
    """Store an unconfirmed subscription of `email` to the team's changes (or one output's)
    and queue its confirmation email; raise `Invalid` (field "email") for an address that
    cannot be one. The caller sends the confirmation (`scheduler.deliver` with its key).
    Asking again for one not yet ended returns it, and queues nothing more."""
    address = email.strip()
    errors: FieldErrors = {}
    if not address:
        errors["email"] = "Enter your email address."
    elif len(address) > EMAIL_MAX or not EMAIL.match(address) or not address.isprintable():
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    if output is not None and output.team_id != team.id:
        errors["output"] = f"Choose an output of {team.name}."
    if errors:
        raise Invalid(errors)
    team_id = flushed_id(team)
    output_id = flushed_id(output) if output is not None else None
    known = pending_subscription(
        session=session, team_id=team_id, output_id=output_id, email=address
    )
    if known is not None:
        return Asked(known, None)
    subscription = EmailSubscription(
        team_id=team_id,
        output_id=output_id,
        email=address,
        language=language if language in LANGUAGES else LANGUAGES[0],
        created_at=now,
    )
    session.add(subscription)
    session.flush()
    subscription_id = flushed_id(subscription)
    confirmation = Due(
        key=f"email:confirm:{subscription_id}",
        kind=CONFIRMATION_KIND,
        target=email_target(subscription_id),
        due_at=now,
        team_id=team_id,
        subject_id=subscription_id,
    )
    enqueue(session=session, dues=[confirmation])
    return Asked(subscription, confirmation)


def confirm(subscription: EmailSubscription, now: datetime) -> bool:
    """Confirm the subscription (its link was followed); False if it has been ended, when
    it cannot be confirmed again (the person subscribes afresh)."""
    if subscription.unsubscribed_at is not None:
        return False
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now
    return True


def unsubscribe(subscription: EmailSubscription, now: datetime) -> None:
    """End the subscription: no more email, from now (a second time changes nothing)."""
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = now


@dataclass(frozen=True)
class SubscribeForm:
    """What the subscribe form of a team's public pages offers: its current outputs."""

    team: str
    outputs: list[tuple[int, str]]


def subscribe_form(database: Database, address: str) -> SubscribeForm | None:
    """The subscribe form of the team at `address`; None if there is no such team."""
    with database.transaction() as session:
        team = team_at_address(session=session, address=address)
        if team is None:
            return None
        outputs = [(flushed_id(o), o.name) for o in team.outputs if o.retired_at is None]
        return SubscribeForm(team.name, outputs)


def subscribe_from_site(
    database: Database,
    address: str,
    *,
    email: str,
    output_id: int | None,
    language: str,
    now: datetime,
) -> bool:
    """The subscribe form sent: `ask_to_subscribe`, in one transaction, its confirmation
    queued for the scheduler's next tick; False if the team at `address` is gone. Raise
    `Invalid` (fields "email", "output") and write nothing."""
    with database.transaction() as session:
        team = team_at_address(session=session, address=address)
        if team is None:
            return False
        output = None
        if output_id is not None:
            output = next((o for o in team.outputs if o.id == output_id), None)
            if output is None or output.retired_at is not None:
                raise Invalid({"output": f"Choose an output of {team.name}."})
        ask_to_subscribe(
            session=session, team=team, output=output, email=email, language=language, now=now
        )
        return True
