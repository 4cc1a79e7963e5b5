"""Links in emails that act without a login (confirm a subscription, unsubscribe): signed,
so that nobody can make one for another's subscription, and expiring.

A token is itsdangerous's URL-safe, timestamped signature of what it acts on (the
subscription's workspace and id), salted with its purpose, so a confirm token is never an
unsubscribe token. Its time is the one clock's (`storage/clock.py`), so tests and the
console's `:time` age it as they move the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from storage.clock import utc_now

CONFIRM, UNSUBSCRIBE = "confirm", "unsubscribe"
# How long each link works. A confirmation is asked for now; an unsubscribe link stays in
# an inbox a while, and each email carries a new one.
LIFETIMES = {CONFIRM: timedelta(days=7), UNSUBSCRIBE: timedelta(days=365)}


class _ClockedSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(utc_now().timestamp())


@dataclass(frozen=True)
class Subject:
    """What a token acts on: a subscription, by its workspace and id."""

    workspace_id: str
    record_id: int


class SignedLinks:
    """Makes and reads the tokens of one secret (ENGAGEBOT_SECRET_KEY)."""

    def __init__(self, secret_key: str) -> None:
        self._secret_key = secret_key

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            self._secret_key, salt=f"engagebot-{purpose}", signer=_ClockedSigner
        )

    def token(self, purpose: str, subject: Subject) -> str:
        return str(self._serializer(purpose).dumps([subject.workspace_id, subject.record_id]))

    def read(self, purpose: str, token: str) -> Subject | None:
        """What `token` acts on, if it is ours, for `purpose`, and not expired; else None."""
        max_age = int(LIFETIMES[purpose].total_seconds())
        try:
            value: Any = self._serializer(purpose).loads(token, max_age=max_age)
        except BadSignature:  # forged, altered, expired (SignatureExpired) or not base64
            return None
        match value:
            case [str(workspace_id), int(record_id)] if len(token) < 500:
                return Subject(workspace_id, record_id)
        return None


def site_links(secret_key: str | None) -> SignedLinks | None:
    """The signed links of ENGAGEBOT_SECRET_KEY; None without one (email is then off)."""
    return SignedLinks(secret_key) if secret_key else None
