"""The public site's feeds and its conditional GET (handlers/web/feeds.py, caching.py),
behind the real HTTP server as `engagebot serve` answers them, on SQLite and PostgreSQL:
the Atom feeds read by feedparser and the calendar by icalendar, as a subscriber's tools
read them; on any date (the records made relative to the clock), but for the "You said,
we did" feed, read over the public site's own records on their fixed date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import feedparser
import pytest
from icalendar import Calendar
from sqlmodel import select

from bot.changes.announcing import ChangeDraft, cancel_change, save_change
from storage.clock import CLOCK, utc_now
from storage.database import Database
from storage.models import Opportunity, OpportunitySignup, ProducerTeam, UpcomingChange
from storage.reference import segments_by_name
from tests.e2e.helpers import make_team
from tests.e2e.public_records import fetch, public_site
from tests.fake_slack import FakeSlack

LONDON = ZoneInfo("Europe/London")


def seed_feeds(database: Database) -> None:
    """Prices at "prices": a change to come (feedback wanted), one cancelled, and an
    opportunity with one place taken, all dated from today."""
    team_id = make_team(database)
    today = utc_now().astimezone(LONDON).date()
    with database.transaction() as session:
        team = session.get(ProducerTeam, team_id)
        assert team is not None
        team.public_slug = "prices"
        output_id = team.outputs[0].id
        named = segments_by_name(session=session)
        for title, days in (("New <weights> & more", 40), ("Dropped series", 60)):
            save_change(
                session=session,
                draft=ChangeDraft(
                    team_id=team_id,
                    output_id=output_id,  # type: ignore[arg-type]
                    title=title,
                    description="Why: users asked <b>loudly</b>.",
                    effective_on=today + timedelta(days=days),
                    feedback_by=today + timedelta(days=days - 20),
                    segment_ids=[named["media"].id],  # type: ignore[list-item]
                ),
                now=utc_now(),
                default_zone=LONDON,
                user_id="ULEAD",
            )
        opportunity = Opportunity(
            team_id=team_id,
            title="User group",
            happens_on=today + timedelta(days=10),
            place="Online",
            description="Tell us what you need.",
            places=12,
            organiser="UORGANISER",
        )
        session.add(opportunity)
        session.flush()
        session.add(OpportunitySignup(opportunity_id=opportunity.id, user_id="USIGNED"))  # type: ignore[arg-type]
    with database.transaction() as session:
        dropped = session.exec(
            select(UpcomingChange).where(UpcomingChange.title == "Dropped series")
        ).one()
        assert dropped.id is not None
        cancel_change(
            session=session, change_id=dropped.id, reason="No longer needed", now=utc_now()
        )


@pytest.fixture
def site(fake_slack: FakeSlack, database: Database, database_url: str) -> Iterator[str]:
    with public_site(fake_slack, database, database_url, seed_feeds) as url:
        yield url


@pytest.mark.any_date
def test_the_changes_feed_has_an_entry_a_change(site: str) -> None:
    answer = fetch(f"{site}prices/changes.atom")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(answer.body)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Changes to our statistics: Prices"
    assert feed.feed.link.endswith("/engage/prices/changes")
    entries = {entry.title: entry for entry in feed.entries}
    coming = entries["New <weights> & more"]  # the team's text, escaped by the library
    assert "<weights>" not in answer.body and "New &lt;weights&gt; &amp; more" in answer.body
    assert coming.id.startswith("urn:uuid:")
    assert coming.link.endswith("/engage/prices/changes#change-1")
    assert "Why: users asked <b>loudly</b>." in coming.content[0].value
    assert "Who it affects: Media" in coming.content[0].value
    cancelled = entries["Cancelled: Dropped series"]
    assert "No longer needed" in cancelled.content[0].value
    # The same entry the next time, and in Welsh: a reader knows it again.
    again = feedparser.parse(fetch(f"{site}prices/changes.atom?lang=cy").body)
    assert {entry.id for entry in again.entries} == {entry.id for entry in feed.entries}
    assert any(entry.title.startswith("Wedi'i ganslo") for entry in again.entries)


@pytest.mark.any_date
def test_the_calendar_has_each_date(site: str) -> None:
    answer = fetch(f"{site}prices/calendar.ics")
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    found = Calendar.from_ical(answer.body)
    events = {str(event["summary"]): event for event in found.walk("VEVENT")}
    today = utc_now().astimezone(LONDON).date()
    coming = events["Takes effect: New <weights> & more"]
    assert coming.decoded("dtstart") == today + timedelta(days=40)
    assert type(coming.decoded("dtstart")) is date  # all day: a DATE value
    assert str(coming["status"]) == "CONFIRMED"
    assert events["Feedback closes: New <weights> & more"].decoded("dtstart") == today + timedelta(
        days=20
    )
    assert str(events["Takes effect: Dropped series"]["status"]) == "CANCELLED"
    group = events["User group"]
    assert group.decoded("dtstart") == today + timedelta(days=10)
    assert "11 of 12 places left" in str(group["description"])
    assert group.decoded("dtstamp") == utc_now().replace(microsecond=0)  # the clock's now
    # Stable identities: the same UIDs on the next read, a day later.
    uids = {str(event["uid"]) for event in found.walk("VEVENT")}
    CLOCK.move_to(utc_now() + timedelta(days=1))
    later = Calendar.from_ical(fetch(f"{site}prices/calendar.ics").body)
    assert {str(event["uid"]) for event in later.walk("VEVENT")} == uids


@pytest.mark.any_date
def test_the_statement_feed(site: str) -> None:
    feed = feedparser.parse(fetch(f"{site}prices/you-said-we-did.atom").body)
    assert not feed.bozo and feed.entries == []  # no feedback yet
    assert feed.feed.title == "You said, we did: Prices"


@pytest.mark.any_date
def test_the_pages_offer_their_feeds(site: str) -> None:
    body = fetch(f"{site}prices/changes").body
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/engage/prices/changes.atom"'
        in body
    )
    assert "Subscribe to this feed" in body and "Add to your calendar" in body
    assert 'id="change-1"' in body
    welsh = fetch(f"{site}prices/changes?lang=cy").body
    assert "Tanysgrifio i'r ffrwd hon" in welsh
    assert 'href="/engage/prices/changes.atom?lang=cy"' in welsh
    assert "Add to your calendar" in fetch(f"{site}prices/opportunities").body
    assert "Subscribe to this feed" in fetch(f"{site}prices/you-said-we-did").body


PATHS = ("", "prices/", "prices/changes", "prices/users-and-uses", "prices/changes.atom",
         "prices/calendar.ics", "prices/you-said-we-did.atom")  # fmt: skip


@pytest.mark.any_date
def test_every_page_and_feed_answers_a_conditional_get(site: str) -> None:
    for path in PATHS:
        first = fetch(site + path)
        etag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == "public, max-age=60, must-revalidate", path
        again = fetch(site + path, **{"If-None-Match": etag})
        assert again.status == 304 and again.body == "", path
        assert again.headers["ETag"] == etag
        assert fetch(site + path, **{"If-None-Match": '"other"'}).status == 200


@pytest.mark.any_date
def test_a_write_or_a_new_day_makes_a_new_etag(site: str, database: Database) -> None:
    page = f"{site}prices/changes"
    etag = fetch(page).headers["ETag"]
    assert fetch(page, **{"If-None-Match": etag}).status == 304
    # A record of the team's written (here the team itself) ...
    with database.transaction() as session:
        team = session.get(ProducerTeam, 1)
        assert team is not None
        team.name = "Prices and inflation"
    changed = fetch(page, **{"If-None-Match": etag})
    assert changed.status == 200 and "Prices and inflation" in changed.body
    # ... or the next day.
    etag = changed.headers["ETag"]
    CLOCK.move_to(utc_now() + timedelta(days=1))
    assert fetch(page, **{"If-None-Match": etag}).status == 200


@pytest.mark.any_date
def test_last_modified_is_honoured(site: str, database: Database) -> None:
    page = f"{site}prices/changes"
    CLOCK.move_to(utc_now() + timedelta(seconds=5))  # a whole second past the last write
    first = fetch(page)
    modified = first.headers["Last-Modified"]
    assert fetch(page, **{"If-Modified-Since": modified}).status == 304
    with database.transaction() as session:
        opportunity = session.get(Opportunity, 1)
        assert opportunity is not None
        opportunity.title = "User panel"
    CLOCK.move_to(utc_now() + timedelta(seconds=5))
    later = fetch(f"{site}prices/opportunities", **{"If-Modified-Since": modified})
    assert later.status == 200 and "User panel" in later.body
    ahead = format_datetime(utc_now() + timedelta(days=1), usegmt=True)
    assert fetch(page, **{"If-Modified-Since": ahead}).status == 304


def test_the_statement_feed_has_a_quarter_an_entry(
    fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    """On the public site's own records (tests/e2e/public_records.py), on its fixed date."""
    with public_site(fake_slack, database, database_url) as site:
        answer = fetch(f"{site}prices/you-said-we-did.atom")
    feed = feedparser.parse(answer.body)
    assert not feed.bozo, feed.bozo_exception
    titles = [entry.title for entry in feed.entries]
    assert titles[:2] == [
        "Feedback received from 1 October 2026, so far.",
        "Feedback received from 1 July 2026 to 30 September 2026.",
    ]
    quarter = feed.entries[1]
    assert quarter.link.endswith("/engage/prices/you-said-we-did/2026-q3")
    text = quarter.content[0].value
    assert "We now publish <b>regional</b> CPI." in text  # escaped in the XML, as written here
    assert "Jane Doe" not in answer.body and "jane@example.org" not in answer.body
