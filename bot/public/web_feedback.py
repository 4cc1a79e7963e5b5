"""Feedback from the public site: a team's feedback form and the comment form of each of
its changes. What is sent becomes a feedback item of the team's (channel "web", counted
by the review like any other), and a post to the team's home channel is queued with it
(the delivery outbox sends it: `handlers/web_feedback.py`), in one transaction, before
the sender is thanked.

A name and an email address are kept only with the sender's consent, for a reply: the
item's contact fields, under retention, erasure and the audit log as every contact is
(`bot/people/personal_data.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.text import ORGANISATION_MAX, blank_to_none
from bot.base.validation import (
    FieldErrors,
    Invalid,
    check_names,
    check_optional_text,
    check_required_text,
    still_there,
)
from bot.base.vocabulary import WEB
from bot.feedback.recording import FeedbackDraft, feedback_problems, save_feedback
from bot.public.contents import team_day
from storage.changes import CANCELLED
from storage.database import Database
from storage.deliveries import enqueue_to_channels
from storage.models import AudienceSegment, ProducerTeam, UpcomingChange
from storage.public import team_at_address
from storage.reference import list_segments, organisation_named

FEEDBACK_POSTED = "web_feedback"  # the delivery that tells the team's home channel
TEXT_MAX = 2000  # what they think; with how they use the statistics, within LONG_TEXT_MAX
USES_MAX = 900
USES_HEADING = "How they use the statistics:"
# An organisation named that the register does not know: kept in the text for the team to
# add (`/engage organisation`), never added by the public.
ORGANISATION_HEADING = "Their organisation, as they wrote it:"


@dataclass(frozen=True)
class SentFeedback:
    """A feedback or comment form as sent, its fields named as the item's."""

    text: str
    uses: str = ""
    segment_id: int | None = None
    organisation: str | None = None
    contact_agreed: bool = False
    contact_name: str | None = None
    contact_email: str | None = None
    change_id: int | None = None  # a comment's change
    # The form's own (the token it was sent with): the same form sent twice records once.
    source_key: str | None = None


@dataclass(frozen=True)
class FeedbackForm:
    """What a form shows beside its fields: the team, the kinds of user to choose from
    (id, name) and, for a comment, the change's title."""

    team: str
    segments: Sequence[tuple[int, str]]
    change_title: str | None


def feedback_form(
    database: Database, address: str, change_id: int | None = None
) -> FeedbackForm | None:
    """The form of the team at `address` (a comment form with `change_id`); None if there
    is no such team, or no such change of its that is still announced."""
    with database.transaction() as session:
        team = team_at_address(session=session, address=address)
        if team is None:
            return None
        change = _commented(session, team, change_id)
        if change_id is not None and change is None:
            return None
        segments = [
            (segment.id, segment.name)
            for segment in list_segments(session=session)
            if segment.id is not None
        ]
        return FeedbackForm(team.name, segments, change.title if change else None)


def receive_feedback(
    database: Database,
    address: str,
    sent: SentFeedback,
    *,
    now: datetime,
    default_zone: ZoneInfo,
    earliest: date,
) -> int | None:
    """Save `sent` as a new item of the team at `address`, and queue its post to the
    team's home channel, in one transaction: the item's id, or None if the team (or the
    change commented on) is gone. Raise `Invalid` and write nothing."""
    with database.transaction() as session:
        team = team_at_address(session=session, address=address)
        if team is None:
            return None
        change = _commented(session, team, sent.change_id)
        if sent.change_id is not None and change is None:
            return None
        today, _ = team_day(team, now, default_zone)
        # Only the register's own name is linked: the public adds none to the register.
        typed = blank_to_none(sent.organisation)
        known = organisation_named(session=session, name=typed) if typed else None
        draft = FeedbackDraft(
            text=_text(sent, typed if known is None else None),
            team_id=team.id,
            received_on=today,
            organisation=known.name if known else None,
            segment_id=sent.segment_id,
            output_id=change.output_id if change else None,
            channel=WEB,
            contact_agreed=sent.contact_agreed,
            contact_name=sent.contact_name,
            contact_email=sent.contact_email,
            change_id=sent.change_id,
        )
        errors = {**feedback_problems(draft, today=today, earliest=earliest), **_problems(sent)}
        # Said with the rest, rather than by the save once these are put right.
        still_there(session, AudienceSegment, sent.segment_id, errors, "segment", "That kind")
        if errors:
            raise Invalid(errors)
        item = save_feedback(
            session=session,
            draft=draft,
            today=today,
            earliest=earliest,
            user_id=None,
            source_key=sent.source_key,
        )
        assert item.id is not None
        if team.home_channel_id:
            enqueue_to_channels(
                session=session,
                kind=FEEDBACK_POSTED,
                key=lambda channel: f"{FEEDBACK_POSTED}:{item.id}:{channel}",
                channels=[team.home_channel_id],
                now=now,
                team_id=team.id,
                subject_id=item.id,
            )
        return item.id


def _commented(
    session: Session, team: ProducerTeam, change_id: int | None
) -> UpcomingChange | None:
    change = session.get(UpcomingChange, change_id) if change_id is not None else None
    if change is None or change.team_id != team.id or change.status == CANCELLED:
        return None
    return change


def _text(sent: SentFeedback, organisation: str | None) -> str:
    """What they think, how they use the statistics and the organisation not in the register
    they named, if they said, as one text."""
    text = sent.text.strip() if sent.uses.strip() or organisation else sent.text
    if uses := sent.uses.strip():
        text += f"\n\n{USES_HEADING} {uses}"
    if organisation:
        text += f"\n\n{ORGANISATION_HEADING} {organisation}"
    return text


def _problems(sent: SentFeedback) -> FieldErrors:
    """What the public form asks beyond any feedback's rules."""
    errors: FieldErrors = {}
    check_required_text(errors, "text", "What you think", sent.text, TEXT_MAX)
    check_optional_text(errors, "uses", "How you use the statistics", sent.uses, USES_MAX)
    if organisation := blank_to_none(sent.organisation):
        check_names(errors, "organisation", "Organisation", [organisation], ORGANISATION_MAX)
    if sent.contact_agreed and not blank_to_none(sent.contact_email):
        errors["contact_email"] = "Give an email address to be replied to."
    return errors
