"""The "users and uses" statement a team publishes with its statistics: the types of user
it engaged in a period (by default the last twelve months), what they use the statistics
for, how the team engaged with them, and what changed as a result.

It names organisations, never people: no contact name or email, no Slack user, and no
organisation of the segments made of private individuals (members of the public), which
are only counted. An organisation is listed under each segment its engagement names, and
under the segment its feedback came from. The formats are in `bot/uses_statement_formats.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.clock import local_time
from bot.statements import StatementItem, StatementRefused, long_date, you_said_we_did
from bot.users_map import Scope
from bot.vocabulary import METHODS, segment_label
from storage.reference import list_segments
from storage.uses_statement import (
    AnnouncedChangeRow,
    Selection,
    announced_changes,
    engagement_count,
    engagements_by_segment,
    feedback_by_segment,
    feedback_ids,
    methods_by_segment,
    organisations_by_segment,
    uses_by_segment,
)

# Segments whose users are private individuals: whatever was typed as their organisation
# may be a person's name, so it is never published.
PEOPLE_SEGMENTS = frozenset({"members of the public"})
OTHER_USERS = "Users of no recorded type"  # engagements that name no audience segment
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
class SegmentUses:
    segment: str
    uses: tuple[str, ...]  # as recorded, each once, oldest first


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
    user_types: tuple[UserType, ...]  # taxonomy order
    uses: tuple[SegmentUses, ...]  # taxonomy order, OTHER_USERS last
    methods: tuple[SegmentMethods, ...]  # taxonomy order, OTHER_USERS last
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
    segments = {
        segment.id: segment_label(segment.name) for segment in list_segments(session=session)
    }
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
        feedback=sum(heard.values()),
        user_types=user_types,
        uses=_uses(session, selection, segments),
        methods=_methods(session, selection, segments),
        changed=_changed(session, scope, selection),
        changes=tuple(_announced(row, zone) for row in changes),
    )


def _segment_order(segments: dict[int | None, str]) -> dict[int | None, int]:
    """Where each segment id comes in the taxonomy; None (no segment) last."""
    order: dict[int | None, int] = {segment: index for index, segment in enumerate(segments)}
    order[None] = len(order)
    return order


def _uses(
    session: Session, selection: Selection, segments: dict[int | None, str]
) -> tuple[SegmentUses, ...]:
    grouped: dict[int | None, dict[str, str]] = {}
    for segment, text in uses_by_segment(session=session, selection=selection):
        said = " ".join(text.split())
        grouped.setdefault(segment, {}).setdefault(said.lower(), said)  # each use once
    order = _segment_order(segments)
    return tuple(
        SegmentUses(segments.get(segment, OTHER_USERS), tuple(uses.values()))
        for segment, uses in sorted(grouped.items(), key=lambda group: order[group[0]])
    )


def _methods(
    session: Session, selection: Selection, segments: dict[int | None, str]
) -> tuple[SegmentMethods, ...]:
    grouped: dict[int | None, list[tuple[str, int]]] = {}
    for segment, method, count in methods_by_segment(session=session, selection=selection):
        label = METHODS.get(method, method).lower() if method else NO_METHOD
        grouped.setdefault(segment, []).append((label, count))
    order = _segment_order(segments)
    return tuple(
        SegmentMethods(
            segments.get(segment, OTHER_USERS),
            tuple(sorted(methods, key=lambda method: (-method[1], method[0]))),
        )
        for segment, methods in sorted(grouped.items(), key=lambda group: order[group[0]])
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
    kinds = len(statement.user_types)
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
