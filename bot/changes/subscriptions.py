"""Subscribing a channel to a team's changes, or to one output's: finding what was meant
from what was typed, subscribing (idempotent) and unsubscribing.

What is typed is a team's name (`Prices`), an output's name when only one team publishes
an output of that name (`Consumer price inflation`), or both as `Team: Output`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from bot.base.text import TEAM_OUTPUT_NAME_MAX
from bot.base.validation import Invalid
from storage.clock import utc_now
from storage.models import ProducerTeam, StatisticalOutput, Subscription
from storage.reference import find_outputs
from storage.subscriptions import channel_subscriptions, outputs_named, subscription_of
from storage.teams import list_teams, team_for_person, team_named
from storage.types import flushed_id

SEPARATOR = ":"
CANDIDATES_SHOWN = 10
UNSUBSCRIBED = "unsubscribed"  # Subscription.ended_reason when someone ended it
# What subscribing did: a new subscription, an ended one resumed, nothing because the
# channel already hears about it (subscribed, the team's home, or the whole team).
SUBSCRIBED, RESUMED, ALREADY, HOME, COVERED = "subscribed", "resumed", "already", "home", "covered"


@dataclass(frozen=True)
class Target:
    """What a channel subscribes to: a whole team, or one of its outputs."""

    team: ProducerTeam
    output: StatisticalOutput | None = None

    @property
    def label(self) -> str:
        """As typed after `/engage subscribe` to mean it."""
        if self.output is None:
            return self.team.name
        return f"{self.team.name}{SEPARATOR} {self.output.name}"


def find_target(*, session: Session, text: str) -> Target:
    """The team or output `text` names; raise `Invalid` (field "target") naming candidates."""
    name = " ".join(text.split())
    if len(name) > TEAM_OUTPUT_NAME_MAX:
        raise Invalid({"target": "No team or output has a name that long."})
    team = team_named(session=session, name=name)
    if team is not None:
        return Target(team)
    outputs = outputs_named(session=session, name=name)
    if len(outputs) == 1:
        return Target(outputs[0].team, outputs[0])
    if outputs:
        labels = [Target(output.team, output).label for output in outputs]
        raise Invalid(
            {
                "target": f"Several teams publish an output called '{name}': "
                f"{_listed(labels)}. Say which, e.g. `/engage subscribe {labels[0]}`."
            }
        )
    team_name, colon, output_name = (part.strip() for part in name.partition(SEPARATOR))
    if colon:
        return _output_of_team(session, team_name, output_name)
    similar = find_outputs(session=session, query=name, team_id=None, limit=CANDIDATES_SHOWN + 1)
    if similar:
        labels = [f"{team_name}{SEPARATOR} {output.name}" for output, team_name in similar]
        hint = f"Outputs with '{name}' in their name: {_listed(labels)}."
    else:
        hint = _teams_hint(session)
    raise Invalid({"target": f"No team or output is called '{name}'. {hint}"})


def _output_of_team(session: Session, team_name: str, output_name: str) -> Target:
    team = team_named(session=session, name=team_name)
    if team is None:
        raise Invalid({"target": f"No team is called '{team_name}'. {_teams_hint(session)}"})
    found = outputs_named(session=session, name=output_name, team_id=team.id)
    if found:
        return Target(team, found[0])
    similar = find_outputs(
        session=session, query=output_name, team_id=team.id, limit=CANDIDATES_SHOWN + 1
    )
    if similar:
        hint = f"Its outputs with '{output_name}' in their name: "
        hint += _listed([output.name for output, _ in similar]) + "."
    elif team.outputs:
        hint = f"Its outputs: {_listed([output.name for output in team.outputs])}."
    else:
        hint = f"It has no outputs yet: add them with `/engage team {team.name}`."
    raise Invalid({"target": f"{team.name} has no output called '{output_name}'. {hint}"})


def person_target(*, session: Session, channel_id: str, user_id: str) -> Target:
    """What `/engage subscribe` with nothing after it means: the channel's own team (its
    home), else the team the person works in; raise `Invalid` if neither is known."""
    team = team_for_person(session=session, channel_id=channel_id, user_id=user_id)
    if team is None:
        raise Invalid(
            {
                "target": "Which team's changes should this channel hear about? "
                "Name it: `/engage subscribe Prices`, or one output: "
                f"`/engage subscribe Prices{SEPARATOR} Consumer price inflation`. "
                + _teams_hint(session)
            }
        )
    return Target(team)


def subscribe(*, session: Session, channel_id: str, target: Target, user_id: str) -> str:
    """Make the channel hear about the target's changes; say what was done (SUBSCRIBED, ...)."""
    team_id: int = flushed_id(target.team)
    if target.team.home_channel_id == channel_id:
        return HOME
    if target.output is not None:
        whole = subscription_of(
            session=session, channel_id=channel_id, team_id=team_id, output_id=None
        )
        if whole is not None and whole.active:
            return COVERED
    output_id = target.output.id if target.output else None
    existing = subscription_of(
        session=session, channel_id=channel_id, team_id=team_id, output_id=output_id
    )
    if existing is not None and existing.active:
        return ALREADY
    if existing is not None:
        existing.active, existing.ended_reason, existing.ended_at = True, None, None
        session.add(existing)
        return RESUMED
    session.add(
        Subscription(
            channel_id=channel_id, team_id=team_id, output_id=output_id, created_by=user_id
        )
    )
    session.flush()
    return SUBSCRIBED


def unsubscribe(*, session: Session, channel_id: str, target: Target | None) -> list[Target]:
    """End the channel's subscriptions to the target (a team: to it and to any of its
    outputs; None: the channel's only subscription); return what was ended."""
    current = channel_subscriptions(session=session, channel_id=channel_id)
    if target is None:
        if len(current) > 1:
            labels = [Target(team, output).label for _, team, output in current]
            raise Invalid(
                {
                    "target": f"This channel has {len(current)} subscriptions: "
                    f"{_listed(labels)}. Say which, e.g. `/engage unsubscribe {labels[0]}`."
                }
            )
        chosen = current
    elif target.team.home_channel_id == channel_id:
        raise Invalid(
            {
                "target": f"This is the home channel of {target.team.name}: it always hears "
                "about that team's changes."
            }
        )
    else:
        of_team = [row for row in current if row[0].team_id == target.team.id]
        chosen = [
            row for row in of_team if target.output is None or row[0].output_id == target.output.id
        ]
        if not chosen and any(row[2] is None for row in of_team):
            raise Invalid(
                {
                    "target": f"This channel hears about every change of {target.team.name}, "
                    "so it can't leave out one output. "
                    f"`/engage unsubscribe {target.team.name}` ends that."
                }
            )
        if not chosen:
            raise Invalid({"target": f"This channel isn't subscribed to {target.label}."})
    if not chosen:
        raise Invalid({"target": "This channel has no subscriptions to end."})
    for subscription, _, _ in chosen:
        subscription.active = False
        subscription.ended_reason = UNSUBSCRIBED
        subscription.ended_at = utc_now()
        session.add(subscription)
    return [Target(team, output) for _, team, output in chosen]


def _teams_hint(session: Session) -> str:
    teams = list_teams(session=session, limit=CANDIDATES_SHOWN + 1)
    if not teams:
        return "There are no teams yet: a workspace admin can create one with `/engage team`."
    return f"Teams: {_listed([team.name for team in teams])}."


def _listed(names: Sequence[str]) -> str:
    """The first CANDIDATES_SHOWN names, and whether there are more."""
    more = " and more" if len(names) > CANDIDATES_SHOWN else ""
    return ", ".join(names[:CANDIDATES_SHOWN]) + more
