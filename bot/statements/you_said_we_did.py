"""The "You said, we did" statement a team publishes: what users told it in a period,
grouped by theme, and what it did about each item, or why not; and when a team's digest
of it falls due.

An item with several themes is listed under each of them (so a theme shows everything said
about it); the counts count each item once. Items with no theme are listed under "Other".
The statement holds what users said and, at most, which kind of user said it: never a
contact name, email or organisation. The formats are in `bot/statements/you_said_we_did_formats.py`
(markdown, HTML) and `handlers/views/statements.py` (Slack).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.clock import local_time, zone_named
from bot.deliveries.catch_up import (
    Period,
    covered_period,
    occurrences,
    planned_each,
    team_named,
    too_late,
)
from storage.deliveries import Due
from storage.models import ProducerTeam
from storage.statements import StatementRow, statement_rows, statement_themes
from storage.teams import teams_with_digest

OTHER_THEME = "Other"
# What each status is called in public, in the order the counts are given.
OUTCOMES = {
    "done": "Done",
    "planned": "Planned",
    "under_consideration": "Under consideration",
    "not_planned": "Not planned",
    "new": "Not yet decided",
}
UNDECIDED = "new"
# What users are told when the decision came with no note (a status set by an import, a
# move to "planned" without one), or when nothing is decided yet. Shown after the status's
# name ("Not yet decided: ..."), so it says what comes next rather than the status again.
NO_NOTE = {
    "done": "We have done this.",
    "planned": "We plan to do this.",
    "under_consideration": "We will say here what we decide.",
    "not_planned": "We do not plan to do this.",
    "new": "We will say here what we do about it.",
}

# How often a team's digest is posted; months per period.
CADENCES = {"quarterly": "Quarterly", "monthly": "Monthly"}
DEFAULT_CADENCE = "quarterly"
_MONTHS = {"quarterly": 3, "monthly": 1}
DIGEST_HOUR = 9  # a period's digest is due at 09:00 team-local on the day after it ends
DIGEST = "digest"  # the delivery kind


class StatementRefused(ValueError):
    """No statement can be made as asked; the message says why, in one line."""


@dataclass(frozen=True)
class StatementItem:
    feedback_id: int
    received_on: date
    said: str  # what the user told us, as recorded
    segment: str | None  # which kind of user, if recorded
    status: str
    did: str  # what we did, or why not: the public note, else the NO_NOTE wording

    @property
    def outcome(self) -> str:
        return OUTCOMES.get(self.status, self.status)


@dataclass(frozen=True)
class ThemeGroup:
    theme: str
    items: tuple[StatementItem, ...]


@dataclass(frozen=True)
class Statement:
    team_name: str
    period_from: date
    period_to: date
    themes: tuple[ThemeGroup, ...]  # most items first, then by name; "Other" last
    counts: dict[str, int]  # items by status, each item once, in OUTCOMES order; no zeros

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def you_said_we_did(
    *,
    session: Session,
    team: ProducerTeam,
    period_from: date,
    period_to: date,
    undecided: bool = True,
) -> Statement:
    """The team's statement for feedback received from `period_from` to `period_to`
    (inclusive), leaving out items merged into another; without `undecided`, the items not
    yet decided are counted but not shown (the public site: feedback sent there is
    published once the team has read it and moved it on)."""
    if period_to < period_from:
        raise StatementRefused(
            f"the period ends ({period_to.isoformat()}) before it starts "
            f"({period_from.isoformat()})"
        )
    assert team.id is not None
    rows = statement_rows(
        session=session, team_id=team.id, period_from=period_from, period_to=period_to
    )
    themes = statement_themes(
        session=session, team_id=team.id, period_from=period_from, period_to=period_to
    )
    groups: dict[str, list[StatementItem]] = {}
    for row in rows:  # oldest first, and so within each theme
        if not undecided and row.status == UNDECIDED:
            continue
        item = _item(row)
        for theme in themes.get(row.feedback_id) or [OTHER_THEME]:
            groups.setdefault(_capitalised(theme), []).append(item)
    ordered = sorted(
        groups.items(), key=lambda group: (group[0] == OTHER_THEME, -len(group[1]), group[0])
    )
    counts = Counter(row.status for row in rows)
    return Statement(
        team_name=team.name,
        period_from=period_from,
        period_to=period_to,
        themes=tuple(ThemeGroup(theme, tuple(items)) for theme, items in ordered),
        counts={status: counts[status] for status in OUTCOMES if counts[status]},
    )


def _capitalised(text: str) -> str:
    """A free tag as a heading: "timeliness" -> "Timeliness", "CPI" stays "CPI"."""
    return text[:1].upper() + text[1:]


def _item(row: StatementRow) -> StatementItem:
    return StatementItem(
        feedback_id=row.feedback_id,
        received_on=row.received_on,
        said=row.text,
        segment=row.segment,
        status=row.status,
        did=row.note or NO_NOTE.get(row.status, ""),
    )


# Wording every format shares (plain text: each format escapes it its own way).


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def statement_title(statement: Statement) -> str:
    return f"You said, we did: {statement.team_name}"


def period_text(statement: Statement) -> str:
    return (
        f"Feedback received from {long_date(statement.period_from)} "
        f"to {long_date(statement.period_to)}."
    )


def summary_text(statement: Statement) -> str:
    if not statement.total:
        return "No feedback was received in this period."
    parts = ", ".join(
        f"{count} {OUTCOMES[status].lower()}" for status, count in statement.counts.items()
    )
    noun = "item" if statement.total == 1 else "items"
    themes = len(statement.themes)
    return (
        f"{statement.total} feedback {noun} on {themes} theme{'' if themes == 1 else 's'}: {parts}."
    )


def item_about(item: StatementItem) -> str:
    """Who said it (the kind of user, never the person) and when it reached us."""
    received = f"received {long_date(item.received_on)}"
    return _capitalised(f"{item.segment}, {received}" if item.segment else received)


# The digest's schedule: a team posts the statement of each period to its digest channel.


def latest_digest_period(cadence: str, today: date) -> Period:
    """The most recent complete period before `today`: the last quarter, or the last month."""
    current_start, _ = period_containing(cadence, today)
    return period_containing(cadence, current_start - timedelta(days=1))


def digest_due_at(period_to: date, zone: ZoneInfo) -> datetime:
    """When the digest of a period ending `period_to` falls due, as a UTC moment:
    09:00 in the team's time zone on the first day after the period."""
    return local_time(period_to + timedelta(days=1), DIGEST_HOUR, zone)


