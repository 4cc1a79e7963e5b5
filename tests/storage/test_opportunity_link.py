"""An engagement logged from an opportunity can still be undone."""

from __future__ import annotations

from datetime import date

from storage.database import Database
from storage.models import Engagement, Opportunity
from tests.e2e.helpers import make_team


def test_undoing_the_logged_engagement_leaves_the_opportunity_to_log_again(
    database: Database,
) -> None:
    team_id = make_team(database)
    with database.transaction() as session:
        engagement = Engagement(team_id=team_id, occurred_on=date(2027, 3, 1), summary="Panel")
        session.add(engagement)
        session.flush()
        opportunity = Opportunity(
            team_id=team_id,
            title="Panel",
            happens_on=date(2027, 3, 1),
            place="Room 1",
            description="",
            places=5,
            organiser="U1",
            engagement_id=engagement.id,
        )
        session.add(opportunity)
    with database.transaction() as session:
        session.delete(session.get(Engagement, engagement.id))
    with database.transaction() as session:
        assert session.get(Opportunity, opportunity.id).engagement_id is None  # type: ignore[union-attr]
