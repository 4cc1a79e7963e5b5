"""The pages the links in emails lead to, in a real browser (as
tests/browser/test_public_pages.py runs it), each checked by axe-core at WCAG 2.2 AA and kept
as a screenshot under /tmp."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.base.links import CONFIRM, UNSUBSCRIBE, SignedLinks, Subject
from bot.mail.subscribing import ask_to_subscribe
from storage.clock import utc_now
from storage.database import Database
from storage.models import ProducerTeam
from tests.browser.acting import follow
from tests.browser.axe import passes_axe
from tests.e2e.public_records import ADDRESS, public_site
from tests.fake_slack import FakeSlack

SECRET_KEY = "browser-test-secret-key-of-32-characters"


def _check(browser: Any, page: str) -> None:
    assert browser.find_element("tag name", "h1").text, page
    passes_axe(browser, page)


def test_the_pages_of_the_links_in_emails_pass_axe_and_are_seen(
    browser: Any, fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    """Confirmed, unsubscribe (its button pressed: unsubscribed), a link that does not
    work, and a subscription ended before it was confirmed, in English and Welsh."""
    links = SignedLinks(SECRET_KEY)
    with public_site(fake_slack, database, database_url, ENGAGEBOT_SECRET_KEY=SECRET_KEY) as site:
        with database.transaction() as session:
            found = select(ProducerTeam).where(ProducerTeam.public_slug == ADDRESS)
            team = session.exec(found).one()
            asked = [
                ask_to_subscribe(
                    session=session, team=team, email=f"{who}@example.org",
                    language="en", now=utc_now(),
                ).subscription.id
                for who in ("sam", "jo")
            ]  # fmt: skip
        sam, jo = (Subject("", number or 0) for number in asked)
        for language in ("", "?lang=cy"):
            suffix = language.replace("?lang=", "-")
            browser.get(f"{site}email/confirm/{links.token(CONFIRM, sam)}{language}")
            _check(browser, f"email-confirmed{suffix}")
            browser.get(f"{site}email/unsubscribe/{links.token(UNSUBSCRIBE, jo)}{language}")
            if not language:
                _check(browser, "email-unsubscribe")
                follow(browser, browser.find_element("css selector", "form button"))
                assert "unsubscribed" in browser.find_element("tag name", "h1").text
            _check(browser, f"email-unsubscribed{suffix}")
            browser.get(f"{site}email/confirm/{links.token(CONFIRM, jo)}{language}")
            _check(browser, f"email-ended{suffix}")
            browser.get(f"{site}email/confirm/forged{language}")
            _check(browser, f"email-bad-link{suffix}")
