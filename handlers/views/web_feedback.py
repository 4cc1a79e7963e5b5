"""The post that tells a team's home channel of feedback sent from its public pages, with
its Decide button. Everything the sender typed is shown as typed: the text in plain-text
sections (nothing in it a mention or a link), the rest escaped."""

from __future__ import annotations

from typing import Any

from bot.base.text import escape_mrkdwn, preview
from bot.base.vocabulary import segment_label
from handlers.views.blocks import actions, context, section, typed_text_blocks
from handlers.views.decisions import decide_button
from storage.models import Feedback

TEXT_BLOCKS = 3  # the text, within Slack's 3,000 characters a section


def web_feedback_message(item: Feedback, change_title: str | None) -> dict[str, Any]:
    """Feedback #`item` from the public site (a comment on the change `change_title`):
    what it says, who sent it (their kind of user and organisation, never their name or
    email) and the Decide button."""
    about = (
        f" on the change *{preview(change_title)}*"
        if change_title is not None
        else f" to *{escape_mrkdwn(item.team.name)}*"
    )
    sender = [
        f"Kind of user: {escape_mrkdwn(segment_label(item.segment.name))}"
        if item.segment
        else "Kind of user: not said",
        f"Organisation: {escape_mrkdwn(item.organisation.name)}" if item.organisation else None,
        "They would like a reply: their email is in the record (`/engage export personal`)."
        if item.contact_agreed and item.contact_email
        else None,
    ]
    heading = f"*Feedback #{item.id}* from the public site{about}:"
    return {
        "text": f"Feedback #{item.id} from the public site: {preview(item.text)}",
        "blocks": [
            section(heading),
            *typed_text_blocks(item.text, TEXT_BLOCKS),
            context(". ".join(part for part in sender if part)),
            actions(f"web_feedback_{item.id}", decide_button(item.id)),  # type: ignore[arg-type]
        ],
    }
