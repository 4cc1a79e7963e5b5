"""How many forms the public site takes from one sender: a client address, an email
address. Counted an hour at a time in the database (`storage/form_counts.py`), so every
process and replica counts the same; a sender over its limit is refused until the hour
is over."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.database import Database
from storage.form_counts import count_form, forget_counts_before

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Limit:
    """At most `most` forms a WINDOW from `sender` (`sender_of`)."""

    sender: str
    most: int


def sender_of(secret: str, kind: str, address: str) -> str:
    """The key a sender is counted by: a keyed hash of its `kind` ("client", "email") and
    `address`, so the count holds no address and cannot be matched to one without the
    secret."""
    message = f"{kind}:{address.strip().lower()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def wait_before_more(
    database: Database, limits: Sequence[Limit], now: datetime
) -> timedelta | None:
    """Count one form against each of `limits`: None if all allow it, else how long until
    the window is over. The windows before this one are forgotten on the way."""
    window_start = now.replace(minute=0, second=0, microsecond=0)
    with database.transaction() as session:
        forget_counts_before(session=session, before=window_start)
        counts = [
            (count_form(session=session, sender=limit.sender, window_start=window_start), limit)
            for limit in limits
        ]
    if all(count <= limit.most for count, limit in counts):
        return None
    return window_start + WINDOW - now
