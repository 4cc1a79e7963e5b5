"""The console's made-up Slack ids for people and channels, kept between runs."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from storage.models import ConsoleIdentity

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
