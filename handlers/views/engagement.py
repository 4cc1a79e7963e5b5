"""The engagement form."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.base.text import LONG_TEXT_MAX, SUMMARY_MAX
from bot.base.vocabulary import EXPERTISE, METHODS
from handlers.views.blocks import (
    context,
    date_picker,
    external_select,
    input_block,
    modal,
    multi_external_select,
    multi_static_select,
    number_input,
    option,
    options,
    static_select,
    text_input,
    typed_text_input,
)
from storage.models import AudienceSegment, Engagement, ProducerTeam, StatisticalOutput

CALLBACK_ID = "engagement_form"


def engagement_modal(
    *,
    segments: Sequence[AudienceSegment],
    today: date,
    metadata: str,
    record: Engagement | None = None,
    team: ProducerTeam | None = None,
    summary: str | None = None,
    occurred_on: date | None = None,
    method: str | None = None,
    participants: int | None = None,
    output: StatisticalOutput | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """The form to log an engagement (prefilled with what is known), or to edit `record`;
    `note` (safe mrkdwn) heads it."""
    team = record.team if record is not None else team
    outputs = record.outputs if record is not None else [output] if output is not None else []
    blocks = [
        input_block(
            "occurred_on",
            "Date",
            date_picker(record.occurred_on if record else occurred_on or today),
        ),
        input_block(
            "team", "Team", external_select(option(team.name, str(team.id)) if team else None)
        ),
        input_block(
            "outputs",
            "Statistical outputs",
            multi_external_select([option(chosen.name, str(chosen.id)) for chosen in outputs]),
            optional=True,
        ),
        input_block(
            "method",
            "Method",
            static_select(options(METHODS.items()), record.method if record else method),
            optional=True,
        ),
        input_block(
            "segments",
            "Audience segments",
            multi_static_select(
                options((str(segment.id), segment.name) for segment in segments),
                [str(segment.id) for segment in record.segments] if record else (),
            ),
            optional=True,
        ),
        input_block(
            "expertise",
            "Expertise",
            static_select(options(EXPERTISE.items()), record.expertise if record else None),
            optional=True,
        ),
        input_block(
            "organisations",
            "Organisations",
            multi_external_select(
                [option(org.name, org.name) for org in record.organisations] if record else (),
                placeholder="Type a name; pick it or add it",
            ),
            optional=True,
        ),
        input_block(
            "partners",
            "Partner teams",
            multi_external_select(
                [option(partner.name, str(partner.id)) for partner in record.partners]
                if record
                else ()
            ),
            optional=True,
            hint="Other teams that took part: a joint engagement.",
        ),
        input_block(
            "participants",
            "Number of participants",
            number_input(record.participants if record else participants),
            optional=True,
        ),
        input_block(
            "summary",
            "Summary",
            typed_text_input(record.summary if record else summary, limit=SUMMARY_MAX),
        ),
        input_block(
            "what_we_heard",
            "What we heard",
            text_input(
                record.what_we_heard if record else None, multiline=True, max_length=LONG_TEXT_MAX
            ),
            optional=True,
        ),
        input_block(
            "uses",
            "What they use the statistics for",
            text_input(record.uses if record else None, multiline=True, max_length=LONG_TEXT_MAX),
            optional=True,
        ),
        input_block(
            "follow_up_actions",
            "Follow-up actions",
            text_input(
                record.follow_up_actions if record else None,
                multiline=True,
                max_length=LONG_TEXT_MAX,
            ),
            optional=True,
        ),
    ]
    if note:
        blocks.insert(0, context(note))
    title = f"Engagement #{record.id}" if record else "Log an engagement"
    return modal(CALLBACK_ID, title, blocks, private_metadata=metadata)
