"""Tags a quick log suggests: the organisations of the register and the team's outputs its
text names, offered in its confirmation to add with one click, so an engagement logged in
a few words still counts in the users map and the review."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from storage.clock import utc_now
from storage.database import Database
from storage.models import Engagement, ProducerTeam
from storage.reference import known_organisations, outputs_by_id

NAME_WORDS_MAX = 8  # the longest name looked for, in words
WORDS_READ = 100  # of a summary, where the names are looked for: at most 800 phrases a query
SUGGESTED_MAX = 5  # organisations, and outputs, offered at most
# A word as names are written: letters and digits with the marks inside names ("O'Brien",
# "R&D", "e-commerce"), not the punctuation around them ("DWP," or "(ONS)").
WORD = re.compile(r"\w(?:[\w&'\u2019.-]*\w)?")


@dataclass(frozen=True)
class Suggestion:
    """What a text names: organisations by their register name, outputs as (id, name)."""

    organisations: tuple[str, ...] = ()
    outputs: tuple[tuple[int, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.organisations or self.outputs)

    def names(self) -> list[str]:
        return [*self.organisations, *(name for _, name in self.outputs)]


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _phrases(words: Sequence[str]) -> set[str]:
    """Every run of 1 to NAME_WORDS_MAX words, as a name would be written (lower-cased)."""
    return {
        " ".join(words[start : start + length])
        for start in range(len(words))
        for length in range(1, NAME_WORDS_MAX + 1)
        if start + length <= len(words)
    }


def suggested_tags(*, session: Session, team: ProducerTeam, text: str) -> Suggestion:
    """The register's organisations and the team's current outputs whose whole name is in
    `text`, ignoring case and the punctuation around words."""
    phrases = _phrases(_words(text)[:WORDS_READ])
    organisations = known_organisations(session=session, names=phrases)
    outputs = [
        (output.id, output.name)
        for output in team.outputs
        if output.id is not None
        and output.retired_at is None
        and " ".join(_words(output.name)) in phrases
    ]
    return Suggestion(
        tuple(o.name for o in organisations[:SUGGESTED_MAX]), tuple(outputs[:SUGGESTED_MAX])
    )


@dataclass(frozen=True)
class Tagged:
    """The engagement now tagged: its id, summary and team, and what was added."""

    record_id: int
    text: str
    team: str
    added: Suggestion


@dataclass(frozen=True)
class NotTagged:
    """Why nothing was tagged."""

    reason: str


def tag_engagement(
    database: Database,
    engagement_id: int,
    user_id: str,
    *,
    organisations: Sequence[str],
    output_ids: Sequence[int],
) -> Tagged | NotTagged:
    """Add the suggested organisations and outputs to the engagement, in one transaction,
    if `user_id` logged it and it is still there; outputs no longer the team's current
    ones are left out."""
    with database.transaction() as session:
        engagement = session.get(Engagement, engagement_id)
        if engagement is None:
            return NotTagged(
                f"Engagement #{engagement_id} no longer exists (it may have been undone)."
            )
        if engagement.logged_by != user_id:
            return NotTagged(
                f":no_entry: Only <@{engagement.logged_by}>, who logged engagement "
                f"#{engagement_id}, can tag it. Nothing was changed."
            )
        wanted = outputs_by_id(session=session, ids=output_ids)
        outputs = [o for o in wanted if o.team_id == engagement.team_id and o.retired_at is None]
        # Only the register's: a forged button names none it would add.
        known = known_organisations(session=session, names=[name.lower() for name in organisations])
        engagement.outputs = [
            *engagement.outputs,
            *(o for o in outputs if o not in engagement.outputs),
        ]
        engagement.organisations = [
            *engagement.organisations,
            *(o for o in known if o not in engagement.organisations),
        ]
        engagement.updated_at = utc_now()
        session.add(engagement)
        session.flush()
        added = Suggestion(
            tuple(o.name for o in known),
            tuple((o.id, o.name) for o in outputs if o.id is not None),
        )
        return Tagged(engagement_id, engagement.summary, engagement.team.name, added)
