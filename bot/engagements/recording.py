"""Recording an engagement activity: what makes one valid, and saving it (from the text of
`/engage log`, or from the form)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from bot.base.text import LONG_TEXT_MAX, ORGANISATION_MAX, SUMMARY_MAX, blank_to_none
from bot.base.validation import (
    DEFAULT_EARLIEST_DATE,
    FieldErrors,
    Invalid,
    all_still_there,
    check_names,
    check_optional_text,
    check_past_date,
    check_required_text,
    still_there,
)
from bot.base.vocabulary import EXPERTISE, METHODS
from bot.engagements.opportunities import record_logged
from bot.engagements.tagging import Suggestion, suggested_tags
from bot.entries.filing import (
    Filed,
    TeamUnclear,
    Typed,
    Undo,
    file_typed,
    file_with_register,
    undo_entry,
)
from bot.users.organisations import default_segment
from storage.clock import utc_now
from storage.database import Database
from storage.entries import entry_from_source
from storage.models import Engagement, ProducerTeam
from storage.reference import organisations_named, outputs_by_id, segments_by_id
from storage.teams import remember_team, teams_by_id
from storage.types import flushed_id

PARTICIPANTS_MAX = 1_000_000


@dataclass
class EngagementDraft:
    """An engagement as typed: ids chosen from lists, organisations by name (new ones allowed)."""

    summary: str
    team_id: int | None = None
    occurred_on: date | None = None
    output_ids: list[int] = field(default_factory=list)
    method: str | None = None
    segment_ids: list[int] = field(default_factory=list)
    expertise: str | None = None
    organisations: list[str] = field(default_factory=list)
    participants: int | None = None
    what_we_heard: str | None = None
    follow_up_actions: str | None = None
    partner_ids: list[int] = field(default_factory=list)  # other teams that took part
    uses: str | None = None  # what these users use the statistics for


def engagement_problems(
    draft: EngagementDraft, *, today: date, earliest: date = DEFAULT_EARLIEST_DATE
) -> FieldErrors:
    """What is wrong with the draft on its own, before the database is asked; `earliest`
    is the first date one may be dated (ENGAGEBOT_EARLIEST_DATE)."""
    errors: FieldErrors = {}
    check_past_date(errors, "occurred_on", draft.occurred_on, today, earliest)
    if draft.team_id is None:
        errors["team"] = "Choose the team this engagement was for."
    if draft.method is not None and draft.method not in METHODS:
        errors["method"] = f"Unknown method '{draft.method}'."
    if draft.expertise is not None and draft.expertise not in EXPERTISE:
        errors["expertise"] = f"Unknown expertise '{draft.expertise}'."
    check_names(errors, "organisations", "Organisation", draft.organisations, ORGANISATION_MAX)
    if draft.participants is not None and not 0 <= draft.participants <= PARTICIPANTS_MAX:
        errors["participants"] = f"Participants must be from 0 to {PARTICIPANTS_MAX:,}."
    check_required_text(errors, "summary", "The summary", draft.summary, SUMMARY_MAX)
    check_optional_text(
        errors, "what_we_heard", "What we heard", draft.what_we_heard, LONG_TEXT_MAX
    )
    check_optional_text(
        errors, "follow_up_actions", "Follow-up actions", draft.follow_up_actions, LONG_TEXT_MAX
    )
    check_optional_text(
        errors, "uses", "What they use the statistics for", draft.uses, LONG_TEXT_MAX
    )
    if draft.team_id is not None and draft.team_id in draft.partner_ids:
        errors["partners"] = (
            "The engagement's own team can't be its partner: choose the other teams that took part."
        )
    return errors


def save_engagement(
    *,
    session: Session,
    draft: EngagementDraft,
    today: date,
    earliest: date = DEFAULT_EARLIEST_DATE,
    user_id: str | None,
    engagement_id: int | None = None,
    source_key: str | None = None,
) -> Engagement:
    """Create the engagement, or update `engagement_id`; raise `Invalid` and write nothing.

    A `source_key` already used returns the engagement it created: a retried Slack
    request must not record twice.
    """
    if source_key is not None and engagement_id is None:
        existing = entry_from_source(session=session, model=Engagement, source_key=source_key)
        if existing is not None:
            return existing
    errors = engagement_problems(draft, today=today, earliest=earliest)
    team = still_there(session, ProducerTeam, draft.team_id, errors, "team", "That team")
    outputs = outputs_by_id(session=session, ids=draft.output_ids)
    chosen = all_still_there(outputs, draft.output_ids, errors, "outputs", "outputs")
    if chosen and team is not None and any(output.team_id != team.id for output in outputs):
        errors["outputs"] = f"Choose outputs of {team.name} only."
    segments = segments_by_id(session=session, ids=draft.segment_ids)
    all_still_there(segments, draft.segment_ids, errors, "segments", "audience segments")
    partners = teams_by_id(session=session, ids=draft.partner_ids)
    if "partners" not in errors:  # the draft's own problem with them is told first
        all_still_there(partners, draft.partner_ids, errors, "partners", "partner teams")
    engagement = still_there(
        session,
        Engagement,
        engagement_id,
        errors,
        "summary",
        f"Engagement #{engagement_id}",
        " (it may have been undone)",
    )
    if errors:
        raise Invalid(errors)
    assert team is not None and team.id is not None
    assert draft.occurred_on is not None  # engagement_problems refuses a draft without one
    if engagement is None:
        engagement = Engagement(
            team_id=team.id,
            occurred_on=draft.occurred_on,
            summary="",
            logged_by=user_id,
            source_key=source_key,
        )
    engagement.team_id = team.id
    engagement.occurred_on = draft.occurred_on
    engagement.summary = draft.summary.strip()
    engagement.method = draft.method
    engagement.expertise = draft.expertise
    engagement.participants = draft.participants
    engagement.what_we_heard = blank_to_none(draft.what_we_heard)
    engagement.follow_up_actions = blank_to_none(draft.follow_up_actions)
    engagement.uses = blank_to_none(draft.uses)
    engagement.outputs = outputs
    engagement.segments = segments
    engagement.organisations = organisations_named(
        session=session, names=draft.organisations, segment_id=default_segment(segments)
    )
    engagement.partners = partners
    engagement.updated_at = utc_now()
    session.add(engagement)
    if user_id:
        remember_team(session=session, user_id=user_id, team_id=team.id)
    session.flush()
    return engagement


@dataclass(frozen=True)
class LoggedEngagement(Filed):
    """An engagement logged from its summary alone, with the tags its text suggests."""

    suggestion: Suggestion = field(default_factory=Suggestion)


def log_engagement(database: Database, typed: Typed) -> Filed | TeamUnclear:
    """`/engage log <summary>`: the engagement, logged at once as of today for the team
    `file_typed` finds, with the tags its summary suggests (`bot/engagements/tagging.py`).
    Raise `Invalid` and write nothing."""

    def save(session: Session, team: ProducerTeam) -> Filed:
        engagement = save_engagement(
            session=session,
            draft=EngagementDraft(summary=typed.text, team_id=team.id, occurred_on=typed.today),
            today=typed.today,
            earliest=typed.earliest,
            user_id=typed.user_id,
            source_key=typed.source_key,
        )
        suggestion = suggested_tags(session=session, team=team, text=engagement.summary)
        return LoggedEngagement(
            flushed_id(engagement), engagement.summary, team.name, (), suggestion
        )

    return file_typed(database, typed, save)


def save_engagement_form(
    database: Database,
    draft: EngagementDraft,
    *,
    today: date,
    earliest: date,
    user_id: str | None,
    engagement_id: int | None,
    source_key: str | None,
    opportunity_id: int | None,
) -> Filed:
    """The engagement form's save (`save_engagement`), in one transaction, linked to the
    opportunity it was logged for, if any. Raise `Invalid` and write nothing."""

    def save(session: Session) -> Filed:
        engagement = save_engagement(
            session=session,
            draft=draft,
            today=today,
            earliest=earliest,
            user_id=user_id,
            engagement_id=engagement_id,
            source_key=source_key,
        )
        if opportunity_id is not None:
            record_logged(
                session=session,
                opportunity_id=opportunity_id,
                engagement_id=flushed_id(engagement),
            )
        return Filed(flushed_id(engagement), engagement.summary, engagement.team.name)

    return file_with_register(database, draft.organisations, save)


def undo_engagement(database: Database, engagement_id: int, user_id: str) -> Undo:
    """Undo: delete the engagement, if `user_id` logged it."""
    return undo_entry(
        database, Engagement, engagement_id, user_id, owner_of=lambda record: record.logged_by
    )
