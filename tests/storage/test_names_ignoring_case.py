"""Names are matched ignoring case beyond A-Z too, on SQLite as on PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.engagements.recording import EngagementDraft, save_engagement
from bot.teams.editing import TeamDraft, save_team
from storage.database import Database
from storage.models import Organisation
from storage.teams import team_named


def test_an_accented_organisation_is_found_again_not_added_twice(database: Database) -> None:
    with database.transaction() as session:
        team = save_team(session=session, draft=TeamDraft("Économie"), user_id="U1")
    for name in ("École normale", "École normale", "ÉCOLE NORMALE"):
        with database.transaction() as session:
            save_engagement(
                session=session,
                draft=EngagementDraft(
                    summary="Met them",
                    team_id=team.id,
                    occurred_on=date(2026, 1, 5),
                    organisations=[name],
                ),
                today=date(2026, 1, 5),
                user_id="U1",
            )
    with database.transaction() as session:
        assert [org.name for org in session.exec(select(Organisation))] == ["École normale"]
        found = team_named(session=session, name="ÉCONOMIE")
        assert found is not None and found.id == team.id