def latest_digest_due(cadence: str, zone: ZoneInfo, moment: datetime) -> tuple[Period, datetime]:
    """The latest period whose digest is due by `moment`, with when it fell due: the latest
    complete period in the team's time zone once its due moment has passed (on a period's
    first day, before 09:00, the one before)."""
    period = latest_digest_period(cadence, moment.astimezone(zone).date())
    if moment < digest_due_at(period[1], zone):
        period = latest_digest_period(cadence, period[0])
    return period, digest_due_at(period[1], zone)


def digest_plan(session: Session, at: datetime, default_zone: ZoneInfo) -> list[Due]:
    """The scheduler's plan: each team's digest, in its digest channel, of each period due
    in the look-back to `at`, as far as `covered_period` allows (none that ended before the
    team was set up or the channel chosen); sent up to `CATCH_UP` late, else skipped
    (`bot/deliveries/catch_up.py`)."""
    teams = teams_with_digest(session=session)
    return planned_each(teams, partial(_team_digests, at, default_zone), team_named)


def _team_digests(at: datetime, default_zone: ZoneInfo, team: ProducerTeam) -> list[Due]:
    assert team.id is not None and team.digest_channel_id is not None
    zone = zone_named(team.timezone, default_zone)
    due_by = partial(latest_digest_due, team.digest_cadence or DEFAULT_CADENCE, zone)
    dues = []
    for period, due_at in occurrences(due_by, at):
        covered = covered_period(
            period,
            team_set_up=team.created_at,
            channel_chosen=team.digest_channel_set_at,
            zone=zone,
        )
        if covered is None:
            continue
        dues.append(
            Due(
                key=digest_key(team.id, covered, team.digest_channel_id),
                kind=DIGEST,
                target=team.digest_channel_id,
                due_at=due_at,
                team_id=team.id,
                note=f"{covered[0].isoformat()}/{covered[1].isoformat()}",
                skip_reason=too_late(due_at, at),
            )
        )
    return dues


def set_up_note(team: ProducerTeam, period_from: date, zone: ZoneInfo) -> str | None:
    """What a team's first scheduled post says of its period when the period begins on
    the day the team was set up (`covered_period` starts it there); else None."""
    began = team.created_at.astimezone(zone).date()
    if began != period_from:
        return None
    return f"{team.name} was set up on {long_date(began)}, so this begins that day."


def digest_key(team_id: int, period: tuple[date, date], channel: str) -> str:
    """The delivery key of a team's digest for `period` in `channel` (both ends, so a
    month and the quarter it starts are different digests)."""
    return f"digest:{team_id}:{period[0].isoformat()}:{period[1].isoformat()}:{channel}"


def period_containing(cadence: str, day: date) -> tuple[date, date]:
    """The quarter, or the month, that `day` falls in."""
    if cadence not in _MONTHS:
        raise ValueError(f"unknown digest cadence {cadence!r}")
    months = _MONTHS[cadence]
    start = date(day.year, (day.month - 1) // months * months + 1, 1)
    after = start.year * 12 + start.month - 1 + months  # months since year 0 of the next start
    return start, date(after // 12, after % 12 + 1, 1) - timedelta(days=1)
