"""Queries over the shared reference data: segments, organisations, themes, outputs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import AudienceSegment, Organisation, ProducerTeam, StatisticalOutput, Theme

_Named = TypeVar("_Named", Organisation, Theme)


def list_segments(*, session: Session) -> Sequence[AudienceSegment]:
    return session.exec(select(AudienceSegment).order_by(col(AudienceSegment.position))).all()


def segments_by_id(*, session: Session, ids: Iterable[int]) -> list[AudienceSegment]:
    wanted = set(ids)
    if not wanted:
        return []
    return list(session.exec(select(AudienceSegment).where(col(AudienceSegment.id).in_(wanted))))


def segments_by_name(*, session: Session) -> dict[str, AudienceSegment]:
    """Every segment keyed by its lower-cased name."""
    return {segment.name.lower(): segment for segment in list_segments(session=session)}


def find_organisations(*, session: Session, query: str, limit: int) -> Sequence[Organisation]:
    statement = select(Organisation).order_by(col(Organisation.name)).limit(limit)
    if query:
        statement = statement.where(col(Organisation.name).ilike(f"%{_escape_like(query)}%", "\\"))
    return session.exec(statement).all()


def all_organisations(*, session: Session) -> Sequence[Organisation]:
    """The whole register of organisations, by name."""
    return session.exec(select(Organisation).order_by(col(Organisation.name))).all()


def organisation_named(*, session: Session, name: str) -> Organisation | None:
    """The organisation called `name`, ignoring case."""
    return session.exec(
        select(Organisation).where(func.lower(Organisation.name) == name.lower())
    ).first()


def known_organisations(*, session: Session, names: Iterable[str]) -> Sequence[Organisation]:
    """The organisations of the register called any of `names` (lower-cased), by name;
    adding none."""
    lowered = list(set(names))
    if not lowered:
        return []
    return session.exec(
        select(Organisation)
        .where(func.lower(Organisation.name).in_(lowered))
        .order_by(col(Organisation.name))
    ).all()


def organisations_containing(
    *, session: Session, text: str, limit: int
) -> tuple[list[Organisation], int]:
    """Organisations whose name contains `text` (ignoring case), by name, at most `limit`,
    and how many there are in all."""
    matches = func.lower(Organisation.name).contains(text.lower(), autoescape=True)
    total = session.exec(select(func.count()).select_from(Organisation).where(matches)).one()
    found = session.exec(
        select(Organisation).where(matches).order_by(col(Organisation.name)).limit(limit)
    ).all()
    return list(found), total


def organisations_without_segment(*, session: Session, names: Iterable[str]) -> list[str]:
    """Those of `names` (each once, in order) that no organisation is called yet (ignoring
    case), or whose organisation has no audience segment recorded."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(name.lower(), name)
    if not wanted:
        return []
    lowered = func.lower(Organisation.name)
    segmented = set(
        session.exec(
            select(lowered).where(
                lowered.in_(list(wanted)), col(Organisation.segment_id).is_not(None)
            )
        )
    )
    return [name for key, name in wanted.items() if key not in segmented]


def organisations_named(
    *, session: Session, names: Iterable[str], segment_id: int | None = None
) -> list[Organisation]:
    """The organisations with these names (matched ignoring case), adding any not yet known
    to the register. Those with no audience segment recorded take `segment_id` (None: not
    known); one recorded is kept."""
    organisations = _named(session, Organisation, names)
    for organisation in organisations:
        if organisation.segment_id is None:
            organisation.segment_id = segment_id
    session.flush()
    return organisations


def themes_named(*, session: Session, names: Iterable[str]) -> list[Theme]:
    """The themes with these names (matched ignoring case), adding any not yet known."""
    return _named(session, Theme, names)


def _named(session: Session, model: type[_Named], names: Iterable[str]) -> list[_Named]:
    wanted = list({name.lower(): name for name in reversed(list(names))}.values())[::-1]
    if not wanted:
        return []
    lowered = [name.lower() for name in wanted]
    existing = {
        row.name.lower(): row
        for row in session.exec(select(model).where(func.lower(model.name).in_(lowered)))
    }
    rows = []
    for name in wanted:
        row = existing.get(name.lower())
        if row is None:
            row = model(name=name)
            session.add(row)
            existing[name.lower()] = row
        rows.append(row)
    session.flush()
    return rows


def find_outputs(
    *, session: Session, query: str, team_id: int | None, limit: int, retired: bool = False
) -> Sequence[tuple[StatisticalOutput, str]]:
    """Outputs whose name contains `query`, with their team's name, for type-ahead; the
    retired ones too only if `retired` (not in the forms: they are no longer published)."""
    statement = (
        select(StatisticalOutput, ProducerTeam.name)
        .join(ProducerTeam)
        .order_by(col(StatisticalOutput.name))
        .limit(limit)
    )
    if not retired:
        statement = statement.where(col(StatisticalOutput.retired_at).is_(None))
    if team_id is not None:
        statement = statement.where(StatisticalOutput.team_id == team_id)
    if query:
        statement = statement.where(
            col(StatisticalOutput.name).ilike(f"%{_escape_like(query)}%", "\\")
        )
    return session.exec(statement).all()


def outputs_by_id(*, session: Session, ids: Iterable[int]) -> list[StatisticalOutput]:
    wanted = set(ids)
    if not wanted:
        return []
    return list(
        session.exec(select(StatisticalOutput).where(col(StatisticalOutput.id).in_(wanted)))
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
