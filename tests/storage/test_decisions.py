"""The decision rule on a real database: the same status again is no decision."""

from datetime import date

import pytest

from bot.base.validation import Invalid
from bot.feedback.decisions import decide
from bot.feedback.recording import FeedbackDraft, save_feedback
from storage.database import Database
from tests.e2e.helpers import make_team


def test_the_current_status_again_is_refused_and_unknown_items_named(database: Database) -> None:
    team_id = make_team(database)
    with database.transaction() as session:
        item = save_feedback(
            session=session,
            draft=FeedbackDraft(text="x", team_id=team_id, received_on=date(2026, 1, 1)),
            today=date(2026, 1, 2),
            user_id="U1",
        )
        with pytest.raises(Invalid) as same:
            decide(session=session, feedback_id=item.id, to_status="new", note=None, user_id="U2")
        assert same.value.errors == {"status": "It is already new."}
        with pytest.raises(Invalid) as missing:
            decide(session=session, feedback_id=999, to_status="done", note="x", user_id="U2")
        assert missing.value.errors == {"status": "Feedback #999 no longer exists."}
