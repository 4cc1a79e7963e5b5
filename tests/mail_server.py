"""A real SMTP server on localhost (aiosmtpd) that records what it is sent: the tests'
mail service, as the fake Slack is their Slack. It can refuse the next emails, as a server
busy for a while does (451), to test the retries."""

from __future__ import annotations

import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.e2e.helpers import WAIT_SECONDS


class MailServer:
    """What the server was sent, in order; `refuse(n)` answers the next n emails 451."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self._refusing = 0
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=_free_port())

    @property
    def url(self) -> str:
        return f"smtp://{self._controller.hostname}:{self._controller.port}"

    def refuse(self, count: int) -> None:
        with self._lock:
            self._refusing = count

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        with self._lock:
            if self._refusing:
                self._refusing -= 1
                return "451 4.3.0 Try again later"
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(message)
        return "250 OK"

    def wait_for(self, count: int) -> list[EmailMessage]:
        """The first `count` emails received, once they have come."""
        deadline = time.monotonic() + WAIT_SECONDS
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} email(s) came, not {count}")
            time.sleep(0.02)
        return self.received[:count]

    def __enter__(self) -> MailServer:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()


def _free_port() -> int:
    # aiosmtpd checks its server by connecting to the port it was given: not 0.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def body(message: EmailMessage, subtype: str = "plain") -> str:
    """The text (or "html") part of `message`."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]
