"""What engagebot keeps about members of the public, and how it is removed.

The contact details a piece of feedback may carry (a name, an email, the agreement to be
contacted) are the personal data engagebot stores on purpose. People may also be quoted
in the free text staff write: the feedback itself, the notes on decisions, the records of
engagements, and insights. Slack user ids (who recorded what) belong to staff, and the
organisations named are organisations, not people.
"""

from __future__ import annotations

from datetime import datetime

from storage.models import Engagement, Feedback, FeedbackDecision, Insight

# The feedback fields that identify a person, cleared together.
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_agreed")
# The free text that may quote a person, by table: searched by `engagebot erase`.
FREE_TEXT = (
    (Feedback, ("text",)),
    (FeedbackDecision, ("note",)),
    (Engagement, ("summary", "what_we_heard", "uses", "follow_up_actions")),
    (Insight, ("text",)),
)


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
