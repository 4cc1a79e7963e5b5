"""Scheduled work: each kind of due work finds what is due as of a moment and delivers it.

Features that send things on a schedule add a `DueWork` function to `DUE_WORK`. Every
runner calls `run_due_work`: `engagebot console`'s :tick and :time today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient

from storage.database import Database

# (as of this moment, database, Slack client) -> how many deliveries were made.
DueWork = Callable[[datetime, Database, WebClient], int]
DUE_WORK: list[DueWork] = []


def run_due_work(*, at: datetime, database: Database, client: WebClient) -> int:
    """Deliver everything due as of `at`; return how many deliveries were made."""
    return sum(work(at, database, client) for work in DUE_WORK)
