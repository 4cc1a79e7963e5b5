"""The fixed lists a record chooses from: stored as the value, shown as the label."""

from __future__ import annotations

from collections.abc import Mapping


def _choices(*labels: str) -> dict[str, str]:
    return {label.lower().replace(" ", "_"): label for label in labels}


METHODS: Mapping[str, str] = _choices(
    "Meeting",
    "Workshop",
    "Webinar",
    "Survey",
    "Consultation",
    "User group",
    "Conference",
    "Correspondence",
    "Social media",
    "Enquiry",
    "Other",
)
EXPERTISE: Mapping[str, str] = _choices("Expert", "Non-expert", "Mixed")
FEEDBACK_CHANNELS: Mapping[str, str] = _choices(
    "Email", "Event", "Slack", "Web", "Survey", "Phone", "Social media", "Other"
)
WEB = "web"  # the channel of feedback sent from the public site (bot/public/web_feedback.py)
PROFILES: Mapping[str, str] = _choices("High", "Medium", "Low")
FEEDBACK_STATUSES: Mapping[str, str] = _choices(
    "New", "Under consideration", "Planned", "Done", "Not planned"
)


def value_for(choices: Mapping[str, str], text: str) -> str | None:
    """The stored value matching `text` by value or label, ignoring case; None if none."""
    wanted = text.strip().lower()
    for value, label in choices.items():
        if wanted in (value, label.lower()):
            return value
    return None


def segment_label(name: str) -> str:
    """A segment as shown to people: "central government" -> "Central government"."""
    return name[:1].upper() + name[1:]
