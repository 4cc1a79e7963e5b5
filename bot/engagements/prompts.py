"""Proportionate prompts: when an output passes its profile's target without engagement,
its team's home channel is prompted once, naming the audience segments not heard from
about it, with buttons to log an engagement or snooze the prompts for 30 days.

An output is overdue as the review counts it, by the same function (`bot/reviews/figures.py:
overdue_outputs`): more days than its profile's target (the team's, else high 30, medium
90, low 180) since the later of the day it was added and its last engagement. It crosses
the target on the day after the target's last day, and is prompted at 09:00 team time
that day. Each crossing is prompted once (the key names the last
engagement, so a new one makes the next crossing a new prompt); a snooze holds prompts
back until it ends, and if the output is still overdue then, it is prompted once more. A
bot that was down sends a missed prompt up to a week late; one later than that is
recorded as skipped (`bot/deliveries/catch_up.py`), and left to the review, which lists every
overdue output.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.clock import local_time, zone_named
from bot.deliveries.catch_up import LOOKBACK, planned_each, team_named, too_late
from bot.reviews.figures import overdue_from, overdue_outputs, target_days
from storage.deliveries import Due
from storage.models import ProducerTeam, StatisticalOutput
from storage.prompts import last_engagement, segments_not_heard, teams_to_prompt
from storage.review import ReviewScope

OVERDUE_PROMPT = "overdue_prompt"  # the delivery kind
PROMPT_HOUR = 9
SNOOZE_DAYS = 30
HEARD_DAYS = 365  # a segment is "not heard from" about an output with none in these days
NEVER = "never"


@dataclass(frozen=True)
class OverduePrompt:
    """What a prompt says about an overdue output, as of `today`."""

    output: StatisticalOutput
    last_engaged: date | None  # None: never
    days_since: int | None
    target_days: int
    segments_not_heard: list[str]  # in taxonomy order
    today: date


def prompt_key(output_id: int, last_engaged: date | None, snoozed_until: date | None) -> str:
    """One prompt per crossing (and one more after a snooze of it ends)."""
    key = f"overdue:{output_id}:{last_engaged.isoformat() if last_engaged else NEVER}"
    return f"{key}:snoozed-{snoozed_until.isoformat()}" if snoozed_until else key


def prompt_plan(session: Session, at: datetime, default_zone: ZoneInfo) -> list[Due]:
    """The scheduler's plan: a prompt for each output overdue as of `at`, not snoozed,
    due at 09:00 team time on the day it crossed its target (or its snooze ended), if that
    was in the look-back; skipped if more than a week ago."""
    teams = teams_to_prompt(session=session)
    return planned_each(teams, partial(_team_prompts, session, at, default_zone), team_named)


def _team_prompts(
    session: Session, at: datetime, default_zone: ZoneInfo, team: ProducerTeam
) -> Iterator[Due]:
    assert team.id is not None and team.home_channel_id is not None
    zone = zone_named(team.timezone, default_zone)
    today = at.astimezone(zone).date()
    outputs = {output.id: output for output in team.outputs}
    scope = ReviewScope(
        team_id=team.id,
        period_from=today,
        period_to=today,
        start=local_time(today, 0, zone),
        end=local_time(today + timedelta(days=1), 0, zone),
    )
    targets = target_days(team)
    for found in overdue_outputs(session=session, scope=scope, targets=targets, zone=zone):
        snoozed = outputs[found.output_id].prompt_snoozed_until
        if snoozed is not None and snoozed >= today:
            continue
        day = found.since
        after_snooze = snoozed if snoozed is not None and snoozed >= day else None
        if after_snooze is not None:
            day = after_snooze + timedelta(days=1)
        due_at = local_time(day, PROMPT_HOUR, zone)
        if not at - LOOKBACK < due_at <= at:
            continue
        yield Due(
            key=prompt_key(found.output_id, found.last_engaged, after_snooze),
            kind=OVERDUE_PROMPT,
            target=team.home_channel_id,
            due_at=due_at,
            team_id=team.id,
            subject_id=found.output_id,
            note=found.last_engaged.isoformat() if found.last_engaged else NEVER,
            skip_reason=too_late(due_at, at),
        )


def overdue_prompt(
    *, session: Session, output: StatisticalOutput, today: date, zone: ZoneInfo
) -> OverduePrompt | None:
    """The prompt about the output as of `today`; None when it is not overdue (engaged
    recently enough, or added too recently) or its prompts are snoozed."""
    assert output.id is not None
    if output.prompt_snoozed_until is not None and output.prompt_snoozed_until >= today:
        return None
    last = last_engagement(session=session, output_id=output.id, until=today)
    target = target_days(output.team)[output.profile]
    added_on = output.created_at.astimezone(zone).date()
    if today < overdue_from(added_on=added_on, last_engaged=last, target_days=target):
        return None
    return OverduePrompt(
        output=output,
        last_engaged=last,
        days_since=None if last is None else (today - last).days,
        target_days=target,
        segments_not_heard=segments_not_heard(
            session=session,
            output_id=output.id,
            first=today - timedelta(days=HEARD_DAYS - 1),
            last=today,
        ),
        today=today,
    )


def snooze(*, session: Session, output: StatisticalOutput, today: date) -> date:
    """Hold back the output's prompts for SNOOZE_DAYS from `today`; the last day held."""
    output.prompt_snoozed_until = today + timedelta(days=SNOOZE_DAYS)
    session.add(output)
    session.flush()
    return output.prompt_snoozed_until
