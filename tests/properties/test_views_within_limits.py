"""Every message and view the bot builds stays inside Slack's limits, whatever it is given:
the longest names the bot stores, many items, text that escaping lengthens.

Each builder (a public function of `handlers/views/`, and the few elsewhere) has a case
here: what it is given, generated (tests/properties/view_inputs.py), and how it is called.
`test_every_builder_has_a_case` fails when a builder is added without one, and
`test_every_module_building_blocks_is_known` when blocks are built in a new module.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import handlers
import handlers.views
from bot.base.text import LONG_TEXT_MAX, NAME_MAX, SUMMARY_MAX
from bot.changes.announcing import DATE_FIELDS, Difference
from bot.changes.subscriptions import ALREADY, COVERED, HOME, RESUMED, SUBSCRIBED, Target
from bot.engagements.insights import CrossTeamDigest, OpenOpportunity, SharedInsight
from bot.engagements.opportunities import Answer
from bot.engagements.prompts import OverduePrompt
from bot.reviews.chart import SegmentBar
from bot.reviews.figures import (
    Collaboration,
    EngagementFigures,
    FeedbackFigures,
    Openness,
    OverdueOutput,
    Reach,
    Review,
    Voices,
)
from bot.reviews.post import ReviewPost
from bot.statements.you_said_we_did import Statement, StatementItem, ThemeGroup
from bot.teams.editing import MEMBERS_MAX, TeamDraft
from bot.users.map import Column, UsersMap
from bot.users.organisations import RegisterEntry, SegmentSet
from bot.users.who import WhoAnswer, WhoChoices, WhoUnknown
from handlers import permissions
from handlers.views import (
    alerts,
    changes,
    decisions,
    engagement,
    entries,
    feedback,
    help,
    home,
    inbox,
    insights,
    opportunities,
    organisations,
    prompts,
    reviews,
    statements,
    subscriptions,
    team,
    users_map,
    web_feedback,
    who,
)
from handlers.views.limits import problems
from storage.entries import RecentEntry
from storage.models import ProducerTeam
from storage.users_map import OrganisationTally, Tally
from storage.who import TeamEngagements, TeamFeedback
from tests.properties.view_inputs import (
    ALL_SEGMENTS,
    CHANNELS,
    DAYS,
    METHOD_VALUES,
    MOMENTS,
    ORGANISATION_NAMES,
    OUTPUT_NAMES,
    PROFILES,
    SEGMENT,
    SEGMENT_NAMES,
    STATUSES,
    TEAM_NAMES,
    USERS,
    counts,
    feedback_items,
    fields,
    many,
    optional,
    outputs,
    record_ids,
    teams,
    teams_without_outputs,
    typed,
)
from tests.properties.view_inputs import (
    changes as change_records,
)
from tests.properties.view_inputs import (
    decisions as decision_records,
)
from tests.properties.view_inputs import (
    engagements as engagement_records,
)
from tests.properties.view_inputs import (
    insights as insight_records,
)
from tests.properties.view_inputs import (
    opportunities as opportunity_records,
)
from tests.registered import registered

ZONES = st.sampled_from([ZoneInfo("Europe/London"), ZoneInfo("Pacific/Kiritimati")])
METADATA = st.one_of(st.just(""), st.just('{"response_url": "' + "x" * 300 + '"}'))
# What the handlers put under a confirmation (organisations told of their segment).
NOTES = st.lists(st.builds(RegisterEntry, ORGANISATION_NAMES, optional(SEGMENT)), max_size=8).map(
    lambda entries: organisations.segment_notes(entries, "Engagement")
)


# Requests the inbox holds: a command with what was typed after it, or a button's click.
COMMANDS = st.fixed_dictionaries({"command": st.just("/engage"), "text": typed(4000)})
REQUESTS = COMMANDS | st.just({"type": "block_actions"})
FAILURES = st.sampled_from([ConnectionRefusedError("refused"), TimeoutError()])


class Case:
    """One way a builder is called: `build` with keyword arguments drawn from `given`."""

    def __init__(
        self,
        covers: tuple[Callable[..., Any], ...],
        given: st.SearchStrategy[dict[str, Any]],
        build: Callable[..., Any],
    ) -> None:
        self.covers, self.given, self.build = covers, given, build

    @property
    def name(self) -> str:
        return "+".join(function.__name__ for function in self.covers)

    def __repr__(self) -> str:
        return self.name


def case(builder: Callable[..., Any], given: st.SearchStrategy[dict[str, Any]]) -> Case:
    return Case((builder,), given, builder)


def notices() -> st.SearchStrategy[Any]:
    from bot.changes.alerts import ChangeNotice

    return st.builds(
        ChangeNotice,
        change_id=record_ids(),
        title=typed(150),
        description=typed(LONG_TEXT_MAX),
        output=OUTPUT_NAMES,
        effective_on=DAYS,
        feedback_by=optional(DAYS),
        today=DAYS,
    )


def differences() -> st.SearchStrategy[list[Difference]]:
    dated = st.builds(
        Difference,
        st.sampled_from(sorted(DATE_FIELDS)),
        optional(DAYS.map(date.isoformat)),
        optional(DAYS.map(date.isoformat)),
    )
    named = st.builds(
        Difference,
        st.sampled_from(["team", "output", "title", "description", "segments"]),
        optional(typed(150)),
        optional(typed(150)),
    )
    return st.lists(st.one_of(dated, named), max_size=7)


def targets() -> st.SearchStrategy[Target]:
    return st.builds(Target, teams_without_outputs(), optional(outputs()))


def reviews_posted() -> st.SearchStrategy[ReviewPost]:
    numbers = st.integers(0, 100_000)
    percentages = optional(st.floats(0, 100))
    organisation_counts = st.tuples(ORGANISATION_NAMES, numbers)
    review = st.builds(
        Review,
        team=TEAM_NAMES,
        period_from=DAYS,
        period_to=DAYS,
        engagements=st.builds(
            EngagementFigures,
            numbers,
            numbers,
            st.dictionaries(METHOD_VALUES, st.integers(1, 1000)),
        ),
        reach=st.builds(
            Reach,
            st.lists(SEGMENT, unique=True).map(tuple),
            st.lists(SEGMENT, unique=True).map(tuple),
            numbers,
            numbers,
        ),
        voices=many(organisation_counts, 3).flatmap(
            # Dominated only by organisations that gave feedback.
            lambda top: st.builds(
                Voices,
                st.floats(0, 1),
                st.booleans() if top else st.just(False),
                st.just(tuple(top)),
            )
        ),
        feedback=st.builds(
            FeedbackFigures,
            numbers,
            percentages,
            optional(st.floats(0, 1000)),
            percentages,
            st.floats(0, 100),
        ),
        overdue_outputs=many(
            st.builds(OverdueOutput, OUTPUT_NAMES, PROFILES, optional(numbers), numbers), 400
        ).map(tuple),
        openness=st.builds(Openness, numbers, optional(st.floats(0, 3650)), numbers),
        collaboration=st.builds(Collaboration, numbers, numbers),
    )
    bars = st.just(tuple(SegmentBar(name, 3, 4) for name in SEGMENT_NAMES))
    contacts = st.dictionaries(SEGMENT, many(organisation_counts, 3))
    return st.builds(ReviewPost, review, DAYS, bars, contacts)


def statements_made() -> st.SearchStrategy[Statement]:
    item = st.builds(
        StatementItem,
        feedback_id=record_ids(),
        received_on=DAYS,
        said=typed(LONG_TEXT_MAX),
        segment=optional(SEGMENT),
        status=STATUSES,
        did=typed(LONG_TEXT_MAX),
    )
    group = st.builds(ThemeGroup, typed(60), many(item, 300).map(tuple))
    return st.builds(
        Statement,
        team_name=TEAM_NAMES,
        period_from=DAYS,
        period_to=DAYS,
        themes=many(group, 60).map(tuple),
        counts=st.dictionaries(STATUSES, st.integers(1, 10_000)),
    )


def users_maps() -> st.SearchStrategy[UsersMap]:
    tally = st.builds(Tally, st.integers(1, 100_000), DAYS)
    columns = many(st.builds(Column, OUTPUT_NAMES, PROFILES), 400).map(tuple)

    @st.composite
    def made(draw: st.DrawFn) -> UsersMap:
        chosen = draw(columns)
        cells = {
            (segment, column.name): draw(tally)
            for column in chosen[:3]
            for segment in SEGMENT_NAMES
            if draw(st.booleans())
        }
        return UsersMap(
            team_name=draw(TEAM_NAMES),
            output_name=draw(optional(OUTPUT_NAMES)),
            segments=SEGMENT_NAMES,
            outputs=chosen,
            cells=cells,
            segment_totals={segment: draw(tally) for segment in SEGMENT_NAMES},
            engagements=draw(st.integers(0, 100_000)),
            without_segment=draw(st.integers(0, 100)),
            organisations=tuple(
                draw(
                    many(
                        st.builds(
                            OrganisationTally, ORGANISATION_NAMES, counts(99), counts(99), DAYS
                        ),
                        500,
                    )
                )
            ),
        )

    return made()


def who_found() -> st.SearchStrategy[Any]:
    engaged = st.builds(
        TeamEngagements,
        TEAM_NAMES,
        st.integers(1, 10_000),
        DAYS,
        st.lists(st.tuples(METHOD_VALUES, st.integers(1, 99)), max_size=11),
        many(TEAM_NAMES, 200),
    )
    heard = st.builds(TeamFeedback, TEAM_NAMES, st.integers(1, 10_000), DAYS)
    asked = typed(3000)
    return st.one_of(
        st.builds(
            WhoAnswer,
            st.one_of(ORGANISATION_NAMES, SEGMENT),
            st.booleans(),
            optional(DAYS),
            many(engaged, 300),
            many(heard, 300),
        ),
        st.builds(
            WhoChoices,
            asked,
            st.lists(ORGANISATION_NAMES, min_size=1, max_size=10),
            st.integers(10, 10_000),
        ),
        st.builds(WhoUnknown, asked, st.just(list(SEGMENT_NAMES))),
    )


def digests() -> st.SearchStrategy[CrossTeamDigest]:
    insight = st.builds(SharedInsight, team=TEAM_NAMES, text=typed(LONG_TEXT_MAX))
    opportunity = st.builds(
        OpenOpportunity,
        title=typed(150),
        team=TEAM_NAMES,
        happens_on=DAYS,
        places_left=st.integers(0, 10_000),
    )
    return st.builds(
        CrossTeamDigest,
        monday=DAYS,
        insights=many(insight, 15),
        insights_total=st.integers(0, 100_000),
        opportunities=many(opportunity, 15),
        opportunities_total=st.integers(0, 100_000),
        first_day=DAYS,
        last_day=DAYS,
    )


def prompts_due() -> st.SearchStrategy[OverduePrompt]:
    return st.builds(
        OverduePrompt,
        output=outputs(),
        last_engaged=optional(DAYS),
        days_since=optional(st.integers(0, 100_000)),
        target_days=st.integers(1, 3650),
        segments_not_heard=st.lists(SEGMENT, unique=True),
        today=DAYS,
    )


# ENGAGEBOT_PUBLIC_URL: unset, or as long as a real one may be.
PUBLIC_URLS = optional(st.just("https://statistics.example.org/" + "engage/" * 20))


def team_drafts() -> st.SearchStrategy[TeamDraft]:
    short = optional(typed(40))
    return st.builds(
        TeamDraft,
        name=typed(3000),  # a command's text over the name's limit opens the form with it
        home_channel_id=optional(CHANNELS),
        outputs_text=typed(3000, least=0),
        timezone=optional(typed(64)),
        alert_lead_days=short,
        digest_channel_id=optional(CHANNELS),
        digest_cadence=optional(st.sampled_from(["monthly", "quarterly", "never"])),
        review_channel_id=optional(CHANNELS),
        review_cadence=optional(st.sampled_from(["monthly", "quarterly", "never"])),
        target_days_high=optional(typed(10)),
        target_days_medium=optional(typed(10)),
        target_days_low=optional(typed(10)),
        member_ids=optional(st.lists(USERS, max_size=MEMBERS_MAX).map(tuple)),
        public_address=optional(typed(60)),
    )


def members() -> st.SearchStrategy[list[str]]:
    return st.one_of(
        st.lists(USERS, max_size=3), st.just([f"U{n:010d}" for n in range(MEMBERS_MAX)])
    )


def item_with_history() -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def made(draw: st.DrawFn) -> dict[str, Any]:
        item = draw(feedback_items())
        history = draw(many(decision_records(item.id), 400))
        return {
            "item": item,
            "history": history,
            "metadata": draw(METADATA),
            "timezone": draw(ZONES),
        }

    return made()


def numbered_changes(most: int) -> st.SearchStrategy[list[Any]]:
    """Up to `most` changes, each with its own number, as a list shows them."""
    return st.tuples(change_records(), counts(most)).map(
        lambda pair: [copy_numbered(pair[0], number) for number in range(1, pair[1] + 1)]
    )


def copy_numbered(record: Any, number: int) -> Any:
    copied = type(record).model_validate(record)
    for relation in ("team", "output", "segments"):
        setattr(copied, relation, getattr(record, relation))
    copied.id = number
    return copied


def saved_with_notes(notes: list[dict[str, Any]]) -> dict[str, Any]:
    """The confirmation the notes go under, with the longest of everything else."""
    return entries.recorded_message(
        kind="engagement",
        label="Engagement",
        record_id=2**31 - 1,
        text="&" * SUMMARY_MAX,
        team="&" * NAME_MAX,
        verb="Updated",
        notes=notes,
    )


def help_given() -> st.SearchStrategy[dict[str, Any]]:
    _, subcommands = registered()
    return fields(subcommands=st.just(subcommands), unknown=optional(typed(3000)))


def opportunity_rows() -> st.SearchStrategy[list[tuple[Any, int]]]:
    return many(st.tuples(opportunity_records(), st.integers(0, 10_000)), 40)


SIGNED_UP = st.one_of(
    st.lists(USERS, max_size=3), counts(10_000).map(lambda n: [f"U{i:010d}" for i in range(n)])
)
ENTRY = dict(
    kind=st.sampled_from(["engagement", "feedback"]),
    label=st.sampled_from(["Engagement", "Feedback"]),
)
# What the engagement and feedback forms are both opened with.
ENTRY_FORM = dict(
    segments=st.just(ALL_SEGMENTS),
    today=DAYS,
    metadata=METADATA,
    team=optional(teams_without_outputs()),
    output=optional(outputs()),
    note=optional(typed(300)),
)

CASES = [
    *(
        case(builder, fields(notice=notices()))
        for builder in (
            alerts.reminder_message,
            alerts.in_effect_message,
            alerts.staff_message,
        )
    ),
    case(
        alerts.feedback_closes_message,
        fields(notice=notices().filter(lambda notice: notice.feedback_by is not None)),
    ),
    case(
        changes.change_modal,
        fields(
            segments=st.just(ALL_SEGMENTS),
            metadata=METADATA,
            change=optional(change_records()),
            team=optional(teams_without_outputs()),
        ),
    ),
    case(changes.cancel_modal, fields(change=change_records(), metadata=METADATA)),
    case(
        changes.done_modal,
        fields(
            change=change_records(),
            verb=st.sampled_from(["Announced", "Updated", "Cancelled"]),
            channels=many(CHANNELS, 2000),
        ),
    ),
    case(changes.unchanged_modal, fields(change=change_records())),
    case(
        changes.changes_list_message,
        fields(
            team_name=TEAM_NAMES,
            changes=numbered_changes(changes.LIST_LIMIT),
            total=st.integers(0, 100_000),
        ),
    ),
    case(changes.announcement_message, fields(change=change_records(), differences=differences())),
    case(
        changes.cancellation_message,
        fields(change=change_records().filter(lambda change: change.cancel_reason)),
    ),
    case(decisions.decision_modal, item_with_history()),
    case(
        decisions.merge_modal,
        fields(
            item=feedback_items(),
            targets=many(feedback_items(), decisions.MERGE_TARGETS_MAX),
            more=st.booleans(),
            metadata=METADATA,
        ),
    ),
    case(decisions.decided_modal, fields(item=feedback_items())),
    Case(
        (decisions.merged_modal, decisions.merged_text),
        fields(kept=feedback_items(), merged=feedback_items()),
        decisions.merged_modal,
    ),
    case(
        decisions.merged_message,
        fields(kept=feedback_items(), merged=feedback_items(), merger=USERS),
    ),
    case(
        decisions.decision_message,
        fields(item=feedback_items(), decision=decision_records(), decider=USERS),
    ),
    case(
        decisions.open_feedback_message,
        fields(
            team_name=TEAM_NAMES,
            items=many(feedback_items(), decisions.LIST_LIMIT),
            total=st.integers(0, 100_000),
        ),
    ),
    case(
        engagement.engagement_modal,
        fields(
            **ENTRY_FORM,
            record=optional(engagement_records()),
            summary=optional(typed(3000)),  # typed after the command, over the summary's limit
            occurred_on=optional(DAYS),
            method=optional(METHOD_VALUES),
            participants=optional(st.integers(0, 2**31 - 1)),
        ),
    ),
    case(
        entries.recorded_message,
        fields(
            **ENTRY,
            record_id=record_ids(),
            text=typed(LONG_TEXT_MAX),
            team=TEAM_NAMES,
            verb=st.sampled_from(["Logged", "Recorded", "Updated"]),
            more_buttons=st.just([decisions.decide_button(2**31 - 1)]),
            notes=NOTES,
        ),
    ),
    case(
        entries.undone_message,
        fields(label=ENTRY["label"], record_id=record_ids(), team=TEAM_NAMES),
    ),
    case(entries.notice_message, fields(text=typed(3000))),
    case(entries.handed_back_message, fields(problem=typed(500), typed=typed(200_000))),
    case(entries.which_team_message, fields(what=typed(200))),
    case(
        entries.saved_modal,
        fields(
            label=ENTRY["label"],
            record_id=record_ids(),
            text=typed(LONG_TEXT_MAX),
            team=TEAM_NAMES,
            verb=st.sampled_from(["Logged", "Recorded", "Updated"]),
            comment=st.booleans(),
            notes=NOTES,
        ),
    ),
    case(entries.problem_modal, fields(title=typed(100), text=typed(2500))),
    case(
        feedback.feedback_modal,
        fields(
            **ENTRY_FORM,
            record=optional(feedback_items()),
            text=optional(typed(40_000)),  # a message saved as feedback: any length
            permalink=optional(st.just("https://example.slack.com/archives/C1/p1700000000000100")),
            channel=optional(st.sampled_from(["slack", "email"])),
        ),
    ),
    Case((help.help_message,), help_given(), help.help_message),
    case(help.not_a_command_message, fields(typed=typed(4000), usage=typed(1000))),
    case(
        home.home_view,
        fields(
            entries=st.lists(
                st.builds(
                    RecentEntry, ENTRY["kind"], record_ids(), DAYS.map(str), typed(3000), MOMENTS
                ),
                max_size=10,
                unique_by=lambda entry: (entry.kind, entry.id),  # each entry listed once
            ),
            team_name=optional(TEAM_NAMES),
            month_counts=optional(st.tuples(counts(100_000), counts(100_000))),
            awaiting_decision=counts(100_000),
            timezone=ZONES,
        ),
    ),
    case(home.home_problem_view, fields(text=typed(2500))),
    case(
        insights.insight_modal,
        fields(team_name=TEAM_NAMES, segments=st.just(ALL_SEGMENTS), metadata=METADATA),
    ),
    case(
        insights.shared_message,
        fields(insight=insight_records(), team_name=TEAM_NAMES, channels=many(CHANNELS, 50)),
    ),
    case(insights.insight_message, fields(insight=insight_records())),
    case(insights.cross_team_digest_message, fields(digest=digests())),
    case(
        opportunities.opportunity_modal,
        fields(team_name=TEAM_NAMES, channel_id=optional(CHANNELS), metadata=METADATA),
    ),
    case(
        opportunities.posted_modal,
        fields(opportunity=opportunity_records(), channels=many(CHANNELS, 100)),
    ),
    case(
        opportunities.posted_message,
        fields(opportunity=opportunity_records(), taken=st.integers(0, 10_000)),
    ),
    case(
        opportunities.click_answer,
        st.one_of(
            fields(answer=st.just(Answer.MISSING), opportunity=st.none()),
            fields(
                answer=st.sampled_from([a for a in Answer if a != Answer.MISSING]),
                opportunity=opportunity_records(),
            ),
        ),
    ),
    case(opportunities.upcoming_message, fields(team_name=TEAM_NAMES, rows=opportunity_rows())),
    case(
        opportunities.signups_message, fields(opportunity=opportunity_records(), user_ids=SIGNED_UP)
    ),
    case(
        opportunities.reminder_message,
        fields(opportunity=opportunity_records(), user_ids=SIGNED_UP),
    ),
    case(
        opportunities.log_prompt_message,
        fields(opportunity=opportunity_records(), taken=st.integers(0, 10_000)),
    ),
    Case(
        (organisations.segment_notes,),
        fields(
            entries=many(st.builds(RegisterEntry, ORGANISATION_NAMES, optional(SEGMENT)), 100),
            label=ENTRY["label"],
        ),
        lambda entries, label: saved_with_notes(organisations.segment_notes(entries, label)),
    ),
    case(organisations.usage_message, fields(segments=st.just(list(SEGMENT_NAMES)))),
    case(
        organisations.entry_message,
        fields(entry=st.builds(RegisterEntry, ORGANISATION_NAMES, optional(SEGMENT))),
    ),
    case(
        organisations.set_message,
        fields(
            done=st.builds(
                SegmentSet, st.builds(RegisterEntry, ORGANISATION_NAMES, SEGMENT), optional(SEGMENT)
            )
        ),
    ),
    case(organisations.refused_message, fields(reason=typed(3000))),
    case(prompts.prompt_message, fields(prompt=prompts_due())),
    Case(
        (prompts.snoozed_message, prompts.snoozed_note),
        fields(prompt=prompts_due(), user_id=USERS, until=DAYS),
        lambda prompt, user_id, until: prompts.snoozed_message(
            prompts.prompt_message(prompt),
            prompts.snoozed_note(output_name=prompt.output.name, user_id=user_id, until=until),
        ),
    ),
    case(reviews.review_post_message, fields(post=reviews_posted(), asked_by=optional(USERS))),
    case(
        reviews.review_answer,
        fields(post=reviews_posted(), team_id=record_ids(), channel=CHANNELS),
    ),
    case(
        reviews.posted_answer,
        fields(
            channel=CHANNELS,
            period=st.tuples(DAYS, DAYS),
            posted=st.booleans(),
            sent_now=st.booleans(),
        ),
    ),
    case(reviews.review_summary_message, fields(lines=many(typed(1000), 2000), day=DAYS)),
    case(statements.digest_message, fields(statement=statements_made())),
    case(
        subscriptions.subscribed_message,
        fields(
            outcome=st.sampled_from([SUBSCRIBED, RESUMED, ALREADY, HOME, COVERED]),
            target=targets(),
            channel_id=CHANNELS,
        ),
    ),
    case(
        subscriptions.unsubscribed_message, fields(ended=many(targets(), 2000), channel_id=CHANNELS)
    ),
    case(
        subscriptions.subscriptions_message,
        fields(channel_id=CHANNELS, home_of=optional(TEAM_NAMES), subscribed=many(targets(), 2000)),
    ),
    case(subscriptions.hearing_message, fields(target=targets(), channels=many(CHANNELS, 20_000))),
    case(subscriptions.problem_message, fields(problem=typed(1000))),
    case(
        entries.listing_message,
        fields(
            heading=typed(2000),
            lines=many(typed(4000), 1000),
            more=st.just(lambda count: f"…and {count} more: `{'&amp;' * 300}` lists them all."),
        ),
    ),
    case(
        team.team_modal,
        fields(
            metadata=METADATA,
            draft=team_drafts(),
            default_zone=st.just("Europe/London"),
            editing=st.booleans(),
            note=optional(typed(300)),
            public_url=PUBLIC_URLS,
        ),
    ),
    Case(
        (
            team.team_saved_text,
            team.team_settings_text,
            team.members_text,
            team.public_pages_text,
        ),
        fields(
            team=teams(),
            created=st.booleans(),
            default_zone=st.just("America/Argentina/Buenos_Aires"),
            member_ids=members(),
            public_url=PUBLIC_URLS,
        ),
        lambda **given: entries.notice_message(team.team_saved_text(**given)),
    ),
    Case(
        (team.team_saved_modal,),
        fields(
            team=teams(),
            created=st.booleans(),
            default_zone=st.just("Europe/London"),
            member_ids=members(),
        ),
        lambda **given: team.team_saved_modal(team.team_saved_text(**given)),
    ),
    case(users_map.users_map_message, fields(users_map=users_maps())),
    case(who.who_message, fields(found=who_found())),
    case(permissions.refused_modal, fields(title=typed(100), text=typed(2000))),
    case(inbox.queued_message, fields(body=COMMANDS)),
    case(inbox.unkept_message, fields(error=FAILURES, body=REQUESTS)),
    case(inbox.gave_up_message, fields(body=REQUESTS)),
    case(
        web_feedback.web_feedback_message,
        fields(item=feedback_items(), change_title=optional(typed(200))),
    ),
]

# Public functions of the views that build no message or view of their own, and why.
NOT_BUILDERS = {
    alerts.when: "a phrase for the alerts' sections",
    changes.long_date: "a date in words",
    changes.comment_button: "an element of the announcement and the alerts",
    changes.comment_note: "the note heading the feedback form (engagement_modal's note)",
    changes.render_announcement: "reads the database, then announcement_message",
    changes.render_cancellation: "reads the database, then cancellation_message",
    decisions.decide_button: "an element of the confirmation, the list and Home",
    decisions.status_label: "a status in words",
    decisions.history_line: "a line of decision_modal",
    subscriptions.what_is_heard: "a phrase of the subscription answers",
    inbox.typed_command: "the command line a request is, for the inbox's messages",
    engagement.tag_button: "an element of the quick log's confirmation (recorded_message)",
    engagement.tag_request_in: "reads the Tag button's value",
    engagement.tagged_note: "a note under the confirmation (recorded_message's notes)",
    home.entry_buttons: "a block of home_view",
}


@pytest.mark.parametrize("built", CASES, ids=lambda built: built.name)
@settings(max_examples=max(10, settings.default.max_examples // 2))
@given(data=st.data())
def test_within_slack_limits(
    built: Case, data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The chart is a PNG uploaded beside the message: no limit of a block's, and slow to draw.
    monkeypatch.setattr(reviews, "segment_chart", lambda **_: b"")
    given_ = data.draw(built.given, label="given")
    surface = built.build(**given_)
    assert problems(surface) == []


# Modules outside handlers/views that build blocks: their builders, or where what they
# build is checked.
BUILT_ELSEWHERE: dict[str, tuple[Callable[..., Any], ...] | str] = {
    "handlers.permissions": (permissions.refused_modal,),
    "handlers.options": "the menus' options: test_modal_submissions.py and the fuzzer check them",
}
CONSTRUCTORS = {"section", "context", "header", "modal", "actions", "button", "option", "options"}


def _builders() -> set[Callable[..., Any]]:
    """Every public function of the views' modules (but the parts every builder is made of,
    and the check itself), and the builders elsewhere."""
    found = {
        function
        for builders in BUILT_ELSEWHERE.values()
        if not isinstance(builders, str)
        for function in builders
    }
    for info in pkgutil.walk_packages(handlers.views.__path__):
        if info.name in ("blocks", "limits"):
            continue
        module = importlib.import_module(f"handlers.views.{info.name}")
        for name, function in vars(module).items():
            public = not name.startswith("_") and inspect.isfunction(function)
            if public and function.__module__ == module.__name__:
                found.add(function)
    return found


def test_every_builder_has_a_case() -> None:
    covered = {function for built in CASES for function in built.covers} | set(NOT_BUILDERS)
    missing = sorted(f"{f.__module__}.{f.__name__}" for f in _builders() - covered)
    assert not missing, f"give these a Case (or a reason in NOT_BUILDERS): {missing}"


def test_every_module_building_blocks_is_known() -> None:
    """A module that imports a block constructor builds messages or views: it belongs in
    handlers/views (and gets its Cases), or in BUILT_ELSEWHERE."""
    root = Path(handlers.__file__).parents[1]
    building = set()
    for path in [*root.glob("handlers/**/*.py"), *root.glob("bot/**/*.py")]:
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            imported = isinstance(node, ast.ImportFrom) and node.module == "handlers.views.blocks"
            if imported and CONSTRUCTORS & {alias.name for alias in node.names}:  # type: ignore[attr-defined]
                building.add(module)
    elsewhere = {module for module in building if not module.startswith("handlers.views.")}
    assert elsewhere == set(BUILT_ELSEWHERE)


def test_a_team_confirmation_over_one_sections_limit_is_split_between_its_lines() -> None:
    """Found by the case above: a name of 80 "&" (400 characters escaped, said twice), 100
    members and a long public address made a 3,007-character section."""
    saved = ProducerTeam(id=1, name="&" * 80, public_slug="a" * 60)
    text = team.team_saved_text(
        team=saved,
        created=True,
        default_zone="Europe/London",
        member_ids=[f"U{number:010d}" for number in range(100)],
        public_url="https://" + "s" * 400 + ".example.org/",
    )
    assert len(text) > 3000
    for surface in (entries.notice_message(text), team.team_saved_modal(text)):
        assert problems(surface) == []
