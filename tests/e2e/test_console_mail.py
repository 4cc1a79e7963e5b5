"""`engagebot console` shows the emails the bot would send, as they come and with `:mail`:
none leaves the machine."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from storage.clock import utc_now
from storage.database import Database
from storage.models import EmailSubscription, ProducerTeam, StatisticalOutput, UpcomingChange
from tests.e2e.helpers import make_team
from tests.e2e.test_console import console

pytestmark = pytest.mark.any_date


def test_a_reminder_emailed_to_a_subscriber_is_shown_and_listed(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    team_id = make_team(database, channel=None)
    now = utc_now()
    with database.transaction() as session:
        team = session.get(ProducerTeam, team_id)
        assert team is not None
        team.public_slug = "prices"
        output = session.exec(select(StatisticalOutput)).first()
        assert output is not None and output.id is not None
        session.add(EmailSubscription(team_id=team_id, email="sam@example.org", confirmed_at=now))
        session.add(
            UpcomingChange(
                team_id=team_id,
                output_id=output.id,
                title="New weights",
                description="Annual chain-linking.",
                effective_on=now.date() + timedelta(days=8),
                created_at=now - timedelta(hours=1),
                updated_at=now - timedelta(hours=1),
            )
        )
    shown = console(database_url, tmp_path, [":mail", ":time +2d", ":mail"])
    _, _, rest = shown.partition("engagebot would have sent no email yet.")
    assert rest, shown
    assert rest.count("── email from engagebot ──") == 2  # as it came, then by :mail
    assert "To: sam@example.org" in rest
    assert "Subject: Reminder: a change to Consumer price inflation takes effect on" in rest
    assert "New weights" in rest and "http://localhost/email/unsubscribe/" in rest
