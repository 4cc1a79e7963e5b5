"""`/engage who`: which teams engaged with an organisation or an audience segment, when and
how, so that teams join up instead of contacting the same people separately.

An audience segment is named exactly (ignoring case) and looked at over the last 12
months; an organisation is matched by its whole name, else by part of it, and looked at
over all time. Several organisations matching is answered with their names to choose from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from storage.models import AudienceSegment
from storage.reference import list_segments, organisation_named, organisations_containing
from storage.who import (
    Subject,
    TeamEngagements,
    TeamFeedback,
    engagements_by_team,
    feedback_by_team,
)

CHOICES_MAX = 20  # organisations listed to choose from


@dataclass(frozen=True)
class WhoAnswer:
    name: str  # the organisation's or segment's name
    is_segment: bool
    since: date | None  # a segment's 12 months start on this day; None: all time
    engaged: list[TeamEngagements]
    feedback: list[TeamFeedback]


@dataclass(frozen=True)
class WhoChoices:
    """Several organisations match what was typed."""

    asked: str
    names: list[str]
    total: int


@dataclass(frozen=True)
class WhoUnknown:
    """Nothing matches: the segments there are, to help."""

    asked: str
    segments: list[str]


Who = WhoAnswer | WhoChoices | WhoUnknown


def twelve_months_to(today: date) -> date:
    """The first day of the 12 months ending `today` (29 February counts from 1 March)."""
    try:
        year_before = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_before = date(today.year - 1, 2, 28)
    return year_before + timedelta(days=1)


def who(*, session: Session, text: str, today: date) -> Who:
    """What `/engage who <text>` answers, as of `today`."""
    asked = " ".join(text.split())
    segments = list(list_segments(session=session))
    segment = _segment_named(segments, asked)
    if segment is not None:
        return _answer(
            session, Subject(segment_id=segment.id, since=twelve_months_to(today)), segment.name
        )
    organisation = organisation_named(session=session, name=asked)
    if organisation is None:
        found, total = organisations_containing(session=session, text=asked, limit=CHOICES_MAX)
        if total > 1:
            return WhoChoices(asked, [org.name for org in found], total)
        if not found:
            return WhoUnknown(asked, [segment.name for segment in segments])
        organisation = found[0]
    return _answer(session, Subject(organisation_id=organisation.id), organisation.name)


def _segment_named(segments: list[AudienceSegment], name: str) -> AudienceSegment | None:
    return next((segment for segment in segments if segment.name.lower() == name.lower()), None)


def _answer(session: Session, subject: Subject, name: str) -> WhoAnswer:
    return WhoAnswer(
        name=name,
        is_segment=subject.segment_id is not None,
        since=subject.since,
        engaged=engagements_by_team(session=session, subject=subject),
        feedback=feedback_by_team(session=session, subject=subject),
    )
