"""The engagement form, and the Tag button of a quick log's confirmation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.base.text import LONG_TEXT_MAX, SUMMARY_MAX, escape_mrkdwn, listed, shortened
from bot.base.validation import json_object, record_id_in
from bot.base.vocabulary import EXPERTISE, METHODS
from bot.engagements.tagging import Suggestion
from handlers.views.blocks import (
    button,
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
TAG_ACTION = "engagement_tag"
BUTTON_TEXT_MAX = 75  # Slack's most for a button's text


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


def tag_button(record_id: int, suggestion: Suggestion) -> dict[str, Any]:
    """ "Tag DWP and Consumer price inflation": adds what the summary names, in one click."""
    value = {
        "id": record_id,
        "organisations": list(suggestion.organisations),
        "outputs": [output_id for output_id, _ in suggestion.outputs],
    }
    text = shortened(f"Tag {listed(suggestion.names())}", BUTTON_TEXT_MAX)
    return button(text, TAG_ACTION, json.dumps(value))


@dataclass(frozen=True)
class TagRequest:
    """What a Tag button carries: the engagement, and the tags' names and output ids."""

    record_id: int
    organisations: tuple[str, ...]
    output_ids: tuple[int, ...]


def tag_request_in(value: str | None) -> TagRequest | None:
    """The engagement and tags a Tag button carries; None for a value it never had."""
    data = json_object(value)
    record_id = record_id_in(data.get("id"))
    organisations, outputs = data.get("organisations"), data.get("outputs")
    if record_id is None or not isinstance(organisations, list) or not isinstance(outputs, list):
        return None
    output_ids = (record_id_in(output_id) for output_id in outputs)
    return TagRequest(
        record_id,
        tuple(name for name in organisations if isinstance(name, str)),
        tuple(output_id for output_id in output_ids if output_id is not None),
    )


def tagged_note(added: Suggestion) -> dict[str, Any]:
    """What the Tag button added, under the confirmation it turns into."""
    if not added:
        return context(
            "Nothing was added: those tags are no longer in the register or the team's outputs."
        )
    return context(f"Tagged with {escape_mrkdwn(listed(added.names()))}.")
