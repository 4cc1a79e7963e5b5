"""The tables. Every moment is stored in UTC (`UTCDateTime`); days are plain dates.

Changing a table means a new Alembic migration in `storage/migrations/versions/`
(`tests/storage/test_migrations.py` fails while the two disagree). Each table's rows belong
to a workspace: a new table is a root (`workspace_column()`), a team's (`team_id`), or
exempt with a reason (`storage/workspaces.py`; `tests/storage/test_workspaces.py` checks).
"""

# No `from __future__ import annotations` here: SQLModel reads relationship annotations.
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, Relationship, SQLModel

from storage.clock import utc_now
from storage.types import UTCDateTime
from storage.workspaces import workspace_column

# Marks a column holding a member of the public's name or contact details: the audit log
# records that it changed, never its value (`engagebot erase` must find a person everywhere).
PERSONAL = {"info": {"personal": True}}
# Marks a column holding a member of staff's Slack user id: `engagebot audit` shows their
# name beside it (`bot/people/names.py`).
SLACK_USER = {"info": {"slack_user": True}}

# SQLite would otherwise hand a deleted row's id to the next row: an undone entry's number
# must never come back as another entry's (the audit log names records by id). Every table
# the database numbers has it (tests/storage/test_migrations.py); a migration that copies
# such a table on SQLite must ask for it again (batch mode's `table_kwargs`).
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def _moment(*, index: bool = False) -> datetime:
    # Field() is typed Any; the attribute it makes holds a datetime.
    field: datetime = Field(
        default_factory=utc_now, sa_type=UTCDateTime, nullable=False, index=index
    )
    return field


