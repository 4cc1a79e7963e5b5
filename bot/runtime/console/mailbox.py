"""The console's email service: the emails the bot would send are kept here, to be shown
as they come and by `:mail`, and never leave the machine."""

from __future__ import annotations

import secrets
import threading

from bot.base.config import Settings
from bot.base.links import SignedLinks
from bot.base.mail import Email, MailService

CONSOLE_SENDER = "engagebot console <engagebot@localhost>"
CONSOLE_SITE = "http://localhost/"  # the links' address when ENGAGEBOT_PUBLIC_URL is unset


class Mailbox:
    """A `Mailer` that keeps each email, in the order sent."""

    def __init__(self) -> None:
        self.sent: list[Email] = []
        self._lock = threading.Lock()

    def send(self, email: Email, key: str) -> None:
        with self._lock:
            self.sent.append(email)

    def since(self, count: int) -> list[Email]:
        """The emails after the first `count`."""
        with self._lock:
            return self.sent[count:]

    def service(self, settings: Settings) -> MailService:
        """Email through this mailbox, its links signed with the settings' key (or, without
        one, a key made for this run) and pointing at their public site."""
        key = settings.secret_key or secrets.token_urlsafe(32)
        return MailService(
            self, CONSOLE_SENDER, settings.public_url or CONSOLE_SITE, SignedLinks(key)
        )


def email_text(email: Email) -> str:
    """An email as the console shows it."""
    return f"To: {email.to}\nSubject: {email.subject}\n\n{email.text.rstrip()}"
