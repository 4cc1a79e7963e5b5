"""Creating and editing producer teams and the statistical outputs they publish."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.text import NAME_MAX, OUTPUT_NAME_MAX
from bot.validation import FieldErrors, Invalid, check_names, check_required_text
from bot.vocabulary import PROFILES, value_for
from storage.models import ProducerTeam
from storage.teams import (
    outputs_in_use,
    remember_team,
    replace_outputs,
    team_for_channel,
    team_named,
)
from storage.types import utc_now

OUTPUTS_MAX = 500
OUTPUT_LINE_HINT = "one output a line, as: name | high, medium or low"


@dataclass
class TeamDraft:
    name: str
    home_channel_id: str | None = None
    outputs_text: str = ""


def parse_outputs(text: str) -> tuple[list[tuple[str, str]], str | None]:
    """Outputs typed one a line as `name | profile`; the error names the first bad line."""
    outputs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, _, profile_text = line.rpartition("|")
        name = " ".join(name.split())
        profile = value_for(PROFILES, profile_text)
        if not name or profile is None:
            return [], f"Line {number} ('{line.strip()[:40]}'): write {OUTPUT_LINE_HINT}."
        if name.lower() in seen:
            return [], f"Line {number}: '{name}' is listed twice."
        seen.add(name.lower())
        outputs.append((name, profile))
    if len(outputs) > OUTPUTS_MAX:
        return [], f"A team can list at most {OUTPUTS_MAX} outputs here."
    return outputs, None


def format_outputs(team: ProducerTeam) -> str:
    """The team's outputs in the form `parse_outputs` reads back."""
    return "\n".join(f"{output.name} | {output.profile}" for output in team.outputs)


def save_team(
    *, session: Session, draft: TeamDraft, user_id: str | None, team_id: int | None = None
) -> ProducerTeam:
    """Create the team, or update `team_id`; raise `Invalid` and write nothing."""
    errors: FieldErrors = {}
    name = " ".join(draft.name.split())
    check_required_text(errors, "name", "The team name", name, NAME_MAX)
    check_names(errors, "name", "The team name", [name], NAME_MAX)
    team = session.get(ProducerTeam, team_id) if team_id is not None else None
    if team_id is not None and team is None:
        errors["name"] = "That team no longer exists."
    same_name = team_named(session=session, name=name) if name else None
    if same_name is not None and same_name is not team:
        errors["name"] = f"There is already a team called {same_name.name}."
    if draft.home_channel_id:
        owner = team_for_channel(session=session, channel_id=draft.home_channel_id)
        if owner is not None and owner is not team:
            errors["home_channel"] = f"That channel is already the home of {owner.name}."
    outputs, problem = parse_outputs(draft.outputs_text)
    if problem:
        errors["outputs"] = problem
    else:
        check_names(errors, "outputs", "Output", [n for n, _ in outputs], OUTPUT_NAME_MAX)
    if team is not None and "outputs" not in errors:
        kept = {output_name.lower() for output_name, _ in outputs}
        dropped = [output for output in team.outputs if output.name.lower() not in kept]
        in_use = outputs_in_use(session=session, output_ids=[o.id for o in dropped if o.id])
        if in_use:
            names = ", ".join(o.name for o in dropped if o.id in in_use)
            errors["outputs"] = f"Keep {names}: engagements or feedback refer to it."
    if errors:
        raise Invalid(errors)
    if team is None:
        team = ProducerTeam(name=name, created_by=user_id)
    team.name = name
    team.home_channel_id = draft.home_channel_id or None
    team.updated_at = utc_now()
    session.add(team)
    session.flush()
    replace_outputs(session=session, team=team, outputs=outputs)
    if user_id:  # whoever sets up a team is taken to work in it until they record elsewhere
        remember_team(session=session, user_id=user_id, team_id=team.id)  # type: ignore[arg-type]
    return team
