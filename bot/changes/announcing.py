"""Upcoming changes to a statistic: what makes one valid, announcing, editing, cancelling.

Every save queues its notices (storage.deliveries.Due) in the same transaction, one per
channel that hears about the change and one per confirmed email subscriber; the caller
then asks the scheduler to send them. An edit bumps `revision`, so each version's notices
are deliveries of their own, and carries what it changed to the notice (the delivery's
`note`); an edit that changes nothing is no revision and sends nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.clock import zone_named
from bot.base.text import LONG_TEXT_MAX
from bot.base.validation import (
    FieldErrors,
    Invalid,
    all_still_there,
    check_coming_date,
    check_required_text,
    no_longer_exists,
    still_there,
)
from storage.changes import CANCELLED, change_from_source
from storage.deliveries import Due, enqueue_to_channels
from storage.email_subscriptions import subscription_of_target
from storage.models import AudienceSegment, ProducerTeam, StatisticalOutput, UpcomingChange
from storage.reference import segments_by_id
from storage.subscriptions import targets_for_change
from storage.types import flushed_id

# Delivery kinds: an announcement (revision 1) or an update notice (later revisions),
# and a cancellation notice.
ANNOUNCED_KIND, CANCELLED_KIND = "change_announced", "change_cancelled"
TITLE_MAX = 150
REASON_MAX = 1000
NOTE_MAX = 500  # the length of storage.models.Delivery.note

# What an edit may change, in the form's order. Dates are told as they were and are
# (ISO, None for no date); names too, when they fit the note; text only as changed.
TEAM, OUTPUT, TITLE, DESCRIPTION = "team", "output", "title", "description"
EFFECTIVE_ON, FEEDBACK_BY, SEGMENTS = "effective_on", "feedback_by", "segments"
DATE_FIELDS = (EFFECTIVE_ON, FEEDBACK_BY)


@dataclass
class ChangeDraft:
    """A change as typed in the form: team, output and segments chosen by id."""

    title: str
    description: str
    team_id: int | None = None
    output_id: int | None = None
    effective_on: date | None = None
    feedback_by: date | None = None
    segment_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Difference:
    """One thing an edit changed: `before` and `after` are given for dates and names."""

    field: str
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class Revision:
    """What a notice's delivery carries in its `note`: the revision it announces (an
    earlier one's notice is skipped once a later exists) and what that revision changed."""

    number: int
    differences: tuple[Difference, ...] = ()

    def note(self) -> str:
        """The revision's number, then (on a line of its own) its differences as JSON;
        without the names when they would not fit the note."""
        note = self._encoded(self.differences)
        if len(note) > NOTE_MAX:
            unnamed = [
                d if d.field in DATE_FIELDS else Difference(d.field) for d in self.differences
            ]
            note = self._encoded(unnamed)
        return note

    def _encoded(self, differences: Sequence[Difference]) -> str:
        if not differences:
            return str(self.number)
        listed = [[d.field, d.before, d.after] for d in differences]
        return f"{self.number}\n{json.dumps(listed, ensure_ascii=False)}"

    @classmethod
    def from_note(cls, note: str | None) -> Revision | None:
        """The revision a note carries; None for a note no notice wrote."""
        number, _, listed = (note or "").partition("\n")
        if not number.isdigit():
            return None
        differences = tuple(Difference(*fields) for fields in json.loads(listed or "[]"))
        return cls(int(number), differences)


@dataclass(frozen=True)
class Notices:
    """A saved change and the notices queued about it (send them by their keys); an edit
    that changed nothing has none."""

    change: UpcomingChange
    dues: list[Due]
    nothing_changed: bool = False

    @property
    def channels(self) -> list[str]:
        return [due.target for due in self.dues if subscription_of_target(due.target) is None]

    @property
    def emailed(self) -> int:
        """How many email subscribers the notices go to."""
        return len(self.dues) - len(self.channels)


def change_problems(
    draft: ChangeDraft, *, today: date, kept_feedback_by: date | None = None
) -> FieldErrors:
    """What is wrong with the draft on its own. `today` is the team's; `kept_feedback_by`
    is the date an edited change already had, which may stay although it has passed."""
    errors: FieldErrors = {}
    if draft.team_id is None:
        errors["team"] = "Choose the team making the change."
    if draft.output_id is None:
        errors["output"] = "Choose the output that is changing."
    check_required_text(errors, "title", "The title", draft.title, TITLE_MAX)
    check_required_text(
        errors, "description", "What is changing and why", draft.description, LONG_TEXT_MAX
    )
    missing = "Choose the date the change takes effect."
    check_coming_date(errors, EFFECTIVE_ON, draft.effective_on, today, missing=missing)
    check_coming_date(
        errors, FEEDBACK_BY, draft.feedback_by, today, missing=None, kept=kept_feedback_by
    )
    wanted_by, effective_on = draft.feedback_by, draft.effective_on
    if FEEDBACK_BY not in errors and wanted_by and effective_on and wanted_by >= effective_on:
        errors[FEEDBACK_BY] = (
            f"Ask for feedback before the change takes effect ({effective_on.isoformat()})."
        )
    return errors


