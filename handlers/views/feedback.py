"""The feedback form."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.base.text import LONG_TEXT_MAX
from bot.base.vocabulary import FEEDBACK_CHANNELS
from handlers.views.blocks import (
    checkbox,
    context,
    date_picker,
    external_select,
    input_block,
    modal,
    option,
    options,
    section,
    static_select,
    text_input,
)
from storage.models import AudienceSegment, Feedback, ProducerTeam, StatisticalOutput

CALLBACK_ID = "feedback_form"


def feedback_modal(
    *,
    segments: Sequence[AudienceSegment],
    today: date,
    metadata: str,
    record: Feedback | None = None,
    team: ProducerTeam | None = None,
    text: str | None = None,
    permalink: str | None = None,
    channel: str | None = None,
    output: StatisticalOutput | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """The form to record feedback (prefilled from a message), or to edit `record`;
    `note` (safe mrkdwn) heads it."""
    team = record.team if record is not None else team
    output = record.output if record is not None else output
    permalink = record.source_permalink if record is not None else permalink
    blocks = [
        input_block(
            "received_on", "Received", date_picker(record.received_on if record else today)
        ),
        input_block(
            "team", "Team", external_select(option(team.name, str(team.id)) if team else None)
        ),
        input_block(
            "output",
            "About which output",
            external_select(option(output.name, str(output.id)) if output else None),
            optional=True,
        ),
        input_block(
            "organisation",
            "From which organisation",
            external_select(
                option(record.organisation.name, record.organisation.name)
                if record and record.organisation
                else None,
                placeholder="Type a name; pick it or add it",
            ),
            optional=True,
        ),
        input_block(
            "segment",
            "Audience segment",
            static_select(
                options((str(segment.id), segment.name) for segment in segments),
                str(record.segment_id) if record and record.segment_id else None,
            ),
            optional=True,
        ),
        input_block(
            "channel",
            "How it came in",
            static_select(
                options(FEEDBACK_CHANNELS.items()), record.channel if record else channel
            ),
            optional=True,
        ),
        input_block(
            "text",
            "Feedback",
            text_input(
                record.text if record else (text or "")[:LONG_TEXT_MAX],  # longer: said above
                multiline=True,
                max_length=LONG_TEXT_MAX,
            ),
        ),
        input_block(
            "themes",
            "Themes",
            text_input(", ".join(theme.name for theme in record.themes) if record else None),
            optional=True,
            hint="Free tags, separated by commas, e.g. timeliness, geography",
        ),
        input_block(
            "contact_agreed",
            "Contact",
            checkbox(
                "They agreed to be contacted about this",
                "yes",
                bool(record and record.contact_agreed),
            ),
            optional=True,
        ),
        input_block(
            "contact_name",
            "Contact name",
            text_input(record.contact_name if record else None, max_length=120),
            optional=True,
        ),
        input_block(
            "contact_email",
            "Contact email",
            text_input(record.contact_email if record else None, max_length=254),
            optional=True,
        ),
    ]
    if text and len(text) > LONG_TEXT_MAX:
        blocks.insert(
            0,
            context(
                f":warning: The message is {len(text):,} characters; the form holds the "
                f"first {LONG_TEXT_MAX:,}. Shorten it to what matters; the link below keeps "
                "the whole message."
            ),
        )
    if note:
        blocks.insert(0, context(note))
    if permalink:
        blocks.append(section(f"<{permalink}|The original message>"))
    title = f"Feedback #{record.id}" if record else "Record feedback"
    return modal(CALLBACK_ID, title, blocks, private_metadata=metadata)
