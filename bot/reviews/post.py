"""What a review post says beyond the review's figures: the period in words, a short
narrative, the next steps (whom to ask about the segments not heard from) and the chart's
figures; and the one line the cross-team channels get for each team.

The wording is plain sentences, as in `bot/reviews/formats.py`; the Slack views escape them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.clock import local_time, zone_named
from bot.base.text import counted, listed
from bot.base.vocabulary import METHODS
from bot.reviews.chart import SegmentBar
from bot.reviews.figures import SHORT_NOTICE_DAYS, UNRECORDED_METHOD, Review, review_team
from bot.reviews.formats import percent, rounded
from bot.reviews.schedule import month_start
from bot.statements.you_said_we_did import long_date, set_up_note
from storage.models import ProducerTeam
from storage.review import ReviewScope, segments_seen
from storage.review_posts import organisations_in_segments

CHART_MONTHS = 12  # the chart covers the 12 months ending with the period
CONTACTS_PER_SEGMENT = 3  # organisations suggested for each segment not heard from
CONTACTS_DAYS = 365  # ... from other teams' engagements in the days up to the period's end
STEPS_NAMED = 3  # outputs and segments named in one next step


@dataclass(frozen=True)
class ReviewPost:
    """A review with its chart's figures and whom to ask about the segments not heard
    from: for each, organisations of that segment (their own, in the register) that other
    teams engaged, with how many engagements."""

    review: Review
    chart_from: date  # the chart covers chart_from to review.period_to
    segments: tuple[SegmentBar, ...]  # the chart's bars, in taxonomy order
    contacts: dict[str, list[tuple[str, int]]]  # segment -> [(organisation, engagements)]
    set_up_note: str | None = None  # a period beginning the day the team was set up says so


def review_post(
    *,
    session: Session,
    team: ProducerTeam,
    period: tuple[date, date],
    default_zone: ZoneInfo,
) -> ReviewPost:
    """The team's review of `period`, its chart's figures and its next steps."""
    assert team.id is not None
    review = review_team(
        session=session,
        team=team,
        period_from=period[0],
        period_to=period[1],
        default_zone=default_zone,
    )
    zone = zone_named(team.timezone, default_zone)
    chart_from = month_start(period[1], CHART_MONTHS - 1)
    scope = ReviewScope(
        team_id=team.id,
        period_from=period[0],
        period_to=period[1],
        start=local_time(period[0], 0, zone),
        end=local_time(period[1] + timedelta(days=1), 0, zone),
    )
    seen = segments_seen(session=session, scope=scope, window_from=chart_from)
    return ReviewPost(
        review=review,
        chart_from=chart_from,
        segments=tuple(
            SegmentBar(segment.name, segment.in_period, segment.in_window - segment.in_period)
            for segment in seen
        ),
        contacts=organisations_in_segments(
            session=session,
            segments=review.reach.segments_missing,
            not_team_id=team.id,
            first=period[1] - timedelta(days=CONTACTS_DAYS - 1),
            last=period[1],
            per_segment=CONTACTS_PER_SEGMENT,
        ),
        set_up_note=set_up_note(team, period[0], zone),
    )


def period_name(first: date, last: date) -> str:
    """ "April 2027", "January to March 2027", "May 2026 to April 2027" for whole months;
    else "3 April 2027 to 9 April 2027"."""
    whole = first.day == 1 and (last + timedelta(days=1)).day == 1
    if not whole:
        return f"{long_date(first)} to {long_date(last)}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{last:%B %Y}"
    start = f"{first:%B}" if first.year == last.year else f"{first:%B %Y}"
    return f"{start} to {last:%B %Y}"


def narrative(review: Review) -> list[str]:
    """The figures told in a few sentences."""
    engagements, reach, feedback = review.engagements, review.reach, review.feedback
    days = (review.period_to - review.period_from).days + 1
    name = period_name(review.period_from, review.period_to)
    when = f"From {name}" if " to " in name else f"In {name}"  # "In April 2027"
    logged = counted(engagements.count, "engagement") if engagements.count else "no engagements"
    first = (
        f"{when}, {review.team} logged {logged} "
        f"({engagements.previous_count} in the {days} days before)"
    )
    methods = [(m, n) for m, n in engagements.by_method.items() if m != UNRECORDED_METHOD]
    if methods:
        method, times = max(methods, key=lambda item: item[1])
        first += f", most often by {METHODS.get(method, method).lower()} ({times})"
    sentences = [first + "."]
    if engagements.count:
        segments = (
            f"{counted(len(reach.segments_reached), 'audience segment')} "
            f"({', '.join(reach.segments_reached)})"
            if reach.segments_reached
            else "no recorded audience segment"
        )
        organisations = (
            f"{counted(reach.organisations, 'organisation')}, "
            f"{reach.new_organisations} of them for the first time"
            if reach.organisations
            else "no recorded organisation"
        )
        sentences.append(f"They reached {segments} and {organisations}.")
    if feedback.received:
        median = feedback.median_days_to_response
        sentences.append(
            f"{counted(feedback.received, 'feedback item')} came in: "
            f"{percent(feedback.responded_pct)} had a response by the end of the period"
            + (f" (median {rounded(median)} days)" if median is not None else "")
            + f", and {percent(feedback.acted_on_pct)} are now planned or done."
        )
    else:
        sentences.append("No feedback came in.")
    also = _also(review)
    if also:
        sentences.append(f"The team also {listed(also)}.")
    return sentences


def _also(review: Review) -> list[str]:
    openness, collaboration = review.openness, review.collaboration
    done = []
    if openness.changes_announced:
        notice = rounded(openness.median_notice_days)
        done.append(
            f"announced {counted(openness.changes_announced, 'change')} "
            f"(median notice {notice} days)"
        )
    if collaboration.insights_shared:
        done.append(f"shared {counted(collaboration.insights_shared, 'insight')} with other teams")
    if collaboration.joint_engagements:
        done.append(f"took part in {counted(collaboration.joint_engagements, 'joint engagement')}")
    return done


def next_steps(post: ReviewPost) -> list[str]:
    """What the team could do next, from what the review flags; one sentence each."""
    review = post.review
    steps = []
    unknown = []  # segments no other team knows anyone in
    for segment in review.reach.segments_missing:
        contacts = post.contacts.get(segment, [])
        if not contacts:
            unknown.append(segment)
            continue
        named = [f"{name} ({counted(count, 'engagement')})" for name, count in contacts]
        steps.append(
            f"Hear from {segment}: in the last 12 months other teams engaged {listed(named)} there."
        )
    if unknown:
        steps.append(
            f"Hear from {listed(unknown)}: no other team engaged an organisation there "
            "in the last 12 months either."
        )
    overdue = [output.output for output in review.overdue_outputs]
    if overdue:
        more = len(overdue) - STEPS_NAMED
        named = [*overdue[:STEPS_NAMED], f"{more} more"] if more > 0 else overdue
        steps.append(
            f"Plan engagement on {listed(named)}, overdue for the engagement their "
            "profile warrants."
        )
    if review.voices.dominated:
        names = [name for name, _ in review.voices.top_organisations]
        steps.append(f"Seek feedback beyond {listed(names)}, who gave most of it.")
    if review.openness.short_notice_changes:
        steps.append(f"Announce changes at least {SHORT_NOTICE_DAYS} days before they take effect.")
    return steps


def summary_line(review: Review) -> str:
    """One line on a team's review, for the cross-team channels."""
    engagements, feedback = review.engagements, review.feedback
    figures = [
        f"{counted(engagements.count, 'engagement')} ({engagements.previous_count} before)",
        counted(review.reach.organisations, "organisation"),
        counted(feedback.received, "feedback item")
        + (f" ({percent(feedback.responded_pct)} responded to)" if feedback.received else ""),
    ]
    flags = []
    if review.reach.segments_missing:
        flags.append(f"{counted(len(review.reach.segments_missing), 'segment')} not heard from")
    if review.voices.dominated:
        flags.append("a few voices dominate")
    if review.overdue_outputs:
        flags.append(f"{counted(len(review.overdue_outputs), 'output')} overdue")
    if review.openness.short_notice_changes:
        flags.append(f"{counted(review.openness.short_notice_changes, 'change')} at short notice")
    flagged = f"flags: {', '.join(flags)}" if flags else "nothing flagged"
    when = period_name(review.period_from, review.period_to)
    return f"{review.team} ({when}): {', '.join(figures)}; {flagged}."