def _link(target: str) -> int:
    """A link-table column pointing at `target`, removed with the row it belongs to."""
    field: int = Field(
        sa_column=Column(
            Integer, ForeignKey(target, ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    return field


# Link tables are also read from their second column (an output's last engagement, who
# engaged an organisation): hence the reverse indexes.


class EngagementCopy(SQLModel):
    """The engagement's team and day, copied into its output, segment and organisation
    links, so a review reads a team's links in a period as one range of the index
    (team_id, occurred_on, ...) instead of looking each engagement's up. A summary:
    `storage/engagement_links.py` keeps it in step after every flush. Empty only inside
    the flush that writes the link (a collection writes only the two ids)."""

    team_id: int | None = None
    occurred_on: date | None = None


def _by_team_and_day(table: str, linked: str) -> Index:
    return Index(f"ix_{table}_team_occurred", "team_id", "occurred_on", linked)


class EngagementOutput(EngagementCopy, table=True):
    __tablename__ = "engagement_output"
    __table_args__ = (
        Index("ix_engagement_output_output", "output_id", "engagement_id"),
        _by_team_and_day("engagement_output", "output_id"),
    )
    engagement_id: int = _link("engagement.id")
    output_id: int = _link("statistical_output.id")


class EngagementSegment(EngagementCopy, table=True):
    __tablename__ = "engagement_segment"
    __table_args__ = (
        Index("ix_engagement_segment_segment", "segment_id", "engagement_id"),
        _by_team_and_day("engagement_segment", "segment_id"),
    )
    engagement_id: int = _link("engagement.id")
    segment_id: int = _link("audience_segment.id")


class EngagementOrganisation(EngagementCopy, table=True):
    __tablename__ = "engagement_organisation"
    __table_args__ = (
        Index("ix_engagement_organisation_organisation", "organisation_id", "engagement_id"),
        _by_team_and_day("engagement_organisation", "organisation_id"),
    )
    engagement_id: int = _link("engagement.id")
    organisation_id: int = _link("organisation.id")


class EngagementPartner(SQLModel, table=True):
    """Another team that took part in an engagement: a joint engagement."""

    __tablename__ = "engagement_partner"
    __table_args__ = (Index("ix_engagement_partner_team", "team_id", "engagement_id"),)
    engagement_id: int = _link("engagement.id")
    team_id: int = _link("producer_team.id")


class InsightOutput(SQLModel, table=True):
    __tablename__ = "insight_output"
    insight_id: int = _link("insight.id")
    output_id: int = _link("statistical_output.id")


class InsightSegment(SQLModel, table=True):
    __tablename__ = "insight_segment"
    insight_id: int = _link("insight.id")
    segment_id: int = _link("audience_segment.id")


class InsightTheme(SQLModel, table=True):
    __tablename__ = "insight_theme"
    insight_id: int = _link("insight.id")
    theme_id: int = _link("theme.id")


class ChangeSegment(SQLModel, table=True):
    __tablename__ = "change_segment"
    change_id: int = _link("upcoming_change.id")
    segment_id: int = _link("audience_segment.id")


class FeedbackTheme(SQLModel, table=True):
    __tablename__ = "feedback_theme"
    feedback_id: int = _link("feedback.id")
    theme_id: int = _link("theme.id")


class ProducerTeam(SQLModel, table=True):
    """A team that produces statistics; its home channel is where its staff work."""

    __tablename__ = "producer_team"
    __table_args__ = (
        UniqueConstraint("name", "workspace_id", name="uq_producer_team_name_workspace"),
        UniqueConstraint(
            "home_channel_id", "workspace_id", name="uq_producer_team_home_channel_workspace"
        ),
        NEVER_REUSE_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str | None = workspace_column()
    name: str = Field(max_length=80)
    home_channel_id: str | None = Field(default=None, max_length=32)
    # An IANA zone such as "Europe/London"; None means ENGAGEBOT_TIMEZONE.
    timezone: str | None = Field(default=None, max_length=64)
    # Days before a change's effective date on which reminders go out, e.g. "28,7,1";
    # None means the default (bot/changes/alerts.py).
    alert_lead_days: str | None = Field(default=None, max_length=40)
    # Where and how often the "you said, we did" digest is posted; None means never.
    digest_channel_id: str | None = Field(default=None, max_length=32)
    digest_cadence: str | None = Field(default=None, max_length=10)
    # Where and how often the effectiveness review is posted ("monthly" or "quarterly").
    review_channel_id: str | None = Field(default=None, max_length=32)
    review_cadence: str | None = Field(default=None, max_length=10)
    # When each channel was chosen (None: none is): no scheduled post there covers a
    # period that ended before then (`bot/deliveries/catch_up.py`).
    digest_channel_set_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_channel_set_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Days an output of each profile may go without engagement; None means the default.
    target_days_high: int | None = None
    target_days_medium: int | None = None
    target_days_low: int | None = None
    # The address of the team's public pages under ENGAGEBOT_PUBLIC_URL (bot/public/);
    # None: it has none. Unique across workspaces, as the site serves them all.
    public_slug: str | None = Field(default=None, max_length=60, unique=True, index=True)
    created_by: str | None = Field(default=None, max_length=32, sa_column_kwargs=SLACK_USER)
    created_at: datetime = _moment()
    updated_at: datetime = _moment()

    outputs: list["StatisticalOutput"] = Relationship(
        back_populates="team",
        sa_relationship_kwargs={"order_by": "StatisticalOutput.name"},
    )


class TeamPublicVersion(SQLModel, table=True):
    """What a team's public pages show, numbered: one more at every write of its records
    (`storage/public_versions.py`), so the site answers "not modified" or from its cache by
    one read of this row (handlers/web/site.py)."""

    __tablename__ = "team_public_version"
    team_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("producer_team.id", ondelete="CASCADE"), primary_key=True
        )
    )
    version: int = 0
    changed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class TeamMember(SQLModel, table=True):
    """A person who works in a team: they may decide on its feedback, announce its changes,
    post its reviews, export its records and edit its settings (`bot/people/permissions.py`)."""

    __tablename__ = "team_member"
    team_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("producer_team.id", ondelete="CASCADE"), primary_key=True
        )
    )
    user_id: str = Field(primary_key=True, max_length=32, sa_column_kwargs=SLACK_USER, index=True)
    added_at: datetime = _moment()
    added_by: str | None = Field(default=None, max_length=32, sa_column_kwargs=SLACK_USER)


class StatisticalOutput(SQLModel, table=True):
    """A published statistic; its public profile sets how much engagement it warrants."""

    __tablename__ = "statistical_output"
    __table_args__ = (UniqueConstraint("team_id", "name"), NEVER_REUSE_IDS)
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="producer_team.id", index=True)
    name: str = Field(max_length=120, index=True)
    profile: str = Field(max_length=10)
    # "Engagement overdue" prompts for this output are snoozed until this day.
    prompt_snoozed_until: date | None = None
    # An output never engaged is overdue counting from when it was added (`bot/reviews/figures.py`).
    created_at: datetime = _moment()
    # Retired: no longer published. It keeps its history, leaves the forms and is not overdue.
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    team: ProducerTeam = Relationship(back_populates="outputs")


class AudienceSegment(SQLModel, table=True):
    """One entry of the audience taxonomy (seeded by the first migration)."""

    __tablename__ = "audience_segment"
    __table_args__ = (NEVER_REUSE_IDS,)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=80)
    position: int = 0


