"""Every record belongs to one workspace, and no query reads another's: every table is
classified, every storage query function sees only its own workspace's records, and a
write into another workspace is refused. On SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

import storage
import storage.models
from storage import (
    alerts,
    audit,
    changes,
    console,
    deliveries,
    email_subscriptions,
    entries,
    feedback,
    insights,
    opportunities,
    personal_data,
    prompts,
    public,
    reference,
    review,
    review_posts,
    statements,
    subscriptions,
    teams,
    users_map,
    uses_statement,
    who,
)
from storage.database import Database
from storage.models import (
    AudienceSegment,
    Delivery,
    EmailSubscription,
    Engagement,
    Feedback,
    FeedbackDecision,
    Insight,
    Opportunity,
    OpportunitySignup,
    Organisation,
    ProducerTeam,
    StatisticalOutput,
    Subscription,
    TeamMember,
    UpcomingChange,
)
from storage.workspaces import (
    SINGLE_WORKSPACE,
    WrongWorkspace,
    adopt,
    exemption,
    is_root,
    is_team_owned,
    workspaces_with_records,
)

OURS, THEIRS, NOBODY = "TOURS", "TTHEIRS", "TNOBODY"
DAY = date(2027, 2, 1)
FIRST, LAST = date(2027, 1, 1), date(2027, 3, 31)
START, END = datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC)
SENT_AT = datetime(2027, 2, 1, 9, tzinfo=UTC)


def test_every_table_is_a_root_team_owned_or_exempt_with_a_reason() -> None:
    unclassified = [
        table.name
        for table in SQLModel.metadata.sorted_tables
        if not is_root(table) and not is_team_owned(table) and exemption(table) is None
    ]
    assert unclassified == []
    tables = SQLModel.metadata.tables
    assert is_team_owned(tables["engagement"]) and is_team_owned(tables["team_member"])
    assert is_root(tables["producer_team"]) and is_root(tables["delivery"])
    assert is_root(tables["inbox_item"])
    # A link table is exempt, unless it has a team: the engagement's, copied for the review,
    # which reads the links by that team alone; or, for partners, the partner team.
    assert exemption(tables["insight_output"])
    assert is_team_owned(tables["engagement_output"]) and is_team_owned(
        tables["engagement_segment"]
    )
    assert is_team_owned(tables["engagement_partner"])


@dataclass
class Ids:
    team: int
    output: int
    engagement: int
    feedback: int
    change: int
    opportunity: int
    organisation: int
    segment: int


def records(session: Session) -> Ids:
    """One of each record, all linked, in the session's workspace. (Slack's request ids,
    kept as source keys, are unique across workspaces.)"""
    workspace = session.info["workspace_id"]
    segment = reference.segments_by_name(session=session)["media"]
    team = ProducerTeam(
        name="Prices",
        home_channel_id="CHOME",
        digest_channel_id="CDIGEST",
        digest_cadence="weekly",
        review_channel_id="CREVIEW",
        review_cadence="monthly",
    )
    session.add(team)
    session.flush()
    assert team.id is not None
    output = StatisticalOutput(team_id=team.id, name="CPI", profile="high")
    [organisation] = reference.organisations_named(
        session=session, names=["ONS users"], segment_id=segment.id
    )
    themes = reference.themes_named(session=session, names=["timeliness"])
    session.add(TeamMember(team_id=team.id, user_id="UMEMBER"))
    engagement = Engagement(
        team_id=team.id,
        occurred_on=DAY,
        method="meeting",
        summary="Met the user group",
        uses="pricing",
        logged_by="UMEMBER",
        source_key=f"{workspace}engagement-source",
        outputs=[output],
        segments=[segment],
        organisations=[organisation],
    )
    item = Feedback(
        team_id=team.id,
        received_on=DAY,
        organisation=organisation,
        segment=segment,
        output=output,
        text="Please publish sooner",
        contact_agreed=True,
        contact_name="Ada Lovelace",
        contact_email="ada@example.org",
        status="done",
        recorded_by="UMEMBER",
        source_key=f"{workspace}feedback-source",
        themes=themes,
        updated_at=SENT_AT,
    )
    session.add_all([engagement, item])
    session.flush()
    assert item.id is not None and output.id is not None
    still_open = Feedback(team_id=team.id, received_on=DAY, text="And monthly", output=output)
    merged = Feedback(
        team_id=team.id,
        received_on=DAY,
        text="Sooner please",
        contact_name="Ada Lovelace",
        status="merged",
        merged_into_id=item.id,
        updated_at=SENT_AT,
    )
    change = UpcomingChange(
        team_id=team.id,
        output_id=output.id,
        title="New basket",
        description="Weights change",
        effective_on=date(2027, 3, 1),
        created_at=SENT_AT,
        source_key=f"{workspace}change-source",
        segments=[segment],
    )
    opportunity = Opportunity(
        team_id=team.id,
        title="Workshop",
        happens_on=date(2027, 2, 10),
        place="Online",
        description="Come along",
        places=10,
        organiser="UMEMBER",
        source_key=f"{workspace}opportunity-source",
    )
    insight = Insight(
        team_id=team.id,
        text="Users want sooner",
        created_at=SENT_AT,
        source_key=f"{workspace}insight",
    )
    session.add_all([still_open, merged, change, opportunity, insight])
    session.flush()
    assert change.id is not None and opportunity.id is not None
    session.add_all(
        [
            FeedbackDecision(
                feedback_id=item.id, from_status="new", to_status="done", decided_at=SENT_AT
            ),
            Subscription(channel_id="CSUBSCRIBER", team_id=team.id),
            EmailSubscription(team_id=team.id, email="ada@example.org", confirmed_at=SENT_AT),
            EmailSubscription(
                team_id=team.id, email="bo@example.org", created_at=SENT_AT, unsubscribed_at=SENT_AT
            ),
            OpportunitySignup(opportunity_id=opportunity.id, user_id="UPUBLIC"),
        ]
    )
    teams.remember_team(session=session, user_id="UMEMBER", team_id=team.id)
    console.identity_for(session=session, kind="user", name="ada")
    key = f"opportunity:{opportunity.id}"
    deliveries.enqueue(
        session=session,
        dues=[
            deliveries.Due(
                key=key,
                kind="opportunity",
                target="CHOME",
                due_at=SENT_AT,
                subject_id=opportunity.id,
            ),
            deliveries.Due(key="waiting", kind="digest", target="CDIGEST", due_at=SENT_AT),
        ],
    )
    session.execute(
        update(Delivery)
        .where(Delivery.key == key)
        .values(status=deliveries.SENT, message_channel="CHOME", message_ts="1.2")
    )
    session.flush()
    assert engagement.id is not None and organisation.id is not None and segment.id is not None
    return Ids(
        team.id,
        output.id,
        engagement.id,
        item.id,
        change.id,
        opportunity.id,
        organisation.id,
        segment.id,
    )


def scope(ids: Ids) -> review.ReviewScope:
    return review.ReviewScope(ids.team, FIRST, LAST, START, END)


def selection(ids: Ids) -> uses_statement.Selection:
    return uses_statement.Selection(ids.team, None, FIRST, LAST)


# Every query function that reads records, called with the ids of the records it is about.
QUERIES: dict[str, Callable[[Session, Ids], Any]] = {
    "alerts.changes_to_plan": lambda s, i: alerts.changes_to_plan(session=s, effective_from=FIRST),
    "alerts.staff_to_tell": lambda s, i: alerts.staff_to_tell(
        session=s, change_id=i.change, output_id=i.output, received_from=FIRST, received_to=LAST
    ),
    "audit.audit_entries": lambda s, i: audit.audit_entries(session=s, limit=100),
    "changes.change_from_source": lambda s, i: changes.change_from_source(
        session=s, source_key=f"{THEIRS}change-source"
    ),
    "changes.count_upcoming_changes": lambda s, i: changes.count_upcoming_changes(
        session=s, team_id=i.team, today=FIRST
    ),
    "changes.upcoming_changes": lambda s, i: changes.upcoming_changes(
        session=s, team_id=i.team, today=FIRST, limit=10
    ),
    "console.identity_names": lambda s, i: console.identity_names(session=s),
    "deliveries.deliveries": lambda s, i: deliveries.deliveries(session=s),
    "deliveries.sent_message": lambda s, i: deliveries.sent_message(
        session=s, key=f"opportunity:{i.opportunity}"
    ),
    "entries.entry_from_source": lambda s, i: entries.entry_from_source(
        session=s, model=Engagement, source_key=f"{THEIRS}engagement-source"
    ),
    "entries.recent_entries": lambda s, i: entries.recent_entries(
        session=s, user_id="UMEMBER", limit=10
    ),
    "entries.team_counts_since": lambda s, i: entries.team_counts_since(
        session=s, team_id=i.team, since=FIRST
    ),
    "feedback.count_open_feedback": lambda s, i: feedback.count_open_feedback(
        session=s, team_id=i.team
    ),
    "feedback.count_undecided_feedback": lambda s, i: feedback.count_undecided_feedback(
        session=s, team_id=i.team
    ),
    "feedback.items_merged_into": lambda s, i: feedback.items_merged_into(
        session=s, feedback_id=i.feedback
    ),
    "feedback.open_feedback": lambda s, i: feedback.open_feedback(
        session=s, team_id=i.team, limit=10
    ),
    "insights.insight_from_source": lambda s, i: insights.insight_from_source(
        session=s, source_key=f"{THEIRS}insight"
    ),
    "insights.insights_shared_between": lambda s, i: insights.insights_shared_between(
        session=s, start=START, end=END, limit=10
    ),
    "insights.open_opportunities_between": lambda s, i: insights.open_opportunities_between(
        session=s, first=FIRST, last=LAST, limit=10
    ),
    "opportunities.locked_opportunity": lambda s, i: opportunities.locked_opportunity(
        session=s, opportunity_id=i.opportunity
    ),
    "opportunities.opportunities_between": lambda s, i: opportunities.opportunities_between(
        session=s, first=FIRST, last=LAST
    ),
    "opportunities.opportunity_from_source": lambda s, i: opportunities.opportunity_from_source(
        session=s, source_key=f"{THEIRS}opportunity-source"
    ),
    "opportunities.posted_copies": lambda s, i: opportunities.posted_copies(
        session=s, opportunity_id=i.opportunity, kind="opportunity"
    ),
    "opportunities.upcoming_opportunities": lambda s, i: opportunities.upcoming_opportunities(
        session=s, team_id=i.team, today=FIRST, limit=10
    ),
    "personal_data.contacts_closed_before": lambda s, i: personal_data.contacts_closed_before(
        session=s, cutoff=END
    ),
    "personal_data.contacts_matching": lambda s, i: personal_data.contacts_matching(
        session=s, email="ada@example.org", name_words=["ada"]
    ),
    "personal_data.name_taken": lambda s, i: personal_data.name_taken(
        session=s, model=Organisation, name="ons users", other_than=None
    ),
    "personal_data.rows_mentioning": lambda s, i: personal_data.rows_mentioning(
        session=s, model=Feedback, columns=["text"], fragments=[["sooner"]]
    ),
    "public.changes_from": lambda s, i: public.changes_from(session=s, team_id=i.team, first=FIRST),
    "public.feedback_changed_at": lambda s, i: public.feedback_changed_at(
        session=s, team_id=i.team, first=FIRST, last=LAST
    ),
    "prompts.last_engagement": lambda s, i: prompts.last_engagement(
        session=s, output_id=i.output, until=LAST
    ),
    "prompts.segments_not_heard": lambda s, i: prompts.segments_not_heard(
        session=s, output_id=i.output, first=FIRST, last=LAST
    ),
    "prompts.teams_to_prompt": lambda s, i: prompts.teams_to_prompt(session=s),
    "reference.all_organisations": lambda s, i: reference.all_organisations(session=s),
    "reference.find_organisations": lambda s, i: reference.find_organisations(
        session=s, query="ons", limit=10
    ),
    "reference.find_outputs": lambda s, i: reference.find_outputs(
        session=s, query="cp", team_id=None, limit=10
    ),
    "reference.known_organisations": lambda s, i: reference.known_organisations(
        session=s, names=["ons users"]
    ),
    "reference.organisation_named": lambda s, i: reference.organisation_named(
        session=s, name="ONS users"
    ),
    "reference.organisations_containing": lambda s, i: reference.organisations_containing(
        session=s, text="ons", limit=5
    ),
    "reference.outputs_by_id": lambda s, i: reference.outputs_by_id(session=s, ids=[i.output]),
    "reference.organisations_without_segment": lambda s, i: reference.organisations_without_segment(
        session=s, names=["ONS users"]
    ),
    "review.changes_announced": lambda s, i: review.changes_announced(session=s, scope=scope(i)),
    "review.feedback_counts": lambda s, i: review.feedback_counts(session=s, scope=scope(i)),
    "review.first_responses": lambda s, i: review.first_responses(session=s, scope=scope(i)),
    "review.method_counts": lambda s, i: review.method_counts(session=s, scope=scope(i)),
    "review.organisation_counts": lambda s, i: review.organisation_counts(
        session=s, scope=scope(i)
    ),
    "review.outputs_overdue": lambda s, i: review.outputs_overdue(
        session=s, scope=scope(i), engaged_since={"high": LAST}
    ),
    "review.period_counts": lambda s, i: review.period_counts(
        session=s, scope=scope(i), previous=(FIRST, LAST)
    ),
    "review.segments_seen": lambda s, i: review.segments_seen(
        session=s, scope=scope(i), window_from=FIRST
    ),
    "review.top_organisations": lambda s, i: review.top_organisations(
        session=s, scope=scope(i), limit=5
    ),
    "review_posts.organisations_in_segments": lambda s, i: review_posts.organisations_in_segments(
        session=s, segments=["media"], not_team_id=0, first=FIRST, last=LAST, per_segment=5
    ),
    "review_posts.teams_with_review_channel": lambda s, i: review_posts.teams_with_review_channel(
        session=s
    ),
    "statements.statement_rows": lambda s, i: statements.statement_rows(
        session=s, team_id=i.team, period_from=FIRST, period_to=LAST
    ),
    "statements.statement_themes": lambda s, i: statements.statement_themes(
        session=s, team_id=i.team, period_from=FIRST, period_to=LAST
    ),
    "email_subscriptions.pending_subscription": lambda s, i: (
        email_subscriptions.pending_subscription(
            session=s, team_id=i.team, output_id=None, email="ADA@example.org"
        )
    ),
    "email_subscriptions.subscriptions_ended_before": lambda s, i: (
        email_subscriptions.subscriptions_ended_before(session=s, cutoff=END)
    ),
    "email_subscriptions.subscriptions_of_address": lambda s, i: (
        email_subscriptions.subscriptions_of_address(session=s, email="ada@example.org")
    ),
    "subscriptions.channel_subscriptions": lambda s, i: subscriptions.channel_subscriptions(
        session=s, channel_id="CSUBSCRIBER"
    ),
    "subscriptions.channels_hearing": lambda s, i: subscriptions.channels_hearing(
        session=s, team_id=i.team, output_id=None
    ),
    "subscriptions.outputs_named": lambda s, i: subscriptions.outputs_named(session=s, name="CPI"),
    "subscriptions.subscription_of": lambda s, i: subscriptions.subscription_of(
        session=s, channel_id="CSUBSCRIBER", team_id=i.team, output_id=None
    ),
    "teams.first_team_set_up": lambda s, i: teams.first_team_set_up(session=s),
    "teams.list_teams": lambda s, i: teams.list_teams(session=s),
    "teams.outputs_in_use": lambda s, i: teams.outputs_in_use(session=s, output_ids=[i.output]),
    "teams.team_for_channel": lambda s, i: teams.team_for_channel(session=s, channel_id="CHOME"),
    "teams.team_for_person": lambda s, i: teams.team_for_person(
        session=s, channel_id=None, user_id="UMEMBER"
    ),
    "teams.team_members": lambda s, i: teams.team_members(session=s, team_id=i.team),
    "teams.team_named": lambda s, i: teams.team_named(session=s, name="prices"),
    "teams.teams_by_id": lambda s, i: teams.teams_by_id(session=s, ids=[i.team]),
    "teams.teams_of": lambda s, i: teams.teams_of(session=s, user_id="UMEMBER"),
    "teams.teams_with_digest": lambda s, i: teams.teams_with_digest(session=s),
    "users_map.engagement_counts": lambda s, i: users_map.engagement_counts(
        session=s, team_id=i.team
    ),
    "users_map.organisation_tallies": lambda s, i: users_map.organisation_tallies(
        session=s, team_id=i.team
    ),
    "users_map.segment_output_tallies": lambda s, i: users_map.segment_output_tallies(
        session=s, team_id=i.team
    ),
    "users_map.segment_tallies": lambda s, i: users_map.segment_tallies(session=s, team_id=i.team),
    "uses_statement.engagement_count": lambda s, i: uses_statement.engagement_count(
        session=s, selection=selection(i)
    ),
    "uses_statement.engagements_by_segment": lambda s, i: uses_statement.engagements_by_segment(
        session=s, selection=selection(i)
    ),
    "uses_statement.feedback_by_segment": lambda s, i: uses_statement.feedback_by_segment(
        session=s, selection=selection(i)
    ),
    "uses_statement.feedback_ids": lambda s, i: uses_statement.feedback_ids(
        session=s, selection=selection(i)
    ),
    "uses_statement.methods_by_segment": lambda s, i: uses_statement.methods_by_segment(
        session=s, selection=selection(i)
    ),
    "uses_statement.organisations_by_segment": lambda s, i: uses_statement.organisations_by_segment(
        session=s, selection=selection(i)
    ),
    "uses_statement.uses_said": lambda s, i: uses_statement.uses_said(
        session=s, selection=selection(i)
    ),
    "uses_statement.feedback_count": lambda s, i: uses_statement.feedback_count(
        session=s, selection=selection(i)
    ),
    "uses_statement.announced_changes": lambda s, i: uses_statement.announced_changes(
        session=s, selection=selection(i), start=START, end=END
    ),
    "who.engagements_by_team": lambda s, i: who.engagements_by_team(
        session=s, subject=who.Subject(organisation_id=i.organisation)
    ),
    "who.feedback_by_team": lambda s, i: who.feedback_by_team(
        session=s, subject=who.Subject(segment_id=i.segment)
    ),
}


@pytest.fixture
def theirs(database: Database) -> Ids:
    """Records in workspace THEIRS only."""
    with database.in_workspace(THEIRS).transaction() as session:
        return records(session)


def answer(database: Database, workspace: str, query: str, ids: Ids) -> Any:
    with database.in_workspace(workspace).transaction() as session:
        return repr(QUERIES[query](session, ids))


@pytest.mark.parametrize("query", sorted(QUERIES))
def test_a_query_reads_only_its_own_workspaces_records(
    database: Database, theirs: Ids, query: str
) -> None:
    # Asked in our workspace about their records, a query answers as if there were none.
    nothing = answer(database, NOBODY, query, theirs)
    assert answer(database, OURS, query, theirs) == nothing
    # The records are there, and the query does read them, in their workspace.
    assert answer(database, THEIRS, query, theirs) != nothing


def test_every_query_function_is_checked() -> None:
    """A new query function joins QUERIES (or is a write, or reads only through a record
    found already, listed here)."""
    writes = {
        "audit.staff_fields",  # the schema's columns, no rows
        "console.console_clock_ahead",  # the console's clock: exempt, one row
        "console.identity_for",
        "console.keep_console_clock",
        "deliveries.claim_due",
        "form_counts.count_form",  # exempt: the public site's rate limits, across workspaces
        "form_counts.forget_counts_before",
        "deliveries.claim_interrupted",
        "deliveries.end_subscriptions_in",
        "deliveries.enqueue",
        "deliveries.enqueue_to_channels",
        "deliveries.finish",
        "deliveries.hold_claim",
        "deliveries.postpone",
        "deliveries.renew_claim",
        "deliveries.cancel_pending",  # tests/storage/test_installations.py: only its own
        "leadership.lead",  # the scheduler's lease: exempt, one row
        "leadership.step_down",
        "feedback.decisions_on",  # the decisions of an item already found in its workspace
        "inbox.receive",
        "inbox.forget_received_before",
        # A process takes any workspace's requests: by id, on the connection, by design.
        "inbox.claim_waiting",
        "inbox.hold",
        "inbox.finish",
        "inbox.mark_saved",
        "inbox.guard_sessions",  # the session hook marking an item's work saved
        "opportunities.active_signup_count",  # of an opportunity already found
        "opportunities.signed_up",  # of an opportunity already found
        "opportunities.signup_of",  # of an opportunity already found
        # The public site finds a team by its address in any workspace, by design (its
        # address is unique across them); tests/storage/test_public.py.
        "public.address_holder",
        "public.published_teams",
        "public.team_at_address",
        "public.public_stamp",
        "reference.list_segments",  # the shared taxonomy
        "reference.organisations_named",
        "reference.segments_by_id",  # the shared taxonomy
        "reference.segments_by_name",  # the shared taxonomy
        "reference.themes_named",
        "subscriptions.channels_for_change",  # of a change already found
        "subscriptions.targets_for_change",  # of a change already found
        "email_subscriptions.email_targets_for_change",  # of a change already found
        # A signed link names its subscription's workspace, which the session enters.
        "email_subscriptions.subscription_in",
        "email_subscriptions.email_target",  # a delivery's target, from a number: no query
        "email_subscriptions.subscription_of_target",  # and back
        "email_subscriptions.reply_target",  # a reply's target, from a number: no query
        "email_subscriptions.feedback_of_target",  # and back
        "email_subscriptions.is_emailed",  # what a target is: no query
        "teams.remember_team",
        "teams.replace_members",
        "teams.replace_outputs",
    }
    # Every storage module but the connection, the schema and migrations, and the session
    # hooks (summaries, workspaces, installations) that work across workspaces by design.
    not_queries = {
        "auditing", "database", "engagement_links", "first_responses", "installations",
        "migrate", "models", "organisation_contacts", "public_versions", "types", "workspaces",
        "clock",
    }  # fmt: skip
    modules = [
        importlib.import_module(f"storage.{found.name}")
        for found in pkgutil.iter_modules(storage.__path__)
        if found.name not in not_queries
    ]
    functions = {
        f"{module.__name__.rpartition('.')[2]}.{name}"
        for module in modules
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }
    assert functions - writes - set(QUERIES) == set()


def test_names_and_keys_are_unique_within_a_workspace(database: Database) -> None:
    for workspace in (OURS, THEIRS):
        with database.in_workspace(workspace).transaction() as session:
            records(session)
    with database.in_workspace(OURS).transaction() as session:
        team = teams.team_named(session=session, name="Prices")
        assert team is not None and team.workspace_id == OURS
        assert [t.id for t in teams.list_teams(session=session)] == [team.id]
    with pytest.raises(IntegrityError), database.in_workspace(OURS).transaction() as session:
        session.add(ProducerTeam(name="Prices"))


def test_bulk_changes_reach_only_the_workspaces_own_rows(database: Database, theirs: Ids) -> None:
    with database.in_workspace(OURS).transaction() as session:
        ours = records(session)
        session.execute(update(Engagement).values(summary="Changed"))
        session.execute(delete(Subscription))
        session.execute(update(Delivery).values(status=deliveries.SKIPPED))
    with database.in_workspace(THEIRS).transaction() as session:
        assert session.get(Engagement, theirs.engagement).summary == "Met the user group"
        assert len(session.exec(select(Subscription)).all()) == 1
        assert {d.status for d in deliveries.deliveries(session=session)} != {deliveries.SKIPPED}
        # The audit log of their workspace says nothing of our changes.
        assert {entry.action for entry in audit.audit_entries(session=session, limit=100)} == {
            "create"
        }
    with database.in_workspace(OURS).transaction() as session:
        assert session.get(Engagement, ours.engagement).summary == "Changed"


@pytest.mark.parametrize(
    "write",
    [
        lambda session, ids: session.add(
            Engagement(team_id=ids.team, occurred_on=DAY, summary="Sneaked in")
        ),
        lambda session, ids: session.add(TeamMember(team_id=ids.team, user_id="UINTRUDER")),
        lambda session, ids: session.add(ProducerTeam(name="Theirs", workspace_id=THEIRS)),
    ],
    ids=["team-owned record", "team member", "root record"],
)
def test_a_write_into_another_workspace_is_refused(
    database: Database, theirs: Ids, write: Callable[[Session, Ids], None]
) -> None:
    with pytest.raises(WrongWorkspace), database.in_workspace(OURS).transaction() as session:
        write(session, theirs)
    with database.in_workspace(THEIRS).transaction() as session:
        assert len(session.exec(select(Engagement)).all()) == 1
        assert teams.team_members(session=session, team_id=theirs.team) == ["UMEMBER"]


def test_an_object_of_another_workspace_cannot_be_changed_or_deleted(
    database: Database, theirs: Ids
) -> None:
    with database.in_workspace(THEIRS).transaction() as session:
        team = session.get(ProducerTeam, theirs.team)
    assert team is not None
    with pytest.raises(WrongWorkspace), database.in_workspace(OURS).transaction() as session:
        team.name = "Renamed"
        session.add(team)
    with pytest.raises(WrongWorkspace), database.in_workspace(OURS).transaction() as session:
        session.delete(team)


def test_the_single_workspace_is_the_default(database: Database) -> None:
    with database.transaction() as session:
        ids = records(session)
        assert session.get(ProducerTeam, ids.team).workspace_id == SINGLE_WORKSPACE  # type: ignore[union-attr]
    with database.in_workspace(OURS).transaction() as session:
        assert teams.list_teams(session=session) == []


def test_the_workspaces_with_records_and_adopting_them(database: Database, theirs: Ids) -> None:
    with database.transaction() as session:
        single = records(session)
    with database.engine.begin() as connection:
        assert workspaces_with_records(connection=connection) == [SINGLE_WORKSPACE, THEIRS]
        moved = adopt(connection=connection, source=SINGLE_WORKSPACE, target=OURS)
        assert moved["producer_team"] == 1
        assert workspaces_with_records(connection=connection) == [OURS, THEIRS]
    with database.in_workspace(OURS).transaction() as session:
        assert teams.team_named(session=session, name="Prices").id == single.team  # type: ignore[union-attr]
        assert (
            len(opportunities.opportunities_between(session=session, first=FIRST, last=LAST)) == 1
        )
        assert audit.audit_entries(session=session, limit=100) != []
    with database.transaction() as session:
        assert teams.list_teams(session=session) == []


def test_the_audience_taxonomy_is_shared(database: Database) -> None:
    with database.in_workspace(OURS).transaction() as session:
        ours = [segment.name for segment in session.exec(select(AudienceSegment))]
    assert len(ours) == 9


def test_a_record_cannot_be_moved_to_another_workspaces_team(
    database: Database, theirs: Ids
) -> None:
    with database.in_workspace(OURS).transaction() as session:
        ours = records(session)
    with pytest.raises(WrongWorkspace), database.in_workspace(OURS).transaction() as session:
        engagement = session.get(Engagement, ours.engagement)
        assert engagement is not None
        engagement.team_id = theirs.team
    with database.in_workspace(THEIRS).transaction() as session:
        assert len(session.exec(select(Engagement)).all()) == 1
