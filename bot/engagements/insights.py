"""Insights: what a team learnt about users, shared with the other teams in the cross-team
channels at once, and gathered with every team's upcoming opportunities in a weekly digest.

The digest goes out every Monday at 09:00 in ENGAGEBOT_TIMEZONE to each cross-team
channel; a bot that was down sends a missed one up to two days late, and records one
later than that as skipped: the next Monday's says what is new. It
lists the insights
shared in the seven days before that Monday and the open opportunities of the next 28 days
from the day it is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.clock import local_time
from bot.base.text import LONG_TEXT_MAX, THEME_MAX
from bot.base.validation import (
    FieldErrors,
    Invalid,
    all_still_there,
    check_names,
    check_required_text,
    no_longer_exists,
)
from bot.deliveries.catch_up import too_late
from bot.feedback.recording import THEMES_MAX
from storage.deliveries import Due, enqueue_to_channels
from storage.insights import (
    OpenOpportunity,
    SharedInsight,
    insight_from_source,
    insights_shared_between,
    open_opportunities_between,
)
from storage.models import Insight, ProducerTeam
from storage.reference import outputs_by_id, segments_by_id, themes_named
from storage.teams import first_team_set_up

# Delivery kinds: an insight posted to a cross-team channel, and the weekly digest.
INSIGHT_SHARED, CROSS_TEAM_DIGEST = "insight_shared", "cross_team_digest"
DIGEST_HOUR = 9
DIGEST_CATCH_UP = timedelta(days=2)
DIGEST_WEEK = timedelta(days=7)
OPPORTUNITY_DAYS = 28


@dataclass
class InsightDraft:
    """An insight as typed: tags by name (new ones added), outputs and segments by id."""

    text: str | None
    tags: list[str] = field(default_factory=list)
    output_ids: list[int] = field(default_factory=list)
    segment_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Sharing:
    """A saved insight and its posts to the cross-team channels, queued (send them by key)."""

    insight: Insight
    dues: list[Due]

    @property
    def channels(self) -> list[str]:
        return [due.target for due in self.dues]


def insight_problems(draft: InsightDraft) -> FieldErrors:
    """What is wrong with the draft on its own, before the database is asked."""
    errors: FieldErrors = {}
    check_required_text(errors, "text", "The insight", draft.text, LONG_TEXT_MAX)
    check_names(errors, "tags", "Tag", draft.tags, THEME_MAX)
    if len(draft.tags) > THEMES_MAX:
        errors["tags"] = f"Give at most {THEMES_MAX} tags."
    return errors


def save_insight(
    *,
    session: Session,
    draft: InsightDraft,
    team_id: int,
    user_id: str,
    channels: Sequence[str],
    now: datetime,
    source_key: str | None = None,
) -> Sharing:
    """Store the team's insight and queue its post to each of `channels`; raise `Invalid`
    and write nothing. A `source_key` already used returns the insight it created (its
    posts are queued once: their keys exist), so a retried Slack request shares once."""
    existing = insight_from_source(session=session, source_key=source_key) if source_key else None
    if existing is not None:
        return _queue_posts(session, existing, channels, now)
    errors = insight_problems(draft)
    team = session.get(ProducerTeam, team_id)
    if team is None:
        errors["text"] = no_longer_exists("Your team", ": nothing was shared")
    outputs = outputs_by_id(session=session, ids=draft.output_ids)
    chosen = all_still_there(outputs, draft.output_ids, errors, "outputs", "outputs")
    if chosen and team is not None and any(output.team_id != team.id for output in outputs):
        errors["outputs"] = f"Choose outputs of {team.name} only."
    segments = segments_by_id(session=session, ids=draft.segment_ids)
    all_still_there(segments, draft.segment_ids, errors, "segments", "audience segments")
    if errors:
        raise Invalid(errors)
    assert draft.text is not None
    insight = Insight(
        team_id=team_id,
        text=draft.text.strip(),
        created_by=user_id,
        source_key=source_key,
        created_at=now,
    )
    insight.outputs = outputs
    insight.segments = segments
    insight.themes = themes_named(session=session, names=draft.tags)
    session.add(insight)
    session.flush()
    return _queue_posts(session, insight, channels, now)


def _queue_posts(
    session: Session, insight: Insight, channels: Iterable[str], now: datetime
) -> Sharing:
    dues = enqueue_to_channels(
        session=session,
        kind=INSIGHT_SHARED,
        key=lambda channel: f"insight:{insight.id}:{channel}",
        channels=channels,
        now=now,
        team_id=insight.team_id,
        subject_id=insight.id,
    )
    return Sharing(insight, dues)


# --- the weekly cross-team digest ------------------------------------------------------------


def digest_monday(at: datetime, zone: ZoneInfo) -> date:
    """The Monday of the latest digest due by `at`: this week's once its 09:00 has passed."""
    local = at.astimezone(zone).date()
    monday = local - timedelta(days=local.weekday())
    return monday if at >= local_time(monday, DIGEST_HOUR, zone) else monday - DIGEST_WEEK