class Organisation(SQLModel, table=True):
    """An organisation users belong to, named on engagements and feedback: the register of
    organisations, each with its own audience segment (None: not recorded), by which
    published statements attribute it, whatever the segments of the records naming it."""

    __tablename__ = "organisation"
    __table_args__ = (
        UniqueConstraint("name", "workspace_id", name="uq_organisation_name_workspace"),
        NEVER_REUSE_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str | None = workspace_column()
    name: str = Field(max_length=150)
    segment_id: int | None = Field(default=None, foreign_key="audience_segment.id")
    created_at: datetime = _moment()

    segment: AudienceSegment | None = Relationship()


class Theme(SQLModel, table=True):
    """A free tag on feedback; kept as rows so feedback can be grouped by theme."""

    __tablename__ = "theme"
    __table_args__ = (
        UniqueConstraint("name", "workspace_id", name="uq_theme_name_workspace"),
        NEVER_REUSE_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str | None = workspace_column()
    name: str = Field(max_length=60)


class Engagement(SQLModel, table=True):
    """An engagement activity: a meeting, webinar, survey, ... with users."""

    __tablename__ = "engagement"
    __table_args__ = (
        # Covers a team's engagements in a period for reviews: counts by method read the
        # index alone, and joins to the link tables take `id` from it (PostgreSQL's INCLUDE;
        # SQLite's indexes hold the rowid anyway).
        Index(
            "ix_engagement_team_occurred",
            "team_id",
            "occurred_on",
            "method",
            postgresql_include=["id"],
        ),
        Index("ix_engagement_logged_by_created", "logged_by", "created_at"),
        NEVER_REUSE_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="producer_team.id")
    occurred_on: date
    method: str | None = Field(default=None, max_length=30)
    expertise: str | None = Field(default=None, max_length=20)
    participants: int | None = None
    summary: str
    what_we_heard: str | None = None
    follow_up_actions: str | None = None
    uses: str | None = None  # what these users use the statistics for, in their words
    logged_by: str | None = Field(default=None, max_length=32, sa_column_kwargs=SLACK_USER)
    # Identifies the Slack request that created the row, so a retried request finds it.
    source_key: str | None = Field(default=None, unique=True, max_length=120)
    created_at: datetime = _moment()
    updated_at: datetime = _moment()

    team: ProducerTeam = Relationship()
    outputs: list[StatisticalOutput] = Relationship(link_model=EngagementOutput)
    segments: list[AudienceSegment] = Relationship(link_model=EngagementSegment)
    organisations: list[Organisation] = Relationship(link_model=EngagementOrganisation)
    partners: list[ProducerTeam] = Relationship(link_model=EngagementPartner)


class TeamOrganisationContact(SQLModel, table=True):
    """The first day a team engaged an organisation: a summary of `engagement` and
    `engagement_organisation`, so a review counts new organisations without reading the
    team's history. Never written directly: `storage/organisation_contacts.py` works the
    rows out again from the engagements whenever a flush changes one."""

    __tablename__ = "team_organisation_contact"
    __table_args__ = (Index("ix_team_organisation_contact_first", "team_id", "first_on"),)
    team_id: int = _link("producer_team.id")
    organisation_id: int = _link("organisation.id")
    first_on: date


# An item holds personal data while it has a contact name or email, or the agreement to be
# contacted; as SQL as each database writes it, for the partial index below.
PERSONAL_SQL = {
    dialect: f"contact_agreed{true} OR contact_name IS NOT NULL OR contact_email IS NOT NULL"
    for dialect, true in (("sqlite", " = 1"), ("postgresql", ""))
}


class Feedback(SQLModel, table=True):
    """A piece of feedback from a user of the statistics; its status starts as `new`."""

    __tablename__ = "feedback"
    __table_args__ = (
        # Covers a team's items in a period for reviews: their counts, voices and first
        # responses read the index alone, not each item's row (as ix_engagement_team_occurred).
        Index(
            "ix_feedback_team_received",
            "team_id",
            "received_on",
            "merged_into_id",
            "status",
            "organisation_id",
            "first_response_at",
            postgresql_include=["id"],
        ),
        Index("ix_feedback_recorded_by_created", "recorded_by", "created_at"),
        # Only the items still holding personal data, which retention looks at every tick
        # (`storage/personal_data.py` spells the same condition, so the planners use it).
        Index(
            "ix_feedback_personal",
            "merged_into_id",
            "status",
            sqlite_where=text(PERSONAL_SQL["sqlite"]),
            postgresql_where=text(PERSONAL_SQL["postgresql"]),
        ),
        NEVER_REUSE_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="producer_team.id")
    received_on: date
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    segment_id: int | None = Field(default=None, foreign_key="audience_segment.id")
    output_id: int | None = Field(default=None, foreign_key="statistical_output.id", index=True)
    channel: str | None = Field(default=None, max_length=20)
    text: str
    contact_agreed: bool = False
    contact_name: str | None = Field(default=None, max_length=120, sa_column_kwargs=PERSONAL)
    contact_email: str | None = Field(default=None, max_length=254, sa_column_kwargs=PERSONAL)
    # When retention or `engagebot erase` removed the contact details above.
    personal_data_cleared_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    source_permalink: str | None = Field(default=None, max_length=500)
    status: str = Field(default="new", max_length=20, index=True)
    # Set when this item was merged into another: it then stays only as that item's history.
    merged_into_id: int | None = Field(default=None, foreign_key="feedback.id", index=True)
    # When its status first changed (its history's earliest entry that changed the status,
    # a merge's aside): a summary of `feedback_decision` for reviews, kept in step after
    # every flush by `storage/first_responses.py`; None: never changed.
    first_response_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The upcoming change this feedback comments on ("Comment on this change").
    change_id: int | None = Field(default=None, foreign_key="upcoming_change.id", index=True)
    recorded_by: str | None = Field(default=None, max_length=32, sa_column_kwargs=SLACK_USER)
    source_key: str | None = Field(default=None, unique=True, max_length=120)
    created_at: datetime = _moment()
    updated_at: datetime = _moment()

    team: ProducerTeam = Relationship()
    organisation: Organisation | None = Relationship()
    segment: AudienceSegment | None = Relationship()
    output: StatisticalOutput | None = Relationship()
    themes: list[Theme] = Relationship(link_model=FeedbackTheme)


class UserPreference(SQLModel, table=True):
    """What we remember about a Slack user: the team they last recorded for."""

    __tablename__ = "user_preference"
    slack_user_id: str = Field(primary_key=True, max_length=32, sa_column_kwargs=SLACK_USER)
    # A person of an Enterprise Grid org has the same id in each of its workspaces.
    workspace_id: str | None = workspace_column(primary_key=True)
    last_team_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("producer_team.id", ondelete="SET NULL"))
    )
    updated_at: datetime = _moment()


