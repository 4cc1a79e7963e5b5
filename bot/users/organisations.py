"""The register of organisations: each organisation named on an engagement or a feedback
item, with its own audience segment. The published statements attribute an organisation,
and what it said it uses the statistics for, by this segment, never by the segments of the
records that name it (an engagement with central government and academia may have met
only central government's organisations).

An organisation gets its segment:

- while it has none, from a record naming it that says it unambiguously
  (`default_segment`): an engagement's one audience segment (with several, which of them
  is the organisation's is not known), or a feedback item's segment; a segment recorded is
  never changed by a record, only by the two ways below;
- from a team member or workspace admin in Slack: `/engage organisation Name: segment`
  (`set_segment`);
- from a file: `engagebot import organisations` (`bot/transfer/organisations.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from bot.base.vocabulary import segment_label
from storage.models import AudienceSegment, Organisation
from storage.reference import organisation_named, organisations_containing, segments_by_name

SEPARATOR = ":"  # "/engage organisation Bank of England: central government"
CANDIDATES_SHOWN = 10


class OrganisationRefused(ValueError):
    """The organisation or the segment asked for is not known; the message says which (in
    plain text: the Slack view escapes it) and what there is instead."""


@dataclass(frozen=True)
class RegisterEntry:
    """An organisation as the register holds it."""

    name: str
    segment: str | None  # the segment's name; None: not recorded


@dataclass(frozen=True)
class SegmentSet:
    """What setting an organisation's segment did."""

    entry: RegisterEntry
    before: str | None  # the segment it had


def default_segment(segments: Sequence[AudienceSegment]) -> int | None:
    """The segment an organisation with none takes from a record of these segments that
    names it: the only one, else none (which of several it is cannot be told)."""
    return segments[0].id if len(segments) == 1 else None


def split_request(text: str) -> tuple[str, str | None]:
    """ "Bank of England: central government" -> (name, segment); no colon -> (name, None).
    The last colon separates: an organisation's name may hold one, a segment's never."""
    name, colon, segment = text.rpartition(SEPARATOR)
    if not colon:
        return " ".join(text.split()), None
    return " ".join(name.split()), " ".join(segment.split())


def register_entry(*, session: Session, name: str) -> RegisterEntry:
    """The organisation called `name` (ignoring case); raise `OrganisationRefused`."""
    return _entry(_organisation(session, name))


def register_entries(*, session: Session, names: Sequence[str]) -> list[RegisterEntry]:
    """The organisations called `names`, each as the register holds it (unknown names left
    out)."""
    found = (organisation_named(session=session, name=name) for name in names)
    return [_entry(organisation) for organisation in found if organisation is not None]


def set_segment(*, session: Session, name: str, segment: str) -> SegmentSet:
    """Record `segment` (a segment's name, ignoring case) as the organisation's; raise
    `OrganisationRefused` and change nothing if either is not known."""
    organisation = _organisation(session, name)
    found = segments_by_name(session=session).get(" ".join(segment.split()).lower())
    if found is None:
        raise OrganisationRefused(
            f"There is no audience segment called '{segment}'. The audience segments are: "
            f"{', '.join(segment_names(session))}."
        )
    before = _entry(organisation).segment
    organisation.segment = found
    session.add(organisation)
    session.flush()
    return SegmentSet(_entry(organisation), before)


def segment_names(session: Session) -> list[str]:
    """The taxonomy's segments, in its order, as people read them."""
    return [segment_label(name) for name in segments_by_name(session=session)]


def _organisation(session: Session, name: str) -> Organisation:
    organisation = organisation_named(session=session, name=name)
    if organisation is not None:
        return organisation
    similar, total = organisations_containing(session=session, text=name, limit=CANDIDATES_SHOWN)
    if similar:
        names = ", ".join(found.name for found in similar)
        more = ", …" if total > len(similar) else ""
        hint = f"Organisations with '{name}' in their name: {names}{more}."
    else:
        hint = "An organisation joins the register when an engagement or feedback names it."
    raise OrganisationRefused(f"No organisation is called '{name}'. {hint}")


def _entry(organisation: Organisation) -> RegisterEntry:
    segment = organisation.segment
    return RegisterEntry(organisation.name, segment.name if segment is not None else None)
