"""`/engage log`: recording at once from text, the form, Add details and Undo."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Engagement
from tests.conftest import RunningBot
from tests.e2e.helpers import make_team, reply_text, run_command


def test_log_with_text_records_at_once_and_answers_with_buttons(bot: RunningBot) -> None:
    make_team(bot.database)
    reply = run_command(bot, "log Met DWP analysts about the earnings series")
    assert reply["response_type"] == "ephemeral"
    assert "Logged engagement *#1* for Prices" in reply_text(reply)
    buttons = reply["blocks"][1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Add details", "Undo"]
    with bot.database.transaction() as session:
        engagement = session.exec(select(Engagement)).one()
        assert engagement.summary == "Met DWP analysts about the earnings series"
        assert engagement.logged_by == "U0001"
        assert engagement.team.name == "Prices"
