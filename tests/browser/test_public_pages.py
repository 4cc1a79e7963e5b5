"""The public site's pages in a real browser (Debian's chromium, driven by selenium through
chromedriver), each checked by axe-core at WCAG 2.2 AA (0 violations) and kept as a
screenshot under /tmp (public-site-*.png) to look at.

Without chromium, chromedriver or axe-core (node_modules/, scripts/build_assets) these
tests are skipped where run by hand, and fail in CI (CI=true) or with
ENGAGEBOT_REQUIRE_BROWSER=1: .ci/run installs chromium."""

from __future__ import annotations

from typing import Any

from storage.database import Database
from tests.browser.axe import passes_axe
from tests.e2e.public_records import ADDRESS, PAGES, public_site
from tests.fake_slack import FakeSlack

# Every page in English, and in Welsh, and the page a wrong address gets.
PAGES_SEEN = (*PAGES, *(f"{page}?lang=cy" for page in PAGES), "nobody/")


def test_every_page_passes_axe_and_is_seen(
    browser: Any, fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    with public_site(fake_slack, database, database_url) as site:
        for page in PAGES_SEEN:
            browser.get(site + page)
            assert browser.find_element("tag name", "h1").text, page
            passes_axe(browser, page)


def test_the_pages_use_their_styles_and_script(
    browser: Any, fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    browser.get_log("browser")  # what earlier pages logged (a 404 page logs its 404)
    with public_site(fake_slack, database, database_url) as site:
        browser.get(f"{site}{ADDRESS}/changes")
        body = browser.find_element("tag name", "body")
        # static/init.js ran (the CSP allows the site's own scripts) ...
        assert "govuk-frontend-supported" in body.get_attribute("class")
        # ... and the style sheet applies: GOV.UK's summary cards have their border.
        card = browser.find_element("class name", "govuk-summary-card")
        assert card.value_of_css_property("border-top-style") == "solid"
        # The feeds offered, in the head for readers and on the page for people.
        feed = browser.find_element("css selector", 'link[type="application/atom+xml"]')
        assert feed.get_attribute("href").endswith(f"/{ADDRESS}/changes.atom")
        subscribe = browser.find_element("link text", "Subscribe to this feed")
        assert subscribe.get_attribute("href").endswith(f"/{ADDRESS}/changes.atom")
        assert browser.find_element("link text", "Add to your calendar").is_displayed()
        # Nothing refused by the policy, nothing missing; but the browser's own look for
        # /favicon.ico, at the host's root, outside the site's path.
        errors = [
            entry
            for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE" and "/favicon.ico" not in entry["message"]
        ]
        assert errors == []