class ConsoleIdentity(SQLModel, table=True):
    """A person or channel of `engagebot console`, with the Slack-like id made up for it,
    kept so that records made in one console run belong to the same ids in the next."""

    __tablename__ = "console_identity"
    __table_args__ = (
        UniqueConstraint(
            "kind", "name", "workspace_id", name="uq_console_identity_kind_name_workspace"
        ),
    )
    slack_id: str = Field(primary_key=True, max_length=32)
    workspace_id: str | None = workspace_column(primary_key=True)
    kind: str = Field(max_length=10)  # "user" or "channel"
    name: str = Field(max_length=80)


class ConsoleClock(SQLModel, table=True):
    """How far `engagebot console` has moved the clock ahead of real time (`:time`), kept
    with the database its records were made in, so that the next run goes on from there
    instead of going back to a time before its own records and deliveries."""

    __tablename__ = "console_clock"
    __table_args__ = (NEVER_REUSE_IDS,)  # as every numbered table (one row here)
    id: int = Field(default=1, primary_key=True)  # the one row
    ahead_seconds: float = Field(default=0)


class SchedulerLease(SQLModel, table=True):
    """Which process ticks the scheduler (`storage/leadership.py`): the holder (host:pid:token)
    leads until `expires_at`, renewing at each tick; then any other may take over."""

    __tablename__ = "scheduler_lease"
    role: str = Field(primary_key=True, max_length=40)  # "scheduler"
    holder: str = Field(max_length=80)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class FormCount(SQLModel, table=True):
    """How many forms one sender (a client address, an email address) sent to the public
    site in the hour from `window_start` (`storage/form_counts.py`). The sender is a keyed
    hash, never the address itself: the table holds nothing personal."""

    __tablename__ = "form_count"
    sender: str = Field(primary_key=True, max_length=64)
    window_start: datetime = Field(sa_type=UTCDateTime, primary_key=True, index=True)
    count: int = 0


