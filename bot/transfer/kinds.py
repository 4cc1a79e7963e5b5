"""The columns of each kind of record: how a stored record is written out, and how a cell is read.

Column names are the names the domain uses for its fields, so a problem the domain reports
about a draft (`engagement_problems`, `feedback_problems`) already names the column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Any

from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from bot.base.text import LIST_SEPARATOR, ORGANISATION_MAX, split_list, too_long
from bot.base.validation import (
    DEFAULT_EARLIEST_DATE,
    RECORD_ID_MAX,
    FieldErrors,
    check_names,
    is_record_id,
    latest_date,
)
from bot.base.vocabulary import EXPERTISE, FEEDBACK_CHANNELS, FEEDBACK_STATUSES, METHODS, value_for
from bot.engagements.recording import EngagementDraft, engagement_problems, save_engagement
from bot.feedback.recording import FeedbackDraft, feedback_problems, save_feedback
from bot.people.names import SLACK_USER_ID, user_id_in
from storage.models import AudienceSegment, Engagement, Feedback, Organisation, ProducerTeam
from storage.reference import segments_by_name
from storage.types import related

MERGED_INTO = "merged_into"
USER_ID_MAX = 32  # the stored length of a Slack user id
EMAIL_MAX = 254
PERMALINK_MAX = 500

# A stored value before formatting: str, int, bool, date, datetime, list, dict or None.
Cell = Any


class CellProblem(ValueError):
    """A cell that cannot be read; the message says why without naming the column."""


@dataclass
class RowContext:
    """What reading one row needs: the known teams and segments, and the row's team once read."""

    teams: Mapping[str, ProducerTeam]  # by lower-cased name
    segments: Mapping[str, AudienceSegment]  # by lower-cased name
    team: ProducerTeam | None = None
    # The days a row's moments may fall on (None: not checked), as its dates (forms' rule).
    today: date | None = None
    earliest: date = DEFAULT_EARLIEST_DATE


# Reads one stripped cell (blank as ""); raises CellProblem.
Reader = Callable[[str, RowContext], Any]


@dataclass(frozen=True)
class Column:
    name: str
    get: Callable[[Any], Cell]
    read: Reader | None = None  # None: export only
    field: str | None = None  # the draft attribute it fills; None: set on the row after saving
    required: bool = False  # the header must name it (the domain decides whether it may be blank)
    personal: bool = False  # identifies a member of the public: exported only when asked
    person: bool = False  # a Slack user id: written with the person's name beside it


@dataclass(frozen=True)
class Recording:
    """How rows of an importable kind become records through the domain's own rules."""

    draft: Callable[..., Any]
    problems: Callable[..., FieldErrors]
    # Called as problems(draft, today=, earliest=), and as
    # save(session=, draft=, today=, earliest=, user_id=, entry_id=, status=) (status: feedback's).
    save: Callable[..., Any]
    text: str  # the free-text column every record must have
    user: str  # the column naming who recorded it


@dataclass(frozen=True)
class Kind:
    """A kind of record as `engagebot export` and `import` name it, and its columns in order."""

    name: str  # as the commands name the kind: "engagements"
    label: str  # one record, as named before its number: "engagement #3", "feedback #3"
    noun: str  # one record, as counted: "1 engagement", "2 feedback items"
    model: Any
    columns: tuple[Column, ...]
    related: tuple[str, ...]  # relationships loaded with each exported record
    team_key: str | None  # the attribute `--team` filters on; None: no team's records
    day: str | None = None  # the date `--since` filters on; None: the day it was created
    recording: Recording | None = None  # None: export only

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def exported_columns(self, *, include_personal: bool) -> tuple[Column, ...]:
        """The columns an export writes: the personal ones only when asked for."""
        return tuple(c for c in self.columns if include_personal or not c.personal)


def _optional(parse: Callable[[str], Any]) -> Reader:
    """A reader leaving a blank cell None."""
    return lambda text, _row: parse(text) if text else None


def _as_is(text: str, _row: RowContext) -> str:
    return text


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CellProblem(f"'{text}' is not a date like 2026-01-31") from None


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    # A time without its offset could be UTC or local: refuse rather than guess.
    if moment is None or moment.tzinfo is None:
        raise CellProblem(
            f"'{text}' is not an ISO 8601 time with its offset, like 2026-01-31T09:30:00+00:00"
        )
    return moment.astimezone(UTC)


def _recorded_moment(text: str, row: RowContext) -> datetime | None:
    """When a record was created or changed: blank, or a moment from the earliest date a
    record may hold to the latest a person may type (as every date typed)."""
    if not text:
        return None
    moment = _moment(text)
    if row.today is None:
        return moment
    first, last = row.earliest, latest_date(row.today)
    if not first <= moment.date() <= last:
        raise CellProblem(f"'{text}' is not between {first} and {last}: check the year")
    return moment


