"""The App Home tab: the person's last entries, their team's month, and buttons to record."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.base.config import Settings
from handlers.failures import HomeProblem, when_the_database_fails
from handlers.views.home import home_view
from storage.database import Database
from storage.entries import recent_entries, team_counts_since
from storage.feedback import count_undecided_feedback
from storage.teams import team_for_person
from storage.types import flushed_id

RECENT_LIMIT = 10


@when_the_database_fails(HomeProblem())
def publish_home(
    *, client: WebClient, user_id: str, database: Database, settings: Settings, logger: Logger
) -> None:
    with database.transaction() as session:
        entries = recent_entries(session=session, user_id=user_id, limit=RECENT_LIMIT)
        team = team_for_person(session=session, channel_id=None, user_id=user_id)
        counts = (
            team_counts_since(
                session=session,
                team_id=flushed_id(team),
                since=settings.today().replace(day=1),
            )
            if team
            else None
        )
        awaiting = (
            count_undecided_feedback(session=session, team_id=flushed_id(team)) if team else 0
        )
        view = home_view(
            entries=entries,
            team_name=team.name if team else None,
            month_counts=counts,
            awaiting_decision=awaiting,
            timezone=settings.timezone,
        )
    client.views_publish(user_id=user_id, view=view)


def on_home(body: dict[str, Any]) -> bool:
    """Whether the click was on the Home tab (its buttons have no message to answer in)."""
    return (body.get("view") or {}).get("type") == "home"


def home_opened(
    event: dict[str, Any], client: WebClient, database: Database, settings: Settings, logger: Logger
) -> None:
    if event.get("tab", "home") != "home":
        return
    publish_home(
        client=client, user_id=event["user"], database=database, settings=settings, logger=logger
    )


def register(app: App) -> None:
    """The tab's buttons open the forms of `handlers/engagement.py` and `handlers/feedback.py`,
    which listen to them."""
    app.event("app_home_opened")(home_opened)
