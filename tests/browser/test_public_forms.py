"""The public site's feedback and comment forms in a real browser (as
tests/browser/test_public_pages.py runs it): filled in and sent as a person would, their
errors and thank-you pages checked by axe-core (0 violations at WCAG 2.2 AA) and kept as
screenshots under /tmp; what was sent ends in the team's home channel of the fake Slack,
with its Decide button."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from storage.database import Database
from storage.models import Feedback, UpcomingChange
from tests.browser.acting import fill, follow, send
from tests.browser.axe import passes_axe
from tests.e2e.public_records import ADDRESS, give_home_channel, public_site
from tests.e2e.test_web_feedback import HOSTILE, posts_to_home, tick
from tests.fake_slack import FakeSlack


@pytest.fixture
def site(fake_slack: FakeSlack, database: Database, database_url: str) -> Iterator[str]:
    """The site, Prices with its home channel."""
    with public_site(fake_slack, database, database_url) as url:
        give_home_channel(database)
        yield url


def test_feedback_sent_from_the_browser_reaches_the_team(
    browser: Any, site: str, fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    browser.get(f"{site}{ADDRESS}/")
    follow(browser, browser.find_element("link text", "Give feedback"))
    passes_axe(browser, f"{ADDRESS}/feedback")
    # Sent empty, with an email but no consent: the errors, GOV.UK's way.
    fill(browser, "contact_email", "jo@example.org")
    send(browser)
    assert browser.title.startswith("Error: ")
    summary = browser.find_element("class name", "govuk-error-summary")
    assert "Enter what you think" in summary.text
    assert browser.find_element("id", "contact_email").get_attribute("value") == "jo@example.org"
    passes_axe(browser, f"{ADDRESS}/feedback-errors")
    fill(browser, "text", HOSTILE)
    fill(browser, "uses", "Deflating wages")
    browser.find_element("css selector", "label[for=segment-3]").click()
    fill(browser, "organisation", "The Daily Paper")
    browser.find_element("css selector", "label[for=contact_agreed]").click()
    fill(browser, "contact_name", "Jo Reader")
    send(browser)
    assert browser.find_element("tag name", "h1").text == "Feedback sent"
    assert browser.current_url.endswith(f"{ADDRESS}/feedback/sent")
    passes_axe(browser, f"{ADDRESS}/feedback-sent")
    browser.get(f"{site}{ADDRESS}/feedback/sent?lang=cy")
    passes_axe(browser, f"{ADDRESS}/feedback-sent-cy")
    tick(fake_slack, database, database_url)
    with database.transaction() as session:
        [item] = session.exec(select(Feedback).where(Feedback.channel == "web")).all()
        assert item.text.startswith(HOSTILE) and item.contact_name == "Jo Reader"
    [post] = posts_to_home(fake_slack)
    assert post["blocks"][-1]["elements"][0]["value"] == str(item.id)


def test_a_comment_sent_from_the_browser_reaches_the_team(
    browser: Any, site: str, fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    browser.get(f"{site}{ADDRESS}/changes?lang=cy")
    follow(browser, browser.find_element("partial link text", "Rhoi sylw ar y newid hwn"))
    passes_axe(browser, f"{ADDRESS}/comment-cy")
    send(browser)
    passes_axe(browser, f"{ADDRESS}/comment-errors-cy")
    fill(browser, "text", "Da iawn")
    send(browser)
    assert browser.find_element("tag name", "h1").text == "Adborth wedi'i anfon"
    tick(fake_slack, database, database_url)
    with database.transaction() as session:
        [item] = session.exec(select(Feedback).where(Feedback.channel == "web")).all()
        change = session.get(UpcomingChange, item.change_id)
        assert change is not None and change.title == "Owner occupiers' housing costs"
    [post] = posts_to_home(fake_slack)
    assert "Da iawn" in str(post["blocks"])
