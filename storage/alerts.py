"""Queries behind the alerts ahead of upcoming changes: which changes to plan, whom to tell."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import cast

from sqlalchemy import or_
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from storage.changes import ANNOUNCED
from storage.models import Feedback, UpcomingChange
from storage.types import related


def changes_to_plan(*, session: Session, effective_from: date) -> Sequence[UpcomingChange]:
    """Announced changes taking effect on or after `effective_from`, with their teams:
    the only ones that can still owe an alert."""
    return session.exec(
        select(UpcomingChange)
        .where(
            UpcomingChange.status == ANNOUNCED,
            col(UpcomingChange.effective_on) >= effective_from,
        )
        .options(selectinload(related(UpcomingChange.team)))
        .order_by(col(UpcomingChange.effective_on), col(UpcomingChange.id))
    ).all()


def staff_to_tell(
    *, session: Session, change_id: int, output_id: int, received_from: date, received_to: date
) -> list[str]:
    """Everyone who recorded feedback on the output received in the period (merged items
    aside), each once. Comments on the change itself don't count: whoever recorded one
    commented on it (perhaps from another organisation), they did not hear from users."""
    # Not None: the query leaves out feedback nobody recorded.
    return cast(
        list[str],
        list(
            session.exec(
                select(col(Feedback.recorded_by))
                .where(
                    Feedback.output_id == output_id,
                    col(Feedback.received_on).between(received_from, received_to),
                    col(Feedback.merged_into_id).is_(None),
                    col(Feedback.recorded_by).is_not(None),
                    or_(col(Feedback.change_id).is_(None), col(Feedback.change_id) != change_id),
                )
                .distinct()
                .order_by(col(Feedback.recorded_by))
            ).all()
        ),
    )
