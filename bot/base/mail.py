"""Sending email: through an SMTP server (ENGAGEBOT_SMTP_URL) or GOV.UK Notify
(ENGAGEBOT_NOTIFY_API_KEY), as the scheduler sends what it owes the subscribers
(`bot/deliveries/scheduler.py`). Neither set: email is off (`Settings.email_on`).

Each email's Message-ID is made from its delivery's key: an email sent again after a crash
(the server took it, the process stopped before noting it sent) carries the same one, so a
copy is recognisable as a copy (and many mail services keep only one).
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlparse

from bot.base.config import Settings
from bot.base.links import SignedLinks
from storage.clock import utc_now

SMTP_TIMEOUT_SECONDS = 30
# RFC 8058: a mail client's one-click unsubscribe POSTs this to the List-Unsubscribe URL.
ONE_CLICK = "List-Unsubscribe=One-Click"


@dataclass(frozen=True)
class Email:
    """One email to one person: the same words as text and as HTML."""

    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str | None = None  # List-Unsubscribe, one click (RFC 8058)


class MailRefused(Exception):
    """The mail service would not take an email; `permanent` when sending it again cannot
    help (the address is refused), else it is tried again later."""

    def __init__(self, detail: str, *, permanent: bool) -> None:
        super().__init__(detail)
        self.permanent = permanent


class Mailer(Protocol):
    """Sends an email, keyed for recognising copies; raises `MailRefused`."""

    def send(self, email: Email, key: str) -> None: ...


def message_id(key: str, sender: str) -> str:
    """The Message-ID of the email of the delivery `key`: the same each time it is sent."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "engagebot.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def email_message(email: Email, key: str, sender: str) -> EmailMessage:
    """`email` as a MIME message: text, with its HTML as the alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(addr_spec=email.to)
    message["Subject"] = email.subject
    message["Message-ID"] = message_id(key, sender)
    message["Date"] = format_datetime(utc_now())
    if email.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = ONE_CLICK
    message["Auto-Submitted"] = "auto-generated"  # so auto-replies stay away
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


@dataclass(frozen=True)
class SmtpMailer:
    """An SMTP server: smtp://user:password@host:587?starttls=1, or smtps://host:465."""

    url: str
    sender: str
    connect: Callable[..., smtplib.SMTP] | None = None  # tests: another SMTP class

    def send(self, email: Email, key: str) -> None:
        parsed = urlparse(self.url)
        secure = parsed.scheme == "smtps"
        options = {name: values[-1] for name, values in parse_qs(parsed.query).items()}
        context = ssl.create_default_context()
        opener = self.connect or (smtplib.SMTP_SSL if secure else smtplib.SMTP)
        extra: dict[str, Any] = {"context": context} if secure and self.connect is None else {}
        port = parsed.port or (465 if secure else 25)
        try:
            message = email_message(email, key, self.sender)
        except (ValueError, MessageError) as error:  # an address no header can hold
            raise MailRefused(f"the email can't be written: {error}", permanent=True) from error
        try:
            with opener(parsed.hostname or "", port, timeout=SMTP_TIMEOUT_SECONDS, **extra) as smtp:
                if options.get("starttls") in ("1", "true", "yes"):
                    smtp.starttls(context=context)
                if parsed.username:
                    smtp.login(unquote(parsed.username), unquote(parsed.password or ""))
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            detail = f"the address was refused: {sorted(refused.recipients.values())}"
            raise MailRefused(detail, permanent=True) from refused
        except smtplib.SMTPResponseException as error:
            # 5xx is the server's final answer; 4xx asks to try again later.
            permanent = 500 <= error.smtp_code < 600
            raise MailRefused(f"SMTP {error.smtp_code}", permanent=permanent) from error
        except (smtplib.SMTPException, OSError) as error:
            raise MailRefused(f"SMTP: {type(error).__name__}: {error}", permanent=False) from error


@dataclass(frozen=True)
class NotifyMailer:
    """GOV.UK Notify: one template whose subject is ((subject)) and body ((body)). Notify
    sends text only (it lays it out itself), and its own List-Unsubscribe from the link."""

    api_key: str
    template_id: str
    client: Any = field(default=None)  # tests: a stand-in for NotificationsAPIClient

    def send(self, email: Email, key: str) -> None:
        from notifications_python_client.errors import HTTPError
        from notifications_python_client.notifications import NotificationsAPIClient

        # mypy: Notify's client is untyped.
        client = self.client or NotificationsAPIClient(self.api_key)  # type: ignore[no-untyped-call]
        try:
            client.send_email_notification(
                email_address=email.to,
                template_id=self.template_id,
                personalisation={"subject": email.subject, "body": email.text},
                reference=key[:1000],
                one_click_unsubscribe_url=email.unsubscribe_url,
            )
        except HTTPError as error:
            status = int(getattr(error, "status_code", 0) or 0)
            # 400 and 403: the request or the key is wrong, and stays wrong; 429, 5xx: later.
            permanent = status in (400, 403)
            detail = f"Notify: HTTP {status}: {error.message}"
            raise MailRefused(detail, permanent=permanent) from error
        except OSError as error:
            detail = f"Notify: {type(error).__name__}: {error}"
            raise MailRefused(detail, permanent=False) from error


@dataclass(frozen=True)
class MailService:
    """What sending email needs: the mailer, who it is from, the public site's address
    (every link points there) and the signed links."""

    mailer: Mailer
    sender: str
    public_url: str
    links: SignedLinks

    def url(self, path: str) -> str:
        """The public site's address of `path` (relative to it, no leading "/")."""
        return self.public_url + path.lstrip("/")


def mail_service(settings: Settings) -> MailService | None:
    """The email service the settings set up; None when email is off."""
    if not settings.email_on:
        return None
    # Both set when email is on (Settings._email_complete).
    assert settings.secret_key is not None and settings.public_url is not None
    sender = settings.mail_from or "engagebot@notifications.service.gov.uk"
    mailer: Mailer
    if settings.smtp_url is not None:
        mailer = SmtpMailer(settings.smtp_url, sender)
    else:
        assert settings.notify_api_key is not None and settings.notify_template_id is not None
        mailer = NotifyMailer(settings.notify_api_key, settings.notify_template_id)
    return MailService(mailer, sender, settings.public_url, SignedLinks(settings.secret_key))
