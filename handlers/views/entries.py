"""Messages and modals shared by both kinds of entry (engagements and feedback)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bot.base.text import escape_mrkdwn, preview, shortened
from bot.base.validation import json_object, record_id_in
from handlers.views.blocks import (
    Block,
    actions,
    button,
    context,
    modal,
    packed_sections,
    section,
    text_sections,
    typed_text_blocks,
)
from handlers.views.limits import MESSAGE_BLOCKS_MAX, SECTION_MAX

DETAILS_ACTION = "entry_details"
UNDO_ACTION = "entry_undo"
OUT_OF_DATE = "That button is out of date."  # its value is none the bot gave it


@dataclass(frozen=True)
class FormOrigin:
    """Carried in a modal's private_metadata: what it edits and where to confirm."""

    kind: str
    record_id: int | None = None
    response_url: str | None = None
    # True when the confirmation should replace the message that had the button.
    replace_original: bool = False
    from_home: bool = False
    permalink: str | None = None  # of the Slack message the feedback came from
    change_id: int | None = None  # the upcoming change the feedback comments on
    opportunity_id: int | None = None  # the opportunity the engagement is logged for

    def to_json(self) -> str:
        return json.dumps({key: value for key, value in asdict(self).items() if value})

    @classmethod
    def from_json(cls, text: str, kind: str) -> FormOrigin:
        """The origin a form of `kind` carries; what a broken client sends instead (not
        JSON, or values of the wrong type) reads as none: a new record, confirmed in the
        form."""
        data = json_object(text)
        texts = {key: data.get(key) for key in ("response_url", "permalink")}
        return cls(
            kind,
            record_id=record_id_in(data.get("record_id")),
            replace_original=data.get("replace_original") is True,
            from_home=data.get("from_home") is True,
            change_id=record_id_in(data.get("change_id")),
            opportunity_id=record_id_in(data.get("opportunity_id")),
            **{key: value if isinstance(value, str) else None for key, value in texts.items()},
        )


def recorded_message(
    *,
    kind: str,
    label: str,
    record_id: int,
    text: str,
    team: str,
    verb: str,
    more_buttons: Sequence[dict[str, Any]] = (),
    notes: Sequence[Block] = (),
) -> dict[str, Any]:
    """The ephemeral confirmation with "Add details", "Undo" and the kind's own buttons;
    `notes` (blocks) below them."""
    value = f"{kind}:{record_id}"
    headline = f"{verb} {label.lower()} *#{record_id}* for {escape_mrkdwn(team)}."
    return {
        "response_type": "ephemeral",
        "text": f"{verb} {label.lower()} #{record_id} for {team}.",
        "blocks": [
            section(f":white_check_mark: {headline}\n>{preview(text)}"),
            actions(
                f"{kind}_{record_id}",
                button("Add details", DETAILS_ACTION, value, style="primary"),
                button("Undo", UNDO_ACTION, value, style="danger"),
                *more_buttons,
            ),
            *notes,
        ],
    }


def undone_message(*, label: str, record_id: int, team: str) -> dict[str, Any]:
    text = (
        f"{label} #{record_id} for {escape_mrkdwn(team)} was deleted: it is gone from every "
        "list, count and export."
    )
    return {"response_type": "ephemeral", "replace_original": True, "text": text}


def notice_message(text: str) -> dict[str, Any]:
    """A plain ephemeral answer (refusals, failures); `text` must already be safe mrkdwn."""
    return {"response_type": "ephemeral", "text": text, "blocks": text_sections(text)}


def listing_message(
    heading: str, lines: Sequence[str], more: Callable[[int], str]
) -> dict[str, Any]:
    """An ephemeral answer listing `lines` under `heading` (safe mrkdwn) in as many sections
    as they take (`more`: the closing line when they need more than a message holds); its
    text, which notifications show, the same cut to a section's length."""
    listed = packed_sections(lines, MESSAGE_BLOCKS_MAX - 1, more)
    return {
        "response_type": "ephemeral",
        "text": shortened("\n".join([heading, *lines]), SECTION_MAX),
        "blocks": [section(heading), *listed],
    }


def handed_back_message(problem: str, typed: str) -> dict[str, Any]:
    """What a person typed and that was not recorded, given back whole so nothing is lost:
    `problem` (safe mrkdwn: nothing was recorded, and why), then the text as typed."""
    heading = f":warning: {problem}\nWhat you typed, to copy:"
    blocks = [section(heading), *typed_text_blocks(typed, room=MESSAGE_BLOCKS_MAX - 1)]
    return {"response_type": "ephemeral", "text": heading, "blocks": blocks}


def which_team_message(what: str) -> dict[str, Any]:
    """The answer when no team can be told from the channel or the person (`what`: "Which
    team's feedback?", ...)."""
    return notice_message(
        f"{what} This channel is no team's home, and you haven't recorded for a team yet: "
        "run it in your team's channel, or ask a workspace admin to create your team with "
        "`/engage team`."
    )


def saved_modal(
    *,
    label: str,
    record_id: int,
    text: str,
    team: str,
    verb: str,
    comment: bool = False,
    notes: Sequence[Block] = (),
) -> dict[str, Any]:
    """What a modal turns into after saving when there is no channel to confirm in, naming
    the team as every confirmation does; a `comment` on a change thanks its author; `notes`
    (blocks) follow the record."""
    footer = (
        f"Thank you: {escape_mrkdwn(team)} will read it."
        if comment
        else "Find it on engagebot's Home tab."
    )
    headline = f"{verb} {label.lower()} *#{record_id}* for {escape_mrkdwn(team)}."
    return modal(
        "entry_saved",
        f"{label} saved",
        [section(f":white_check_mark: {headline}\n>{preview(text)}"), *notes, context(footer)],
        submit=None,
    )


def problem_modal(title: str, text: str) -> dict[str, Any]:
    """Shown instead of a form that could not be opened; `text` must be safe mrkdwn."""
    return modal("entry_problem", title, [section(f":warning: {text}")], submit=None)