def cross_team_digest_plan(
    channels: Sequence[str],
) -> Callable[[Session, datetime, ZoneInfo], list[Due]]:
    """The scheduler's plan for the digest to each of `channels` (ENGAGEBOT_CROSS_TEAM_CHANNELS):
    `digests_due` since the workspace's first team was set up."""

    def plan(session: Session, at: datetime, default_zone: ZoneInfo) -> list[Due]:
        first_team = first_team_set_up(session=session)
        return digests_due(channels, at, default_zone, first_team)

    return plan


def digests_due(
    channels: Sequence[str], at: datetime, zone: ZoneInfo, first_team: datetime | None
) -> list[Due]:
    """The latest Monday's digest to each of `channels`, sent up to DIGEST_CATCH_UP late,
    else skipped. Earlier Mondays are not looked for: the channels are configuration, with
    no date to say since when one was owed (`bot/deliveries/catch_up.py`); and none is owed of a
    week that ended before the first team (set up at `first_team`) was."""
    monday = digest_monday(at, zone)
    if first_team is None or monday <= first_team.astimezone(zone).date():
        return []
    due_at = local_time(monday, DIGEST_HOUR, zone)
    return [
        Due(
            key=f"cross-team:{monday.isoformat()}:{channel}",
            kind=CROSS_TEAM_DIGEST,
            target=channel,
            due_at=due_at,
            note=monday.isoformat(),
            skip_reason=too_late(due_at, at, DIGEST_CATCH_UP),
        )
        for channel in dict.fromkeys(channels)
    ]


@dataclass(frozen=True)
class CrossTeamDigest:
    monday: date
    insights: list[SharedInsight]
    insights_total: int
    opportunities: list[OpenOpportunity]
    opportunities_total: int
    first_day: date  # the opportunities listed take place from this day ...
    last_day: date  # ... to this one

    @property
    def empty(self) -> bool:
        return not self.insights_total and not self.opportunities_total


def cross_team_digest(
    *, session: Session, monday: date, at: datetime, zone: ZoneInfo, limit: int
) -> CrossTeamDigest:
    """What the digest of `monday`, sent at `at`, lists (at most `limit` of each)."""
    start = local_time(monday - DIGEST_WEEK, 0, zone)
    insights, insights_total = insights_shared_between(
        session=session, start=start, end=local_time(monday, 0, zone), limit=limit
    )
    first = max(at.astimezone(zone).date(), monday)
    last = first + timedelta(days=OPPORTUNITY_DAYS - 1)
    opportunities, opportunities_total = open_opportunities_between(
        session=session, first=first, last=last, limit=limit
    )
    return CrossTeamDigest(
        monday, insights, insights_total, opportunities, opportunities_total, first, last
    )