class FeedbackDecision(SQLModel, table=True):
    """One change of a feedback item's status, with the public note that explains it."""

    __tablename__ = "feedback_decision"
    # With the statuses, whether an item's status changed (and when first) is read from
    # the index alone.
    __table_args__ = (
        Index(
            "ix_feedback_decision_feedback", "feedback_id", "decided_at", "from_status", "to_status"
        ),
        NEVER_REUSE_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int = Field(
        sa_column=Column(Integer, ForeignKey("feedback.id", ondelete="CASCADE"), nullable=False)
    )
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    note: str | None = None
    # On the item kept by a merge, the item merged into it: history, not a decision.
    merged_id: int | None = None
    decided_by: str | None = Field(default=None, max_length=32, sa_column_kwargs=SLACK_USER)
    decided_at: datetime = _moment()


class UpcomingChange(SQLModel, table=True):
    """A change to a statistic announced before it happens; `status` is announced or cancelled.

    Every edit bumps `revision`, so each version's notices are deliveries of their own.
    """

    __tablename__ = "upcoming_change"
    __table_args__ = (
        Index("ix_upcoming_change_status_effective", "status", "effective_on"),
        NEVER_REUSE_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="producer_team.id", index=True)
    output_id: int = Field(foreign_key="statistical_output.id", index=True)
    title: str = Field(max_length=150)
    description: str  # what is changing and why
    effective_on: date
    feedback_by: date | None = None
    status: str = Field(default="announced", max_length=20)
    revision: int = 1
    cancel_reason: str | None = None
    created_by: str | None = Field(default=None, max_length=32, sa_column_kwargs=SLACK_USER)
    source_key: str | None = Field(default=None, unique=True, max_length=120)
    created_at: datetime = _moment()
    updated_at: datetime = _moment()

    team: ProducerTeam = Relationship()
    output: StatisticalOutput = Relationship()
    segments: list[AudienceSegment] = Relationship(link_model=ChangeSegment)


class Subscription(SQLModel, table=True):
    """A channel that hears about a team's changes (all its outputs, or one output)."""

    __tablename__ = "subscription"
    __table_args__ = (Index("ix_subscription_team_active", "team_id", "active"), NEVER_REUSE_IDS)
    id: int | None = Field(default=None, primary_key=True)
    channel_id: str = Field(max_length=32, index=True)
    team_id: int = Field(foreign_key="producer_team.id")
    output_id: int | None = Field(default=None, foreign_key="statistical_output.id")
    active: bool = True
    # Why a subscription stopped: "unsubscribed", "channel_not_found", "is_archived".
    ended_reason: str | None = Field(default=None, max_length=40)
    created_by: str | None = Field(default=None, max_length=32, sa_column_kwargs=SLACK_USER)
    created_at: datetime = _moment()
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EmailSubscription(SQLModel, table=True):
    """A member of the public who asked for a team's changes (all its outputs, or one
    output) by email. Heard only once confirmed (double opt-in), until unsubscribed; the
    address is personal data (`bot/people/personal_data.py`)."""

    __tablename__ = "email_subscription"
    __table_args__ = (
        Index("ix_email_subscription_team", "team_id", "confirmed_at"),
        NEVER_REUSE_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="producer_team.id")
    output_id: int | None = Field(default=None, foreign_key="statistical_output.id")
    email: str = Field(max_length=254, sa_column_kwargs=PERSONAL)
    language: str = Field(default="en", max_length=8)  # of the emails: "en" or "cy"
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unsubscribed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _moment()
    team: ProducerTeam = Relationship()
    output: StatisticalOutput | None = Relationship()


class Opportunity(SQLModel, table=True):
    """An upcoming chance for users to take part (a workshop, a panel), with limited places."""

    __tablename__ = "opportunity"
    __table_args__ = (
        Index("ix_opportunity_status_happens", "status", "happens_on"),
        NEVER_REUSE_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="producer_team.id", index=True)
    title: str = Field(max_length=150)
    happens_on: date
    place: str = Field(max_length=300)  # a place or a link
    description: str
    places: int
    organiser: str = Field(max_length=32, sa_column_kwargs=SLACK_USER)
    status: str = Field(default="open", max_length=20)  # open or cancelled
    # The engagement the organiser logged after the date, once they have.
    engagement_id: int | None = Field(
        default=None,
        # Undoing that engagement leaves the opportunity to be logged again.
        sa_column=Column(Integer, ForeignKey("engagement.id", ondelete="SET NULL")),
    )
    source_key: str | None = Field(default=None, unique=True, max_length=120)
    created_at: datetime = _moment()
    updated_at: datetime = _moment()

    team: ProducerTeam = Relationship()


class OpportunitySignup(SQLModel, table=True):
    """One person's place on an opportunity; withdrawing keeps the row with `withdrawn_at`."""

    __tablename__ = "opportunity_signup"
    __table_args__ = (UniqueConstraint("opportunity_id", "user_id"), NEVER_REUSE_IDS)
    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: int = Field(
        sa_column=Column(Integer, ForeignKey("opportunity.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: str = Field(max_length=32, sa_column_kwargs=SLACK_USER)
    signed_up_at: datetime = _moment()
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Delivery(SQLModel, table=True):
    """One message the bot owes someone: the schedule's memory, so each goes out once.

    `key` names what is delivered to whom (e.g. "change:12:reminder:7:C123"); its
    uniqueness is what makes a delivery happen once however many ticks or processes run.
    status: pending -> sending -> sent, or back to pending after a failure (retried from
    `next_attempt_at` until the cap), or failed / skipped for good. A sender claims it with
    a lease (`claimed_at`, `claimed_by`); one left sending past the lease was cut short by
    a crash, and a later tick settles it (`bot/delivery_recovery.py`).
    """

    __tablename__ = "delivery"
    __table_args__ = (
        Index("ix_delivery_status_next", "status", "next_attempt_at"),
        UniqueConstraint("key", "workspace_id", name="uq_delivery_key_workspace"),
        NEVER_REUSE_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str | None = workspace_column()
    key: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    team_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("producer_team.id", ondelete="CASCADE")),
    )
    subject_id: int | None = None  # the change, opportunity, ... it is about
    target: str = Field(max_length=32)  # a channel id, or a user id for a direct message
    lead_days: int | None = None
    note: str | None = Field(default=None, max_length=500)  # kind-specific detail
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_error: str | None = Field(default=None, max_length=300)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=80)  # host:pid:token of the sender
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_channel: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = _moment()


class InboxItem(SQLModel, table=True):
    """A Slack request acknowledged before its work was done (a command, a button's click),
    kept until that work is finished, so that a process that dies with it in hand leaves
    it for another to finish, once (`bot/inbox.py`).

    status: pending (no process holds it: the queue in memory was full) -> claimed (a
    process holds it, with a lease: `claimed_at`, `claimed_by`); the row is deleted in the
    transaction that saves the work, or, for work that saves nothing, once it is done.
    """

    __tablename__ = "inbox_item"
    __table_args__ = (
        Index("ix_inbox_item_status_claimed", "status", "claimed_at"),
        NEVER_REUSE_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str | None = workspace_column()
    origin: str = Field(max_length=200)  # e.g. "slack:/engage log in C123", as the audit log's
    user_id: str = Field(max_length=32, sa_column_kwargs=SLACK_USER)
    # The request as Slack sent it (what the person typed too), less its verification token.
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    received_at: datetime = _moment()
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=80)  # host:pid:token


class Insight(SQLModel, table=True):
    """Something a team learnt about users, shared with the other teams."""

    __tablename__ = "insight"
    __table_args__ = (Index("ix_insight_team_created", "team_id", "created_at"), NEVER_REUSE_IDS)
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="producer_team.id")
    text: str
    created_by: str | None = Field(default=None, max_length=32, sa_column_kwargs=SLACK_USER)
    source_key: str | None = Field(default=None, unique=True, max_length=120)
    created_at: datetime = _moment()

    team: ProducerTeam = Relationship()
    outputs: list[StatisticalOutput] = Relationship(link_model=InsightOutput)
    segments: list[AudienceSegment] = Relationship(link_model=InsightSegment)
    themes: list[Theme] = Relationship(link_model=InsightTheme)


class AuditEntry(SQLModel, table=True):
    """One create, change or delete of a record: who, when, from where, and what.

    Written by `storage/auditing.py` in the transaction that made the change, and never
    changed. `change` holds the values (a change: each field's old and new value); a
    personal field's value is replaced by a marker.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_table_at", "table_name", "at"), NEVER_REUSE_IDS)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str | None = workspace_column()
    at: datetime = _moment(index=True)
    actor: str = Field(max_length=64)  # a Slack user id, "cli:<login>", "scheduler"
    origin: str = Field(max_length=200)  # e.g. "slack:/engage log in C123", "cli:import"
    action: str = Field(max_length=10)  # create, change or delete
    table_name: str = Field(max_length=64)
    record_id: str = Field(max_length=100)  # "engagement_id=1,output_id=3" for a link row
    change: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
