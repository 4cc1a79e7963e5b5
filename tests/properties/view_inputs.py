"""What the builders of messages and views are given, generated to the limits of what the
bot stores: the longest names, many items, and text that escaping lengthens (each `&`, `<`
and `>` becomes four or five characters in mrkdwn).

Records are built as the database would return them (relationships filled in), without a
database: a builder reads only what they hold.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from hypothesis import strategies as st

from bot.base.text import (
    LONG_TEXT_MAX,
    NAME_MAX,
    ORGANISATION_MAX,
    OUTPUT_NAME_MAX,
    SUMMARY_MAX,
    THEME_MAX,
)
from bot.base.vocabulary import FEEDBACK_STATUSES, METHODS
from bot.changes.announcing import REASON_MAX
from bot.changes.announcing import TITLE_MAX as CHANGE_TITLE_MAX
from bot.engagements.opportunities import PLACE_MAX
from bot.engagements.opportunities import TITLE_MAX as OPPORTUNITY_TITLE_MAX
from storage.models import (
    AudienceSegment,
    Engagement,
    Feedback,
    FeedbackDecision,
    Insight,
    Opportunity,
    Organisation,
    ProducerTeam,
    StatisticalOutput,
    Theme,
    UpcomingChange,
)
from tests.domain.test_users_map import SEGMENTS as SEGMENT_NAMES  # the seeded taxonomy

T = TypeVar("T")

# Characters a person types, those that escaping lengthens among them.
ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from("&<>*_`")
# Whole texts at a length limit, cheap to make however long: each unit repeated.
UNITS = ("&", "<>", "a", "é ", "😀", "A & B\n", "<!channel> ", "word ")
_ids = itertools.count(1)


def typed(most: int, *, least: int = 1) -> st.SearchStrategy[str]:
    """Text a person typed, of `least` to `most` characters: short, or as long as allowed
    (often all `&`, the worst case once escaped)."""
    short = st.text(ALPHABET, min_size=least, max_size=min(most, 30)).filter(
        lambda text: len(text.strip()) >= least
    )
    longest = st.sampled_from(UNITS).map(lambda unit: (unit * most)[:most])
    return st.one_of(short, longest, st.just("&" * most))


def optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.one_of(st.none(), strategy)


def counts(most: int) -> st.SearchStrategy[int]:
    """How many of something: none, a few, or many (up to `most`)."""
    return st.one_of(st.integers(0, 3), st.integers(0, most), st.just(most))


def many(strategy: st.SearchStrategy[T], most: int) -> st.SearchStrategy[list[T]]:
    """A few distinct items, or `most` copies of one (as many items as a list can hold,
    made cheaply: the builders tell them apart only by what they hold)."""
    return st.one_of(
        st.lists(strategy, max_size=4),
        st.tuples(strategy, counts(most)).map(lambda pair: [pair[0]] * pair[1]),
    )


def slack_ids(prefix: str) -> st.SearchStrategy[str]:
    return st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=8, max_size=11).map(
        lambda rest: prefix + rest
    )


def record_ids() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(1, 50), st.just(2**31 - 1))


DAYS = st.dates(date(2000, 1, 1), date(2036, 12, 31))
MOMENTS = st.datetimes(datetime(2000, 1, 1), datetime(2036, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)
CHANNELS = slack_ids("C")
USERS = slack_ids("U")
TEAM_NAMES = typed(NAME_MAX)
OUTPUT_NAMES = typed(OUTPUT_NAME_MAX)
ORGANISATION_NAMES = typed(ORGANISATION_MAX)
SEGMENT = st.sampled_from(SEGMENT_NAMES)
SEGMENTS = st.lists(SEGMENT, unique=True).map(
    lambda names: [AudienceSegment(id=SEGMENT_NAMES.index(n) + 1, name=n) for n in names]
)
ALL_SEGMENTS = [AudienceSegment(id=n + 1, name=name) for n, name in enumerate(SEGMENT_NAMES)]
STATUSES = st.sampled_from(list(FEEDBACK_STATUSES))
METHOD_VALUES = st.sampled_from(list(METHODS))
PROFILES = st.sampled_from(["high", "medium", "low"])


@st.composite
def teams(draw: st.DrawFn) -> ProducerTeam:
    team = ProducerTeam(
        id=draw(record_ids()),
        name=draw(TEAM_NAMES),
        home_channel_id=draw(optional(CHANNELS)),
        timezone=draw(
            optional(st.sampled_from(["Europe/London", "America/Argentina/Buenos_Aires"]))
        ),
        alert_lead_days=draw(
            optional(st.sampled_from(["28,7,1", "1", ",".join(map(str, range(1, 11)))]))
        ),
        digest_channel_id=draw(optional(CHANNELS)),
        digest_cadence=draw(optional(st.sampled_from(["monthly", "quarterly"]))),
        review_channel_id=draw(optional(CHANNELS)),
        review_cadence=draw(optional(st.sampled_from(["monthly", "quarterly"]))),
        target_days_high=draw(optional(st.integers(1, 3650))),
        public_slug=draw(optional(st.sampled_from(["prices", "a" + "-b" * 29]))),
    )
    team.outputs = draw(many(outputs(team), 400))
    return team


def outputs(team: ProducerTeam | None = None) -> st.SearchStrategy[StatisticalOutput]:
    owner = st.just(team) if team is not None else teams_without_outputs()
    return st.builds(
        lambda owner, name, profile, number: StatisticalOutput(
            id=number, name=name, profile=profile, team=owner, team_id=owner.id
        ),
        owner,
        OUTPUT_NAMES,
        PROFILES,
        record_ids(),
    )


def teams_without_outputs() -> st.SearchStrategy[ProducerTeam]:
    return st.builds(
        lambda number, name: ProducerTeam(id=number, name=name), record_ids(), TEAM_NAMES
    )


@st.composite
def changes(draw: st.DrawFn) -> UpcomingChange:
    output = draw(outputs())
    effective_on = draw(DAYS)
    return UpcomingChange(
        id=draw(record_ids()),
        team=output.team,
        team_id=output.team_id,
        output=output,
        output_id=output.id,
        title=draw(typed(CHANGE_TITLE_MAX)),
        description=draw(typed(LONG_TEXT_MAX)),
        effective_on=effective_on,
        feedback_by=draw(optional(st.just(effective_on - timedelta(days=1)))),
        revision=draw(st.integers(1, 1000)),
        cancel_reason=draw(optional(typed(REASON_MAX))),
        segments=draw(SEGMENTS),
    )


@st.composite
def feedback_items(draw: st.DrawFn) -> Feedback:
    team = draw(teams_without_outputs())
    organisation = draw(optional(ORGANISATION_NAMES))
    return Feedback(
        id=draw(record_ids()),
        team=team,
        team_id=team.id,
        received_on=draw(DAYS),
        text=draw(typed(LONG_TEXT_MAX)),
        status=draw(STATUSES),
        organisation=Organisation(name=organisation) if organisation else None,
        themes=[Theme(name=name) for name in draw(st.lists(typed(THEME_MAX), max_size=5))],
        contact_name=draw(optional(typed(120))),
        contact_email=draw(optional(st.just("jane.doe@example.org"))),
        source_permalink=draw(
            optional(st.just("https://example.slack.com/archives/C0123ABCD/p1700000000000100"))
        ),
    )


@st.composite
def decisions(draw: st.DrawFn, feedback_id: int | None = None) -> FeedbackDecision:
    merged = draw(st.booleans())
    before, after = draw(STATUSES), draw(STATUSES)
    return FeedbackDecision(
        id=next(_ids),
        feedback_id=feedback_id if feedback_id is not None else draw(record_ids()),
        from_status=before,
        to_status=before if merged else after,
        note=draw(optional(typed(LONG_TEXT_MAX))),
        decided_at=draw(MOMENTS),
    )


@st.composite
def engagements(draw: st.DrawFn) -> Engagement:
    team = draw(teams_without_outputs())
    return Engagement(
        id=draw(record_ids()),
        team=team,
        team_id=team.id,
        occurred_on=draw(DAYS),
        method=draw(optional(METHOD_VALUES)),
        participants=draw(optional(st.integers(0, 2**31 - 1))),
        summary=draw(typed(SUMMARY_MAX)),
        what_we_heard=draw(optional(typed(LONG_TEXT_MAX))),
        uses=draw(optional(typed(LONG_TEXT_MAX))),
        follow_up_actions=draw(optional(typed(LONG_TEXT_MAX))),
        outputs=draw(many(outputs(team), 100)),
        segments=draw(SEGMENTS),
        organisations=[Organisation(name=n) for n in draw(many(ORGANISATION_NAMES, 100))],
        partners=draw(many(teams_without_outputs(), 100)),
    )


@st.composite
def insights(draw: st.DrawFn) -> Insight:
    team = draw(teams_without_outputs())
    return Insight(
        id=draw(record_ids()),
        team=team,
        team_id=team.id,
        text=draw(typed(LONG_TEXT_MAX)),
        created_by=draw(optional(USERS)),
        themes=[Theme(name=name) for name in draw(many(typed(THEME_MAX), 200))],
        outputs=draw(many(outputs(team), 200)),
        segments=draw(SEGMENTS),
    )


@st.composite
def opportunities(draw: st.DrawFn) -> Opportunity:
    team = draw(teams_without_outputs())
    return Opportunity(
        id=draw(record_ids()),
        team=team,
        team_id=team.id,
        title=draw(typed(OPPORTUNITY_TITLE_MAX)),
        happens_on=draw(DAYS),
        place=draw(typed(PLACE_MAX)),
        description=draw(st.one_of(st.just(""), typed(LONG_TEXT_MAX))),
        places=draw(st.integers(1, 10_000)),
        organiser=draw(USERS),
    )


def fields(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments, each drawn from its strategy."""
    return st.fixed_dictionaries(strategies)
