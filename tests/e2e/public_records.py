"""The records the public site's tests read: Prices's year of engagement and feedback
(tests/e2e/test_users_and_uses.py: seed), its public address, its changes (to come, in
effect, cancelled) and an opportunity; and the site behind the real HTTP server, as
`engagebot serve` answers it."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.changes.announcing import ChangeDraft, save_change
from bot.runtime.app import build_app
from bot.runtime.serving import HttpServer, Served, web_app_of
from storage.clock import utc_now
from storage.database import Database
from storage.models import Opportunity, OpportunitySignup
from storage.reference import segments_by_name
from storage.teams import team_named
from tests.conftest import serve_in_thread, test_settings
from tests.domain.test_users_map import output_id
from tests.e2e.test_users_and_uses import CPI, seed
from tests.fake_slack import FakeSlack

ADDRESS = "prices"
HOME = "CPRICESHOME"  # Prices's home channel, where feedback from its pages is posted
PUBLIC_PATH = "/engage/"
PUBLIC_URL = f"https://statistics.example.org{PUBLIC_PATH}"
# Every page of the site, as its path under PUBLIC_PATH.
PAGES = (
    "",
    f"{ADDRESS}/",
    f"{ADDRESS}/changes",
    f"{ADDRESS}/you-said-we-did",
    f"{ADDRESS}/you-said-we-did/2026-q4",
    f"{ADDRESS}/users-and-uses",
    f"{ADDRESS}/opportunities",
)


def seed_public(database: Database) -> None:
    """Prices with its public pages at ADDRESS, on the tests' clock (20 November 2026)."""
    seed(database)
    with database.transaction() as session:
        team = team_named(session=session, name="Prices")
        assert team is not None and team.id is not None
        team.public_slug = ADDRESS
        session.add(team)
        named = segments_by_name(session=session)
        save_change(
            session=session,
            draft=ChangeDraft(
                team_id=team.id,
                output_id=output_id(database, "Prices", CPI),
                title="Owner occupiers' housing costs",
                description="We will add owner occupiers' housing costs.\nWhy: users asked.",
                effective_on=date(2027, 3, 15),
                feedback_by=date(2027, 1, 31),
                segment_ids=[named["central government"].id, named["media"].id],  # type: ignore[list-item]
            ),
            now=utc_now(),
            default_zone=ZoneInfo("Europe/London"),
            user_id="ULEAD",
        )
        opportunity = Opportunity(
            team_id=team.id,
            title="CPI user group",
            happens_on=date(2026, 12, 10),
            place="Online",
            description="Tell us what you need from the consumer price statistics.",
            places=12,
            organiser="UORGANISER",
        )
        session.add(opportunity)
        session.flush()
        session.add(OpportunitySignup(opportunity_id=opportunity.id, user_id="USIGNED"))  # type: ignore[arg-type]


def give_home_channel(database: Database) -> None:
    """Give Prices its home channel, HOME."""
    with database.transaction() as session:
        team = team_named(session=session, name="Prices")
        assert team is not None
        team.home_channel_id = HOME
        session.add(team)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


def fetch(url: str, **headers: str) -> Answer:
    """GET `url` with `headers`, whatever its status."""
    try:
        asked = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(asked, timeout=10) as response:
            return Answer(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:  # a 304 too
        return Answer(error.code, dict(error.headers), error.read().decode())


@contextmanager
def public_site(
    fake_slack: FakeSlack,
    database: Database,
    database_url: str,
    seeded: Callable[[Database], None] = seed_public,
    **settings_given: str,
) -> Iterator[str]:
    """The site on `database` (`seeded`), as `serve` serves it with ENGAGEBOT_PUBLIC_URL
    set (and `settings_given`): the URL of its index."""
    seeded(database)
    settings = test_settings(
        fake_slack, database_url, ENGAGEBOT_PUBLIC_URL=PUBLIC_URL, **settings_given
    )
    served = Served(database, build_app(settings, database), None, lambda: None)  # type: ignore[arg-type]
    server = HttpServer(web_app_of(settings, served), host="127.0.0.1", port=0)
    serve_in_thread(server)
    try:
        yield f"http://127.0.0.1:{server.port}{PUBLIC_PATH}"
    finally:
        server.stop()
