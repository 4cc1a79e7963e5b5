"""The engagement's team and day copied into its output, segment and organisation links
(`EngagementCopy`), kept right on every write, so a review reads a team's links in a
period as one index range instead of looking up each of the period's engagements.

Whatever writes engagements or their links (a save or an edit from Slack, an import, a
test's fixture), it goes through a session flush, and `keep_link_copies_current` hooks it:
after the flush, the links of every engagement it wrote (or whose links it wrote) get
their engagement's team and day again. A collection (`Engagement.segments`, ...) writes
only the two ids, so a new link is filled here, in the same flush; a moved day or a
changed team reaches all the engagement's links. Undo deletes the links with the
engagement (ON DELETE CASCADE): nothing is left to copy to.

Only ORM writes are seen: SQL run past the ORM (`bench/generate.py`'s bulk loads) writes
the copies itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, ScalarSelect, Update, bindparam, event, select, update
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col

from storage.models import Engagement, EngagementOrganisation, EngagementOutput, EngagementSegment
from storage.organisation_contacts import any_added, any_changed, chunks
from storage.types import flushed_id, table_of

# Each link table, and the engagement's collection that writes it.
Link = EngagementOutput | EngagementSegment | EngagementOrganisation
LINKS: dict[type[Link], str] = {
    EngagementOutput: "outputs",
    EngagementSegment: "segments",
    EngagementOrganisation: "organisations",
}
# What the copies depend on: a change to anything else leaves them alone.
_COPIED_FROM = ("team_id", "occurred_on", *LINKS.values())


_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
# On PostgreSQL, the engagements already there are locked first, so that a link written
# beside another transaction's change of the day waits for it and copies the day it
# commits (NO KEY UPDATE, as a change of the day itself takes; SQLite has one writer
# anyway). No other transaction sees a new engagement.
_LOCK = (
    select(col(Engagement.id))
    .where(col(Engagement.id).in_(_IDS))
    .order_by(col(Engagement.id))
    .with_for_update(key_share=True)
)


def _copy(link: type[Link]) -> Update:
    """Each of the `link` table's rows of the engagements `ids` gets their team and day."""
    table = table_of(link)

    def of_engagement(column: Mapped[Any]) -> ScalarSelect[Any]:
        return select(column).where(col(Engagement.id) == table.c.engagement_id).scalar_subquery()

    return (
        update(table)
        .where(table.c.engagement_id.in_(_IDS))
        .values(
            team_id=of_engagement(col(Engagement.team_id)),
            occurred_on=of_engagement(col(Engagement.occurred_on)),
        )
    )


_COPIES = {link: _copy(link) for link in LINKS}


def keep_link_copies_current(session_class: type[Session]) -> None:
    """Copy the team and day into the links a flush writes, in every session of
    `session_class`."""
    event.listen(session_class, "after_flush", _copy_after_flush)


def _copy_after_flush(session: Session, _context: Any) -> None:
    # After the flush, `new` and `dirty` still list what it wrote, with new ids assigned,
    # and each object's history what changed.
    new = [item for item in session.new if isinstance(item, Engagement)]
    changed = {
        flushed_id(item)
        for item in session.dirty
        if isinstance(item, Engagement) and any_changed(item, _COPIED_FROM)
    }
    changed |= {
        item.engagement_id for item in (*session.new, *session.dirty) if isinstance(item, Link)
    }
    changed -= {flushed_id(item) for item in new}
    if not new and not changed:
        return
    connection = session.connection()
    for chunk in chunks(sorted(changed)):
        connection.execute(_LOCK, {"ids": chunk}).all()
    for link, collection in LINKS.items():
        # A new engagement has links in a table only if its collection was given some.
        ids = changed | {flushed_id(item) for item in new if any_added(item, collection)}
        for chunk in chunks(sorted(ids)):
            connection.execute(_COPIES[link], {"ids": chunk})