def _whole_number(text: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", text):
        raise CellProblem(f"'{text}' is not a whole number")
    return int(text)


def _record_id(text: str) -> int:
    number = _whole_number(text)
    if not is_record_id(number):
        raise CellProblem(f"'{text}' is not a record number (1 to {RECORD_ID_MAX:,})")
    return number


def _limited(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        problem = too_long("It", text, limit)
        if problem:
            raise CellProblem(problem)
        return text

    return parse


def _choice(choices: Mapping[str, str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = value_for(choices, text)
        if value is None:
            raise CellProblem(f"unknown value '{text}'; use one of: {', '.join(choices.values())}")
        return value

    return parse


def _yes_no(text: str, _row: RowContext) -> bool:
    answer = text.lower()
    if answer in ("", "false", "no", "0"):
        return False
    if answer in ("true", "yes", "1"):
        return True
    raise CellProblem(f"'{text}' is not one of true, false, yes, no, 1, 0 (or blank)")


def _names(text: str, _row: RowContext) -> list[str]:
    # Only the list separator splits: names such as "Office for Students, Wales" hold commas.
    return split_list(text, LIST_SEPARATOR)


def _team(text: str, row: RowContext) -> int | None:
    if not text:
        return None
    row.team = row.teams.get(" ".join(text.split()).lower())
    if row.team is None:
        raise CellProblem(f"no team is called '{text}'")
    return row.team.id


def _outputs(text: str, row: RowContext) -> list[int]:
    if row.team is None:  # the team's own problem is reported; its outputs can't be checked
        return []
    known = {output.name.lower(): _saved(output.id) for output in row.team.outputs}
    names = _names(text, row)
    unknown = [name for name in names if name.lower() not in known]
    if unknown:
        listed = ", ".join(f"'{name}'" for name in unknown)
        raise CellProblem(f"{row.team.name} has no output called {listed}")
    return [known[name.lower()] for name in names]


def _saved(record_id: int | None) -> int:
    """The id of a record read from the database, which always has one."""
    assert record_id is not None
    return record_id


def _partner_teams(text: str, row: RowContext) -> list[int]:
    names = _names(text, row)
    unknown = [name for name in names if name.lower() not in row.teams]
    if unknown:
        raise CellProblem("no team is called " + ", ".join(f"'{name}'" for name in unknown))
    return [_saved(row.teams[name.lower()].id) for name in names]


def _output(text: str, row: RowContext) -> int | None:
    if len(_names(text, row)) > 1:
        raise CellProblem("give one output only")
    return next(iter(_outputs(text, row)), None)


def _segments(text: str, row: RowContext) -> list[int]:
    names = _names(text, row)
    unknown = [name for name in names if name.lower() not in row.segments]
    if unknown:
        listed = ", ".join(f"'{name}'" for name in unknown)
        raise CellProblem(
            f"unknown audience segment {listed}; use one of: "
            + ", ".join(segment.name for segment in row.segments.values())
        )
    return [_saved(row.segments[name.lower()].id) for name in names]


def _segment(text: str, row: RowContext) -> int | None:
    if len(_names(text, row)) > 1:
        raise CellProblem("give one audience segment only")
    return next(iter(_segments(text, row)), None)


def _name_of(relation: str) -> Callable[[Any], str | None]:
    def get(record: Any) -> str | None:
        related = getattr(record, relation)
        return related.name if related is not None else None

    return get


def _sorted_names(relation: str) -> Callable[[Any], list[str]]:
    # Link tables keep no order; sorting makes an export repeatable.
    return lambda record: sorted((item.name for item in getattr(record, relation)), key=str.lower)


def _segment_names(record: Any) -> list[str]:
    return [segment.name for segment in sorted(record.segments, key=attrgetter("position"))]


def _stored(
    name: str,
    read: Reader | None = None,
    *,
    field: str | None = None,
    required: bool = False,
    personal: bool = False,
) -> Column:
    """A column holding the record's attribute of the same name."""
    return Column(name, attrgetter(name), read, field, required, personal)


def _person(name: str) -> Column:
    """A column holding the Slack user id of a member of staff (who recorded it, ...),
    exported as "Jane Smith (U0123ABC)"; either that or the bare id is read back."""
    return Column(name, attrgetter(name), _optional(_user_id), person=True)


def _user_id(text: str) -> str:
    user_id = user_id_in(text)
    if not SLACK_USER_ID.fullmatch(user_id):
        raise CellProblem(
            f"'{text[:40]}' is not a Slack user id like U0123ABCD "
            "(or a name with one: Jane Smith (U0123ABCD))"
        )
    return _limited(USER_ID_MAX)(user_id)


def _save_engagement(*, entry_id: int | None, status: str | None, **kwargs: Any) -> Engagement:
    return save_engagement(engagement_id=entry_id, **kwargs)


def _save_feedback(*, entry_id: int | None, status: str | None, **kwargs: Any) -> Feedback:
    return save_feedback(feedback_id=entry_id, status=status, **kwargs)


def _optional_text(limit: int | None = None) -> Reader:
    return _optional(_limited(limit) if limit else str)


_ID = _stored("id", _optional(_record_id))
_TIMES = (_stored("created_at", _recorded_moment), _stored("updated_at", _recorded_moment))
_TEAM = Column("team", _name_of("team"), _team, "team_id", required=True)

ENGAGEMENTS = Kind(
    name="engagements",
    label="engagement",
    noun="engagement",
    model=Engagement,
    related=("team", "outputs", "segments", "organisations", "partners"),
    team_key="team_id",
    day="occurred_on",
    columns=(
        _ID,
        _stored("occurred_on", _optional(_day), field="occurred_on", required=True),
        _TEAM,
        Column("outputs", _sorted_names("outputs"), _outputs, "output_ids"),
        _stored("method", _optional(_choice(METHODS)), field="method"),
        Column("segments", _segment_names, _segments, "segment_ids"),
        _stored("expertise", _optional(_choice(EXPERTISE)), field="expertise"),
        Column("organisations", _sorted_names("organisations"), _names, "organisations"),
        Column("partners", _sorted_names("partners"), _partner_teams, "partner_ids"),
        _stored("participants", _optional(_whole_number), field="participants"),
        _stored("summary", _as_is, field="summary", required=True),
        _stored("what_we_heard", _optional_text(), field="what_we_heard"),
        _stored("uses", _optional_text(), field="uses"),
        _stored("follow_up_actions", _optional_text(), field="follow_up_actions"),
        _person("logged_by"),
        *_TIMES,
    ),
    recording=Recording(
        draft=EngagementDraft,
        problems=engagement_problems,
        save=_save_engagement,
        text="summary",
        user="logged_by",
    ),
)

FEEDBACK = Kind(
    name="feedback",
    label="feedback",
    noun="feedback item",
    model=Feedback,
    related=("team", "output", "organisation", "segment", "themes"),
    team_key="team_id",
    day="received_on",
    columns=(
        _ID,
        _stored("received_on", _optional(_day), field="received_on", required=True),
        _TEAM,
        Column("output", _name_of("output"), _output, "output_id"),
        Column("organisation", _name_of("organisation"), _optional_text(), "organisation"),
        Column("segment", _name_of("segment"), _segment, "segment_id"),
        _stored("channel", _optional(_choice(FEEDBACK_CHANNELS)), field="channel"),
        _stored("text", _as_is, field="text", required=True),
        Column("themes", _sorted_names("themes"), _names, "themes"),
        _stored("status", _optional(_choice(FEEDBACK_STATUSES))),
        # The item it was merged into (checked, and linked once every row exists, by import).
        Column(MERGED_INTO, attrgetter("merged_into_id"), _optional(_record_id)),
        _stored("contact_agreed", _yes_no, field="contact_agreed"),
        _stored("contact_name", _optional_text(), field="contact_name", personal=True),
        _stored("contact_email", _optional_text(EMAIL_MAX), field="contact_email", personal=True),
        _stored("source_permalink", _optional_text(PERMALINK_MAX), field="source_permalink"),
        _person("recorded_by"),
        *_TIMES,
    ),
    recording=Recording(
        draft=FeedbackDraft,
        problems=feedback_problems,
        save=_save_feedback,
        text="text",
        user="recorded_by",
    ),
)


def _organisation_name(text: str, _row: RowContext) -> str:
    if not text:
        raise CellProblem("give the organisation's name")
    errors: FieldErrors = {}
    check_names(errors, "name", "Organisation", [text], ORGANISATION_MAX)
    if errors:
        raise CellProblem(errors["name"])
    return text


# The register of organisations (bot/users/organisations.py): imported by its own rules
# (bot/transfer/organisations.py), as it updates organisations rather than adding records.
ORGANISATIONS = Kind(
    name="organisations",
    label="organisation",
    noun="organisation",
    model=Organisation,
    related=("segment",),
    team_key=None,
    columns=(
        Column("name", attrgetter("name"), _organisation_name, required=True),
        Column("segment", _name_of("segment"), _segment, required=True),  # blank: not recorded
    ),
)

TEAMS = Kind(
    name="teams",
    label="team",
    noun="team",
    model=ProducerTeam,
    related=("outputs",),
    team_key="id",
    columns=(
        _stored("id"),
        _stored("name"),
        _stored("home_channel_id"),
        Column(
            "outputs",
            lambda team: [{"name": o.name, "profile": o.profile} for o in team.outputs],
        ),
        _person("created_by"),
        *_TIMES,
    ),
)

KINDS: Mapping[str, Kind] = {
    kind.name: kind for kind in (ENGAGEMENTS, FEEDBACK, TEAMS, ORGANISATIONS)
}


def reference_data(session: Session) -> tuple[dict[str, ProducerTeam], dict[str, AudienceSegment]]:
    """Every team (with its outputs) and every segment, by lower-cased name, for `RowContext`."""
    outputs = selectinload(related(ProducerTeam.outputs))
    teams = session.exec(select(ProducerTeam).options(outputs)).all()
    return {team.name.lower(): team for team in teams}, segments_by_name(session=session)
