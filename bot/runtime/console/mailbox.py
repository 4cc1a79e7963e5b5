"""The console's email service: the emails the bot would send are kept here, to be shown
as they come and by `:mail`, and never leave the machine."""

from __future__ import annotations

import threading

from bot.base.config import Settings
from bot.base.links import SignedLinks
from bot.base.mail import Email, MailService

CONSOLE_SENDER = "engagebot console <engagebot@localhost>"


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
        """Email through this mailbox, its links signed with the console's key and pointing
        at its public site (the console sets both)."""
        assert settings.public_url is not None and settings.secret_key is not None
        links = SignedLinks(settings.secret_key)
        return MailService(self, CONSOLE_SENDER, settings.public_url, links)


def email_text(email: Email) -> str:
    """An email as the console shows it."""
    return f"To: {email.to}\nSubject: {email.subject}\n\n{email.text.rstrip()}"
