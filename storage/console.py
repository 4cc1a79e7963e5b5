"""What the console keeps between runs: the made-up Slack ids of its people and channels,
and how far its clock has been moved ahead."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from storage.models import ConsoleClock, ConsoleIdentity

ID_PREFIX = {"user": "U", "channel": "C"}


def identity_for(*, session: Session, kind: str, name: str) -> ConsoleIdentity:
    """The identity called `name`, made up (U0000001, C0000002, ...) the first time."""
    found = session.exec(
        select(ConsoleIdentity).where(ConsoleIdentity.kind == kind, ConsoleIdentity.name == name)
    ).first()
    if found is not None:
        return found
    count = session.exec(select(func.count()).select_from(ConsoleIdentity)).one()
    identity = ConsoleIdentity(slack_id=f"{ID_PREFIX[kind]}{count + 1:07d}", kind=kind, name=name)
    session.add(identity)
    session.flush()
    return identity


def identity_names(*, session: Session) -> dict[str, str]:
    """Every made-up id and its name, to show people and channels by name."""
    return {row.slack_id: row.name for row in session.exec(select(ConsoleIdentity))}


def console_clock_ahead(*, session: Session) -> timedelta:
    """How far the console's clock runs ahead of real time in this database."""
    kept = session.get(ConsoleClock, 1)
    return timedelta(seconds=kept.ahead_seconds) if kept else timedelta(0)


def keep_console_clock(*, session: Session, ahead: timedelta) -> None:
    kept = session.get(ConsoleClock, 1) or ConsoleClock()
    kept.ahead_seconds = ahead.total_seconds()
    session.add(kept)
