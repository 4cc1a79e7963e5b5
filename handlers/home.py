"""The App Home tab: the person's last entries, their team's month, and buttons to record."""

from __future__ import annotations

from logging import Logger
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.base.config import Settings
from handlers.views.entries import FormOrigin
from handlers.views.home import FEEDBACK_ACTION, LOG_ACTION, home_problem_view, home_view
from storage.database import Database
from storage.entries import recent_entries, team_counts_since
from storage.feedback import count_undecided_feedback
from storage.teams import team_for_person

if TYPE_CHECKING:
    from handlers.entries import EntryFlows

RECENT_LIMIT = 10


def publish_home(
    *, client: WebClient, user_id: str, database: Database, settings: Settings, logger: Logger
) -> None:
    try:
        with database.transaction() as session:
            entries = recent_entries(session=session, user_id=user_id, limit=RECENT_LIMIT)
            team = team_for_person(session=session, channel_id=None, user_id=user_id)
            counts = (
                team_counts_since(
                    session=session,
                    # mypy: a saved row's id (set once it is read or flushed).
                    team_id=team.id,  # type: ignore[arg-type]
                    since=settings.today().replace(day=1),
                )
                if team
                else None
            )
            # mypy: a saved row's id (set once it is read or flushed).
            awaiting = count_undecided_feedback(session=session, team_id=team.id) if team else 0  # type: ignore[arg-type]
            view = home_view(
                entries=entries,
                team_name=team.name if team else None,
                month_counts=counts,
                awaiting_decision=awaiting,
                timezone=settings.timezone,
            )
    except SQLAlchemyError:
        logger.exception("loading the Home tab failed")
        view = home_problem_view("Your entries can't be shown: the database is not answering.")
    client.views_publish(user_id=user_id, view=view)


def register(app: App, flows: dict[str, EntryFlows]) -> None:
    @app.event("app_home_opened")
    def home_opened(
        event: dict[str, Any],
        client: WebClient,
        database: Database,
        settings: Settings,
        logger: Logger,
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(
            client=client,
            user_id=event["user"],
            database=database,
            settings=settings,
            logger=logger,
        )

    def opener(kind: str) -> Any:
        def open_from_home(
            ack: Ack, body: dict[str, Any], client: WebClient, database: Database, logger: Logger
        ) -> None:
            ack()
            flows[kind].open_form(
                client,
                body["trigger_id"],
                FormOrigin(kind, from_home=True),
                logger,
                database,
                user_id=body["user"]["id"],
            )

        return open_from_home

    app.action(LOG_ACTION)(opener("engagement"))
    app.action(FEEDBACK_ACTION)(opener("feedback"))