def save_change(
    *,
    session: Session,
    draft: ChangeDraft,
    now: datetime,
    default_zone: ZoneInfo,
    user_id: str | None,
    change_id: int | None = None,
    source_key: str | None = None,
) -> Notices:
    """Announce a new change, or edit `change_id` (announcing the update); raise `Invalid`.

    An update goes to every channel that heard about the change before the edit or hears
    about it now (the edit may move it to another output), and says what changed; an edit
    that changes nothing is not saved and sends nothing. A `source_key` already used
    returns the change it created: a retried Slack request must not announce twice.
    """
    if source_key is not None and change_id is None:
        existing = change_from_source(session=session, source_key=source_key)
        if existing is not None:
            return _queue(session, existing, ANNOUNCED_KIND, now, [])
    change = session.get(UpcomingChange, change_id) if change_id is not None else None
    team = session.get(ProducerTeam, draft.team_id) if draft.team_id is not None else None
    today = team_today(team, now, default_zone)
    errors = change_problems(
        draft, today=today, kept_feedback_by=change.feedback_by if change else None
    )
    if draft.team_id is not None and team is None:  # read before: its day is the form's
        errors["team"] = no_longer_exists("That team")
    output = still_there(
        session, StatisticalOutput, draft.output_id, errors, "output", "That output"
    )
    if output is not None and team is not None and output.team_id != team.id:
        errors["output"] = f"Choose an output of {team.name}."
    segments = segments_by_id(session=session, ids=draft.segment_ids)
    all_still_there(segments, draft.segment_ids, errors, "segments", "audience segments")
    if change_id is not None and change is None:
        errors["title"] = no_longer_exists(f"Change #{change_id}")
    elif change is not None and change.status == CANCELLED:
        errors["title"] = f"Change #{change_id} was cancelled, so it can't be edited."
    if errors:
        raise Invalid(errors)
    assert team is not None and team.id is not None and output is not None
    differences: list[Difference] = []
    if change is not None:
        differences = _differences(change, draft, team, output, segments)
        if not differences:
            return Notices(change, [], nothing_changed=True)
    heard_before = targets_for_change(session=session, change=change) if change else []
    if change is None:
        change = UpcomingChange(
            team_id=team.id,
            output_id=flushed_id(output),
            title="",
            description="",
            # mypy: the draft's checks refuse one without it.
            effective_on=draft.effective_on,  # type: ignore[arg-type]
            created_by=user_id,
            source_key=source_key,
            created_at=now,  # the clock's moment (the console's may be ahead): alerts count from it
        )
    else:
        change.revision += 1
    change.team_id = team.id
    change.output_id = flushed_id(output)
    change.title = draft.title.strip()
    change.description = draft.description.strip()
    # mypy: the draft's checks refuse one without it.
    change.effective_on = draft.effective_on  # type: ignore[assignment]
    change.feedback_by = draft.feedback_by
    change.segments = segments
    change.updated_at = now
    session.add(change)
    session.flush()
    return _queue(session, change, ANNOUNCED_KIND, now, heard_before, differences)


def _differences(
    change: UpcomingChange,
    draft: ChangeDraft,
    team: ProducerTeam,
    output: StatisticalOutput,
    segments: Sequence[AudienceSegment],
) -> list[Difference]:
    """What saving `draft` would change in `change`, in the form's order."""
    found = [
        Difference(name, before.name, after.name)
        for name, before, after in ((TEAM, change.team, team), (OUTPUT, change.output, output))
        if before.id != after.id
    ]
    found += [
        Difference(name)
        for name, before, after in (
            (TITLE, change.title, draft.title.strip()),
            (DESCRIPTION, change.description, draft.description.strip()),
        )
        if before != after
    ]
    found += [
        Difference(name, _iso(before), _iso(after))
        for name, before, after in (
            (EFFECTIVE_ON, change.effective_on, draft.effective_on),
            (FEEDBACK_BY, change.feedback_by, draft.feedback_by),
        )
        if before != after
    ]
    if {segment.id for segment in change.segments} != {segment.id for segment in segments}:
        found.append(Difference(SEGMENTS))
    return found


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def cancel_change(
    *, session: Session, change_id: int, reason: str | None, now: datetime
) -> Notices:
    """Cancel the change, telling every channel that hears about it why; raise `Invalid`."""
    errors: FieldErrors = {}
    check_required_text(errors, "reason", "The reason", reason, REASON_MAX)
    change = session.get(UpcomingChange, change_id)
    if change is None:
        errors["reason"] = no_longer_exists(f"Change #{change_id}")
    elif change.status == CANCELLED:
        errors["reason"] = f"Change #{change_id} is already cancelled."
    if errors:
        raise Invalid(errors)
    assert change is not None and reason is not None
    change.status = CANCELLED
    change.cancel_reason = reason.strip()
    change.updated_at = now
    session.add(change)
    session.flush()
    return _queue(session, change, CANCELLED_KIND, now, [])


def team_today(team: ProducerTeam | None, now: datetime, default_zone: ZoneInfo) -> date:
    """The day it is `now` in the team's time zone (the default one without a team)."""
    return now.astimezone(zone_named(team.timezone if team else None, default_zone)).date()


def notice_key(change: UpcomingChange, kind: str, channel: str) -> str:
    """Names one notice about the change: each revision's, and the cancellation, once a channel."""
    if kind == CANCELLED_KIND:
        return f"change:{change.id}:cancelled:{channel}"
    return f"change:{change.id}:r{change.revision}:{channel}"


def _queue(
    session: Session,
    change: UpcomingChange,
    kind: str,
    now: datetime,
    also: Iterable[str],
    differences: Sequence[Difference] = (),
) -> Notices:
    dues = enqueue_to_channels(
        session=session,
        kind=kind,
        key=lambda channel: notice_key(change, kind, channel),
        channels=[*also, *targets_for_change(session=session, change=change)],
        now=now,
        team_id=change.team_id,
        subject_id=change.id,
        note=Revision(change.revision, tuple(differences)).note(),
    )
    return Notices(change, dues)
