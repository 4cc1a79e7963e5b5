"""Each team's first day with each organisation (`TeamOrganisationContact`), kept right on
every write, so a review counts the period's new organisations from the summary instead
of the team's whole history.

Whatever writes engagements (a save or an edit from Slack, Undo, an import, a test's
fixture), it goes through a session flush, and `keep_contacts_current` hooks the flush:
before it, note the (team, organisation) pairs of the engagements about to change, as
the database holds them; after it, add the pairs those engagements hold now, and work
each noted pair's row out again from the engagements (delete it, insert the earliest
day if any engagement is left). Recomputing rather than adjusting keeps it simple and
always right: a moved day, a changed team, an organisation removed, an engagement undone.

Only ORM writes are seen: SQL run past the ORM (`bench/generate.py`'s bulk loads) must
call `rebuild_contacts` afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Insert,
    Select,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
)
from sqlmodel import Session, col

from storage.models import (
    Engagement,
    EngagementOrganisation,
    ProducerTeam,
    TeamOrganisationContact,
)
from storage.types import table_of

Pair = tuple[int, int]  # (team id, organisation id)

# What an engagement's contacts depend on: a change to anything else leaves them alone.
_CONTACT_ATTRIBUTES = ("team_id", "occurred_on", "organisations")
_PENDING = "organisation_contacts_pending"  # session.info key, between the two hooks
_CHUNK = 500  # ids per IN list, well under every driver's parameter limit
_CONTACT = table_of(TeamOrganisationContact)


def keep_contacts_current(session_class: type[Session]) -> None:
    """Recompute the contacts a flush changes, in every session of `session_class`."""
    event.listen(session_class, "before_flush", _note_pairs_before)
    event.listen(session_class, "after_flush", _refresh_pairs_after)


def rebuild_contacts(*, connection: Connection) -> None:
    """Every team's contacts worked out again from all the engagements."""
    connection.execute(delete(_CONTACT))
    connection.execute(_insert_first_days(_first_days()))


def _note_pairs_before(session: Session, _context: Any, _instances: Any) -> None:
    # Left over only if the last flush failed: its transaction was rolled back.
    session.info.pop(_PENDING, None)
    new = [item for item in session.new if isinstance(item, Engagement)]
    changed = [
        item
        for item in (*session.dirty, *session.deleted)
        if isinstance(item, Engagement)
        and (item in session.deleted or any_changed(item, _CONTACT_ATTRIBUTES))
    ]
    # Link rows written as objects of their own rather than through `organisations`.
    links = [
        item
        for item in (*session.new, *session.dirty, *session.deleted)
        if isinstance(item, EngagementOrganisation)
    ]
    if not new and not changed and not links:
        return
    ids = {item.id for item in (*new, *changed) if item.id is not None}
    ids |= {link.engagement_id for link in links}
    session.info[_PENDING] = (new, ids, _pairs_of(session, ids))


def _refresh_pairs_after(session: Session, _context: Any) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    new, ids, pairs = pending
    # New engagements have their ids now (only those given organisations have pairs);
    # deleted ones have no pairs left to find.
    ids |= {item.id for item in new if any_added(item, "organisations")}
    pairs |= _pairs_of(session, ids)
    _refresh(session.connection(), pairs)


def any_changed(item: Any, names: Sequence[str]) -> bool:
    """Whether a flush is writing a change to any of the attributes `names` of `item`."""
    state = inspect(item)
    return any(state.attrs[name].history.has_changes() for name in names)


def any_added(item: Any, collection: str) -> bool:
    """Whether a flush is adding anything to the collection `collection` of `item`."""
    return bool(inspect(item).attrs[collection].history.added)


def _pairs_of(session: Session, engagement_ids: set[int]) -> set[Pair]:
    """The (team, organisation) pairs of these engagements, as the database holds them."""
    pairs: set[Pair] = set()
    for chunk in chunks(sorted(engagement_ids)):
        rows = session.connection().execute(
            select(col(Engagement.team_id), col(EngagementOrganisation.organisation_id))
            .join(Engagement, col(Engagement.id) == EngagementOrganisation.engagement_id)
            .where(col(Engagement.id).in_(chunk))
        )
        pairs.update((team_id, organisation_id) for team_id, organisation_id in rows)
    return pairs


def _refresh(connection: Connection, pairs: set[Pair]) -> None:
    by_team: dict[int, set[int]] = defaultdict(set)
    for team_id, organisation_id in pairs:
        by_team[team_id].add(organisation_id)
    if not by_team:
        return
    # On PostgreSQL, one writer at a time recomputes a team's contacts, and each reads
    # what the one before it committed: two saves at once cannot leave a stale first day.
    # (NO KEY UPDATE does not block engagements' foreign-key checks on the team; SQLite
    # has one writer anyway and leaves the clause out.)
    connection.execute(
        select(col(ProducerTeam.id))
        .where(col(ProducerTeam.id).in_(sorted(by_team)))
        .order_by(col(ProducerTeam.id))
        .with_for_update(key_share=True)
    ).all()
    for team_id, organisation_ids in sorted(by_team.items()):
        for chunk in chunks(sorted(organisation_ids)):
            connection.execute(
                delete(_CONTACT).where(
                    _CONTACT.c.team_id == team_id, _CONTACT.c.organisation_id.in_(chunk)
                )
            )
            connection.execute(
                _insert_first_days(
                    _first_days(
                        col(Engagement.team_id) == team_id,
                        col(EngagementOrganisation.organisation_id).in_(chunk),
                    )
                )
            )


def _first_days(*where: ColumnElement[bool]) -> Select[int, int, date]:
    return (
        select(
            col(Engagement.team_id),
            col(EngagementOrganisation.organisation_id),
            func.min(col(Engagement.occurred_on)),
        )
        .join(Engagement, col(Engagement.id) == EngagementOrganisation.engagement_id)
        .where(*where)
        .group_by(col(Engagement.team_id), col(EngagementOrganisation.organisation_id))
    )


def _insert_first_days(first_days: Select[int, int, date]) -> Insert:
    return insert(_CONTACT).from_select(["team_id", "organisation_id", "first_on"], first_days)


def chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    """`ids` in lists short enough for one IN each."""
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]
