"""The "users and uses" statement a team publishes with its statistics: the types of user
it engaged in a period (by default the last twelve months), what they use the statistics
for, how the team engaged with them, and what changed as a result.

It names organisations, never people: no contact name or email, no Slack user, and no
organisation of the segments made of private individuals (members of the public), which
are only counted.

Each organisation is listed, and what it said it uses the statistics for, under its own
audience segment (the register's: `bot/users/organisations.py`), never under the segments of the
records that name it: an engagement with central government and academia may have met only
central government's organisations. An organisation whose segment is not recorded is
listed under NOT_RECORDED. An engagement counts under each segment it reached: those it
names and its organisations'; a feedback item under the segment it came from and its
organisation's. A use recorded on an engagement naming no organisation is listed under its
one segment, or, naming several, once under SEVERAL with them. The formats are in
`bot/statements/users_and_uses_formats.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby
from operator import attrgetter
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.clock import local_time
from bot.base.vocabulary import METHODS, segment_label
from bot.statements.you_said_we_did import (
    StatementItem,
    StatementRefused,
    long_date,
    you_said_we_did,
)
from bot.users.map import Scope
from storage.reference import list_segments
from storage.uses_statement import (
    AnnouncedChangeRow,
    SaidUse,
    Selection,
    announced_changes,
    engagement_count,
    engagements_by_segment,
    feedback_by_segment,
    feedback_count,
    feedback_ids,
    methods_by_segment,
    organisations_by_segment,
    uses_said,
)

# Segments whose users are private individuals: whatever was typed as their organisation
# may be a person's name, so it is never published.
PEOPLE_SEGMENTS = frozenset({"members of the public"})
# Organisations whose segment is not recorded, and records naming neither a segment nor an
# organisation: said as it is, never guessed from the records.
NOT_RECORDED = "Segment not recorded"
SEVERAL = "Users of several types"  # uses from engagements naming several segments, no one
NO_METHOD = "method not recorded"
# What changed: the statuses shown, in order.
CHANGED = ("done", "planned")


@dataclass(frozen=True)
class UserType:
    segment: str
    engagements: int
    feedback: int
    organisations: tuple[str, ...]  # empty for PEOPLE_SEGMENTS


@dataclass(frozen=True)
class Use:
    text: str  # as recorded, its spaces tidied
    # Who said it: the organisations (those of people segments left out) or, under SEVERAL,
    # the segments of the engagements naming no organisation; empty: none to name.
    said_by: tuple[str, ...]


@dataclass(frozen=True)
class SegmentUses:
    segment: str
    uses: tuple[Use, ...]  # each once (ignoring case), oldest first


@dataclass(frozen=True)
class SegmentMethods:
    segment: str
    methods: tuple[tuple[str, int], ...]  # (method, engagements), most first


@dataclass(frozen=True)
class AnnouncedChange:
    title: str
    output: str
    effective_on: date
    announced_on: date  # in the team's time zone


@dataclass(frozen=True)
class UsesStatement:
    team_name: str
    output_name: str | None
    period_from: date
    period_to: date
    engagements: int
    feedback: int
    user_types: tuple[UserType, ...]  # taxonomy order, NOT_RECORDED last
    uses: tuple[SegmentUses, ...]  # taxonomy order, then SEVERAL, NOT_RECORDED last
    methods: tuple[SegmentMethods, ...]  # taxonomy order, NOT_RECORDED last
    changed: tuple[StatementItem, ...]  # feedback now done, then planned, oldest first
    changes: tuple[AnnouncedChange, ...]  # announced in the period and not cancelled


def twelve_months_to(day: date) -> tuple[date, date]:
    """The twelve months ending on `day`: from the day after the same day a year before
    (29 February's year before ends on 28 February)."""
    try:
        year_before = day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        year_before = day.replace(year=day.year - 1, day=28)
    return year_before + timedelta(days=1), day


def users_and_uses(
    *, session: Session, scope: Scope, period_from: date, period_to: date, zone: ZoneInfo
) -> UsesStatement:
    """The statement of `scope` for the days from `period_from` to `period_to` (inclusive,
    in the team's time zone `zone`)."""
    if period_to < period_from:
        raise StatementRefused(
            f"the period ends ({period_to.isoformat()}) before it starts "
            f"({period_from.isoformat()})"
        )
    team = scope.team
    assert team.id is not None
    selection = Selection(
        team.id, scope.output.id if scope.output else None, period_from, period_to
    )
    segments: dict[int | None, str] = {
        segment.id: segment_label(segment.name) for segment in list_segments(session=session)
    }
    segments[None] = NOT_RECORDED  # last
    engaged = engagements_by_segment(session=session, selection=selection)
    heard = feedback_by_segment(session=session, selection=selection)
    organisations = organisations_by_segment(session=session, selection=selection)
    user_types = tuple(
        UserType(
            segment=name,
            engagements=engaged.get(segment_id, 0),
            feedback=heard.get(segment_id, 0),
            organisations=()
            if name.lower() in PEOPLE_SEGMENTS
            else tuple(organisations.get(segment_id, ())),
        )
        for segment_id, name in segments.items()
        if engaged.get(segment_id) or heard.get(segment_id)
    )
    # Announced on one of the period's days, team time: from its first midnight to the last.
    changes = announced_changes(
        session=session,
        selection=selection,
        start=local_time(period_from, 0, zone),
        end=local_time(period_to + timedelta(days=1), 0, zone),
    )
    return UsesStatement(
        team_name=team.name,
        output_name=scope.output.name if scope.output else None,
        period_from=period_from,
        period_to=period_to,
        engagements=engagement_count(session=session, selection=selection),
        feedback=feedback_count(session=session, selection=selection),
        user_types=user_types,
        uses=_uses(session, selection, segments),
        methods=_methods(session, selection, segments),
        changed=_changed(session, scope, selection),
        changes=tuple(_announced(row, zone) for row in changes),
    )


def _uses(
    session: Session, selection: Selection, segments: dict[int | None, str]
) -> tuple[SegmentUses, ...]:
    """The recorded uses under the segment of whoever said them (see the module's note)."""
    grouped: dict[str, dict[str, tuple[str, list[str]]]] = {}
    for heading, text, said_by in _attributed(
        uses_said(session=session, selection=selection), segments
    ):
        said = " ".join(text.split())
        use = grouped.setdefault(heading, {}).setdefault(said.lower(), (said, []))
        use[1].extend(name for name in said_by if name not in use[1])  # each use once
    order = [*segments.values()]
    order.insert(-1, SEVERAL)  # before NOT_RECORDED
    return tuple(
        SegmentUses(heading, tuple(Use(said, tuple(by)) for said, by in grouped[heading].values()))
        for heading in order
        if heading in grouped
    )


def _attributed(
    rows: list[SaidUse], segments: dict[int | None, str]
) -> Iterator[tuple[str, str, list[str]]]:
    """(heading, use, said by) for each engagement's use: under each of its organisations'
    own segments, naming them (not those of people segments); if it names none, by its
    segments."""
    for _, group in groupby(rows, key=attrgetter("engagement_id")):
        said = list(group)
        text = said[0].uses
        if said[0].organisation is None:
            yield _by_segments(text, [row.segment_id for row in said], segments)
            continue
        named: dict[str, list[str]] = {}
        for row in said:
            heading = segments[row.segment_id]
            people = heading.lower() in PEOPLE_SEGMENTS
            named.setdefault(heading, []).extend([] if people else [str(row.organisation)])
        for heading, names in named.items():
            yield heading, text, names


def _by_segments(
    text: str, segment_ids: list[int | None], segments: dict[int | None, str]
) -> tuple[str, str, list[str]]:
    """A use from an engagement naming no organisation: under its one segment (or
    NOT_RECORDED), else under SEVERAL, saying which."""
    if len(segment_ids) == 1:
        return segments[segment_ids[0]], text, []
    order = list(segments)
    named = sorted(segment_ids, key=order.index)
    return SEVERAL, text, [segments[segment].lower() for segment in named]


def _methods(
    session: Session, selection: Selection, segments: dict[int | None, str]
) -> tuple[SegmentMethods, ...]:
    grouped: dict[int | None, list[tuple[str, int]]] = {}
    for segment, method, count in methods_by_segment(session=session, selection=selection):
        label = METHODS.get(method, method).lower() if method else NO_METHOD
        grouped.setdefault(segment, []).append((label, count))
    return tuple(
        SegmentMethods(
            segments[segment],
            tuple(sorted(grouped[segment], key=lambda method: (-method[1], method[0]))),
        )
        for segment in segments  # taxonomy order, NOT_RECORDED last
        if segment in grouped
    )


def _changed(session: Session, scope: Scope, selection: Selection) -> tuple[StatementItem, ...]:
    """The period's feedback now done or planned, with its public note: the items of the
    "you said, we did" statement of the same days."""
    said = you_said_we_did(
        session=session,
        team=scope.team,
        period_from=selection.first,
        period_to=selection.last,
    )
    items = {item.feedback_id: item for group in said.themes for item in group.items}
    if scope.output is not None:
        about = feedback_ids(session=session, selection=selection)
        items = {key: item for key, item in items.items() if key in about}
    return tuple(
        sorted(
            (item for item in items.values() if item.status in CHANGED),
            key=lambda item: (CHANGED.index(item.status), item.received_on, item.feedback_id),
        )
    )


def _announced(row: AnnouncedChangeRow, zone: ZoneInfo) -> AnnouncedChange:
    return AnnouncedChange(
        row.title, row.output, row.effective_on, row.announced_at.astimezone(zone).date()
    )


# Wording every format shares (plain text: each format escapes it its own way).

WHO = "Who uses our statistics"
WHAT_FOR = "What they use them for"
HOW = "How we engaged with them"
RESULT = "What changed as a result"
ANNOUNCED = "Changes we announced"
# What each section says when it has nothing to show.
NO_USER_TYPES = "No type of user was recorded in this period."
NO_USES = "No uses were recorded in this period."
NO_ENGAGEMENT = "No engagement was recorded in this period."
NO_RESULT = "Nothing from this period is done or planned yet, and no change was announced."


def uses_title(statement: UsesStatement) -> str:
    title = f"Users and uses: {statement.team_name}"
    return f"{title}, {statement.output_name}" if statement.output_name else title


def uses_period_text(statement: UsesStatement) -> str:
    return f"From {long_date(statement.period_from)} to {long_date(statement.period_to)}."


def uses_summary(statement: UsesStatement) -> str:
    if not statement.engagements and not statement.feedback:
        return "No engagement or feedback was recorded in this period."
    engaged = (
        f"We engaged with users {_times(statement.engagements)}"
        if statement.engagements
        else "We recorded no engagement with users"
    )
    heard = _counted(statement.feedback, "feedback item") if statement.feedback else "no feedback"
    kinds = sum(user_type.segment != NOT_RECORDED for user_type in statement.user_types)
    who = f", from {_counted(kinds, 'type')} of user" if kinds else "; none of it says from whom"
    return f"{engaged} and received {heard}{who}."


def user_type_text(user_type: UserType) -> str:
    """How much we heard from them: "4 engagements, 1 feedback item"."""
    parts = []
    if user_type.engagements:
        parts.append(_counted(user_type.engagements, "engagement"))
    if user_type.feedback:
        parts.append(_counted(user_type.feedback, "feedback item"))
    return ", ".join(parts)


def methods_text(methods: SegmentMethods) -> str:
    """ "meeting (3), workshop (1)"."""
    return ", ".join(f"{method} ({count})" for method, count in methods.methods)


def change_text(change: AnnouncedChange) -> str:
    return (
        f"{change.output}: takes effect {long_date(change.effective_on)} "
        f"(announced {long_date(change.announced_on)})"
    )


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")
