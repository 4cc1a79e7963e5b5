"""The users map: which kinds of user a team has engaged about each of its outputs, when
last and how often, so the gaps show; and the organisations it was in touch with, latest
first. Also what `/engage users <text>` means, and the map as CSV or JSON.

Counts cover all time. A cell counts the engagements that name both its segment and its
output; a segment's total counts each of its engagements once, whatever outputs it names
(or none), so the cells of a row need not add up to it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from sqlmodel import Session

from bot.base.formulas import inert_cell
from bot.base.text import TEAM_OUTPUT_NAME_MAX
from storage.models import ProducerTeam, StatisticalOutput
from storage.reference import find_outputs, list_segments
from storage.subscriptions import outputs_named
from storage.teams import list_teams, team_named
from storage.users_map import (
    OrganisationTally,
    Tally,
    engagement_counts,
    organisation_tallies,
    segment_output_tallies,
    segment_tallies,
)

FORMATS = ("csv", "json")
SEPARATOR = ":"  # "Prices: Consumer price inflation" names one team's output
CANDIDATES_SHOWN = 10
CSV_COLUMNS = ("segment", "output", "engagements", "last_engagement")


class UsersMapRefused(ValueError):
    """No map can be made as asked; the message says why, in one line."""


@dataclass(frozen=True)
class Scope:
    """What a map covers: a whole team, or one of its outputs."""

    team: ProducerTeam
    output: StatisticalOutput | None = None


@dataclass(frozen=True)
class Column:
    name: str
    profile: str


@dataclass(frozen=True)
class UsersMap:
    team_name: str
    output_name: str | None  # the one output it is narrowed to, if any
    segments: tuple[str, ...]  # every segment of the taxonomy, in its order
    outputs: tuple[Column, ...]  # the team's outputs by name (or the one)
    cells: dict[tuple[str, str], Tally]  # (segment, output) -> engagements; gaps absent
    segment_totals: dict[str, Tally]  # segment -> engagements; gaps absent
    engagements: int
    without_segment: int  # engagements that name no audience segment
    organisations: tuple[OrganisationTally, ...]  # latest contact first

    def cell(self, segment: str, output: str) -> Tally | None:
        """The engagements of that segment about that output; None is a gap."""
        return self.cells.get((segment, output))


def users_map(*, session: Session, scope: Scope) -> UsersMap:
    """The map of `scope`, from four aggregate queries."""
    team = scope.team
    assert team.id is not None
    output_id = scope.output.id if scope.output else None
    segments = {segment.id: segment.name for segment in list_segments(session=session)}
    outputs = [scope.output] if scope.output else list(team.outputs)
    output_names = {output.id: output.name for output in outputs}
    cells = segment_output_tallies(session=session, team_id=team.id, output_id=output_id)
    totals = segment_tallies(session=session, team_id=team.id, output_id=output_id)
    total, without_segment = engagement_counts(
        session=session, team_id=team.id, output_id=output_id
    )
    return UsersMap(
        team_name=team.name,
        output_name=scope.output.name if scope.output else None,
        segments=tuple(segments.values()),
        outputs=tuple(Column(output.name, output.profile) for output in outputs),
        cells={
            (segments[segment], output_names[output]): tally
            for (segment, output), tally in cells.items()
        },
        segment_totals={segments[segment]: tally for segment, tally in totals.items()},
        engagements=total,
        without_segment=without_segment,
        organisations=tuple(
            organisation_tallies(session=session, team_id=team.id, output_id=output_id)
        ),
    )


def short_date(day: date) -> str:
    """12 Mar 2027."""
    return f"{day.day} {day:%b %Y}"


# What is being asked for.


def find_scope(*, session: Session, text: str, person_team: ProducerTeam | None) -> Scope:
    """What `/engage users <text>` means: nothing, the person's team; a team's name; an
    output's name (the person's team's first, else the only team's that has one so named);
    or `Team: Output`. Raise `UsersMapRefused` naming the candidates."""
    name = " ".join(text.split())
    if not name:
        if person_team is None:
            raise UsersMapRefused(
                "Which team? This channel is no team's home and you haven't recorded for a "
                f"team yet: name one, e.g. `/engage users Prices`. {_teams_hint(session)}"
            )
        return Scope(person_team)
    if len(name) > TEAM_OUTPUT_NAME_MAX:  # nothing to find, and too long to repeat
        raise UsersMapRefused("No team or output has a name that long.")
    team = team_named(session=session, name=name)
    if team is not None:
        return Scope(team)
    outputs = outputs_named(session=session, name=name)
    own = [output for output in outputs if person_team and output.team_id == person_team.id]
    if own or len(outputs) == 1:
        return Scope((own or outputs)[0].team, (own or outputs)[0])
    if outputs:
        labels = [f"{output.team.name}{SEPARATOR} {output.name}" for output in outputs]
        raise UsersMapRefused(
            f"Several teams publish an output called '{name}': {_listed(labels)}. "
            f"Say which, e.g. `/engage users {labels[0]}`."
        )
    team_name, colon, output_name = (part.strip() for part in name.partition(SEPARATOR))
    if colon:
        return scope_named(session=session, team_name=team_name, output_name=output_name)
    similar = find_outputs(
        session=session, query=name, team_id=None, limit=CANDIDATES_SHOWN + 1, retired=True
    )
    if similar:
        labels = [f"{team_name}{SEPARATOR} {output.name}" for output, team_name in similar]
        hint = f"Outputs with '{name}' in their name: {_listed(labels)}."
    else:
        hint = _teams_hint(session)
    raise UsersMapRefused(f"No team or output is called '{name}'. {hint}")


def scope_named(*, session: Session, team_name: str, output_name: str | None = None) -> Scope:
    """The team named, or one of its outputs; raise `UsersMapRefused` if there is none."""
    team = team_named(session=session, name=team_name)
    if team is None:
        raise UsersMapRefused(f"No team is called '{team_name}'. {_teams_hint(session)}")
    if output_name is None:
        return Scope(team)
    found = outputs_named(session=session, name=output_name, team_id=team.id)
    if found:
        return Scope(team, found[0])
    if team.outputs:
        hint = f"Its outputs: {_listed([output.name for output in team.outputs])}."
    else:
        hint = f"It has no outputs yet: add them with `/engage team {team.name}`."
    raise UsersMapRefused(f"{team.name} has no output called '{output_name}'. {hint}")


def _teams_hint(session: Session) -> str:
    teams = list_teams(session=session, limit=CANDIDATES_SHOWN + 1)
    if not teams:
        return "There are no teams yet: a workspace admin can create one with `/engage team`."
    return f"Teams: {_listed([team.name for team in teams])}."


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:CANDIDATES_SHOWN])
    return shown + (", …" if len(names) > CANDIDATES_SHOWN else "")


# The map as a file: `engagebot export users-map`.


def write_users_map(users_map: UsersMap, fmt: str, out: TextIO) -> None:
    """CSV: one row per cell (segment, output), gaps included with a blank date. JSON: the
    cells, each segment's total and the organisations."""
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for cell in _cells(users_map):
            values = [cell[column] for column in CSV_COLUMNS]
            writer.writerow([_csv_value(value) for value in values])
        return
    if fmt != "json":
        raise ValueError(f"cannot write the users map as {fmt!r}")
    document = {
        "team": users_map.team_name,
        "output": users_map.output_name,
        "cells": _cells(users_map),
        "segments": [
            {"segment": segment, **_tally(users_map.segment_totals.get(segment))}
            for segment in users_map.segments
        ],
        "organisations": [
            {
                "organisation": organisation.name,
                "engagements": organisation.engagements,
                "feedback": organisation.feedback,
                "last_contact": organisation.last.isoformat(),
            }
            for organisation in users_map.organisations
        ],
    }
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    return inert_cell(value) if isinstance(value, str) else value


def _cells(users_map: UsersMap) -> list[dict[str, Any]]:
    return [
        {"segment": segment, "output": output.name, **_tally(users_map.cell(segment, output.name))}
        for segment in users_map.segments
        for output in users_map.outputs
    ]


def _tally(tally: Tally | None) -> dict[str, Any]:
    return {
        "engagements": tally.count if tally else 0,
        "last_engagement": tally.last.isoformat() if tally else None,
    }
