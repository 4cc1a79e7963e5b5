"""Queries finding the personal data of members of the public: the contact details kept on
feedback (for retention and erasure), and the free text that may quote a person.

What counts as personal, and what is done with it, is decided in `bot/people/retention.py` and
`bot/people/erasure.py`; these functions only find the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, cast, func, or_
from sqlmodel import Session, col, select

from storage.feedback import CLOSED_STATUSES
from storage.models import Feedback, FeedbackDecision

# The condition of the partial index `ix_feedback_personal` (storage/models.py: PERSONAL_SQL):
# written alike, so that both databases read only the items still holding personal data.
HOLDS_PERSONAL_DATA = or_(
    col(Feedback.contact_agreed) == True,  # noqa: E712  (SQLite writes it "= 1", as the index does)
    col(Feedback.contact_name).is_not(None),
    col(Feedback.contact_email).is_not(None),
)


def _closed_before(item: Any, cutoff: datetime) -> ColumnElement[bool]:
    """`item` (Feedback or an alias of it) was closed before `cutoff`: it has a final status,
    and its latest decision, or its last change when it has none (an item imported closed),
    is older than that."""
    latest = (
        select(func.max(FeedbackDecision.decided_at))
        .where(FeedbackDecision.feedback_id == item.id)
        .scalar_subquery()
    )
    return and_(
        col(item.status).in_(CLOSED_STATUSES),
        col(item.merged_into_id).is_(None),
        func.coalesce(latest, item.updated_at) < cutoff,
    )


def contacts_closed_before(*, session: Session, cutoff: datetime) -> list[Feedback]:
    """The items holding personal data whose item was closed before `cutoff`: closed
    themselves, or merged into an item that was (a merged item lives on in that one)."""
    closed = session.exec(
        select(Feedback).where(HOLDS_PERSONAL_DATA, _closed_before(Feedback, cutoff))
    ).all()
    # Start from the merged items still holding personal data (few, and indexed), never
    # from every item they might have been merged into.
    kept_ids = session.exec(
        select(Feedback.merged_into_id)
        .where(HOLDS_PERSONAL_DATA, col(Feedback.merged_into_id).is_not(None))
        .distinct()
    ).all()
    if not kept_ids:
        return list(closed)
    expired = select(Feedback.id).where(
        col(Feedback.id).in_(kept_ids), _closed_before(Feedback, cutoff)
    )
    merged = session.exec(
        select(Feedback).where(HOLDS_PERSONAL_DATA, col(Feedback.merged_into_id).in_(expired))
    ).all()
    return [*closed, *merged]


def contacts_matching(
    *, session: Session, email: str | None, name_words: Sequence[str]
) -> Sequence[Feedback]:
    """Items whose contact email is `email`, or whose contact name holds every word of
    `name_words` (ignoring case): candidates, which the caller checks exactly."""
    wanted = []
    if email is not None:
        wanted.append(_holds_words(Feedback.contact_email, [email]))
    if name_words:
        wanted.append(_holds_words(Feedback.contact_name, name_words))
    if not wanted:
        return []
    return session.exec(
        select(Feedback).where(HOLDS_PERSONAL_DATA, or_(*wanted)).order_by(col(Feedback.id))
    ).all()


def rows_mentioning(
    *, session: Session, model: Any, columns: Sequence[str], fragments: Sequence[Sequence[str]]
) -> Sequence[Any]:
    """Rows of `model` where one of `columns` holds every word of one of `fragments`,
    ignoring case: candidates, which the caller checks exactly."""
    if not fragments:
        return []
    conditions = [
        _holds_words(getattr(model, column), words) for column in columns for words in fragments
    ]
    return session.exec(select(model).where(or_(*conditions)).order_by(col(model.id))).all()


def name_taken(*, session: Session, model: Any, name: str, other_than: int | None) -> bool:
    """Whether a row of `model` other than `other_than` is called `name`, ignoring case,
    as its names are unique (organisations, tags)."""
    found = session.exec(
        select(model.id).where(func.lower(model.name) == name.lower(), model.id != other_than)
    ).first()
    return found is not None


def _holds_words(column: Any, words: Sequence[str]) -> ColumnElement[bool]:
    # SQLite's lower() folds ASCII letters only, so a word with others ("Ärger") can't be
    # matched ignoring case in SQL: it is left to the caller's exact check.
    lowered = func.lower(cast(column, Text))  # the audit log's changes are JSON
    return and_(
        column.is_not(None),
        *(lowered.contains(word.lower(), autoescape=True) for word in words if word.isascii()),
    )
