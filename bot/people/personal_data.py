"""What engagebot keeps about members of the public, and how it is removed.

The contact details a piece of feedback may carry (a name, an email, the agreement to be
contacted), and the address of an email subscription, are the personal data engagebot
stores on purpose. People may also be quoted
in any text staff type: the feedback itself (comments on changes too), the notes on
decisions, the records of engagements (summary, what was heard, uses, follow-up
actions), insights, upcoming changes (title, description, why cancelled), opportunities
(title, place, description), and the names of organisations and tags, which anyone may
add from a form: a member of the public can be recorded as an organisation of their own
("Jane Doe, independent researcher"). Every column holding text is one of these, or
named in NOT_FREE_TEXT with the reason it cannot quote a member of the public
(tests/domain/test_personal_data_rules.py walks the models to make sure).
"""

from __future__ import annotations

from datetime import datetime

from storage.models import (
    Engagement,
    Feedback,
    FeedbackDecision,
    Insight,
    Opportunity,
    Organisation,
    Theme,
    UpcomingChange,
)

# The feedback fields that identify a person, cleared together.
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_agreed")
# The free text that may quote a person, by table: searched by `engagebot erase`.
FREE_TEXT = (
    (Feedback, ("text",)),
    (FeedbackDecision, ("note",)),
    (Engagement, ("summary", "what_we_heard", "uses", "follow_up_actions")),
    (Insight, ("text",)),
    (UpcomingChange, ("title", "description", "cancel_reason")),
    (Opportunity, ("title", "place", "description")),
    (Organisation, ("name",)),
    (Theme, ("name",)),
)
# The audit log's record of every earlier value, searched too (inside its JSON).
AUDIT_LOG = "audit_entry.change"
# The requests waiting in the inbox for their work (what was typed), searched too (inside
# their JSON): what is erased there is erased from the record their work makes.
INBOX = "inbox_item.body"
# Columns marked PERSONAL (the contact) or SLACK_USER (a member of
# staff's Slack user id), and `workspace_id` (a Slack team's id), hold no one's words.
# The other text columns, and why none can quote a member of the public:
NOT_FREE_TEXT = {
    "audience_segment.name": "the fixed audience taxonomy, seeded by a migration",
    "audit_entry.actor": "a member of staff's Slack id, cli:<their login>, or the scheduler",
    "audit_entry.origin": "where a change came from: a command's first word, an action's id",
    "audit_entry.action": "create, change or delete",
    "audit_entry.table_name": "the table changed",
    "audit_entry.record_id": "the record's id",
    "console_identity.slack_id": "an id made up by the console",
    "console_identity.kind": "user or channel",
    "console_identity.name": "the console's own user or channel: staff trying the bot",
    "producer_team.name": "a team of the producer's staff, named by an admin; commands name it",
    "producer_team.public_slug": "the address of a team's public pages: letters, digits and"
    " hyphens a team lead picks",
    "producer_team.home_channel_id": "a Slack channel id",
    "producer_team.timezone": "an IANA time zone",
    "producer_team.alert_lead_days": "days, as numbers",
    "producer_team.digest_channel_id": "a Slack channel id",
    "producer_team.digest_cadence": "a choice from a list",
    "producer_team.review_channel_id": "a Slack channel id",
    "producer_team.review_cadence": "a choice from a list",
    "statistical_output.name": "a published statistic, named by its team",
    "statistical_output.profile": "a choice from a list",
    "delivery.key": "what is delivered to which channel, by ids",
    "delivery.kind": "the kind of message",
    "delivery.target": "a Slack channel or user id, or email:<subscription id>",
    "email_subscription.language": "en or cy",
    "delivery.note": "a date, a period, or the team and output names an update changed",
    "delivery.status": "the delivery's state",
    "delivery.last_error": "what Slack or the network answered",
    "delivery.claimed_by": "host:pid:token of the sender",
    "delivery.message_channel": "a Slack channel id",
    "delivery.message_ts": "a Slack message's timestamp",
    "inbox_item.origin": "where a request came from: a command's first word, an action's id",
    "inbox_item.status": "the request's state",
    "inbox_item.claimed_by": "host:pid:token of the process doing its work",
    "form_count.sender": "a keyed hash of a client or email address, which no one can read"
    " back without ENGAGEBOT_SECRET_KEY; kept an hour",
    "scheduler_lease.role": "what the lease is for: the scheduler",
    "scheduler_lease.holder": "host:pid:token of the process that ticks",
    "engagement.method": "a choice from a list",
    "engagement.expertise": "a choice from a list",
    "engagement.source_key": "the Slack request's ids",
    "insight.source_key": "the Slack request's ids",
    "opportunity.status": "open or cancelled",
    "opportunity.source_key": "the Slack request's ids",
    "subscription.channel_id": "a Slack channel id",
    "subscription.ended_reason": "a reason from a list",
    "upcoming_change.status": "announced or cancelled",
    "upcoming_change.source_key": "the Slack request's ids",
    "feedback.channel": "a choice from a list",
    "feedback.source_permalink": "a link to a Slack message, not its text",
    "feedback.status": "a choice from a list",
    "feedback.source_key": "the Slack request's ids, or a public form's random nonce",
    "feedback_decision.from_status": "a choice from a list",
    "feedback_decision.to_status": "a choice from a list",
}


def held_contact_fields(item: Feedback) -> list[str]:
    """The contact fields of the item that hold something."""
    return [name for name in CONTACT_FIELDS if getattr(item, name)]


def clear_contact(item: Feedback, now: datetime) -> list[str]:
    """Remove the item's contact details, noting when; return the fields that held any."""
    held = held_contact_fields(item)
    item.contact_name = item.contact_email = None
    item.contact_agreed = False
    if held:
        item.personal_data_cleared_at = now
    return held
