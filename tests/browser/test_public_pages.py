"""The public site's pages in a real browser (Debian's chromium, driven by selenium through
chromedriver), each checked by axe-core at WCAG 2.2 AA (0 violations) and kept as a
screenshot under /tmp (public-site-*.png) to look at.

Without chromium, chromedriver or axe-core (node_modules/, scripts/build_assets) these
tests are skipped where run by hand, and fail in CI (CI=true) or with
ENGAGEBOT_REQUIRE_BROWSER=1: .ci/run installs chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.database import Database
from tests.e2e.public_records import ADDRESS, PAGES, public_site
from tests.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path("/tmp")
WIDTH = 1280
# Every page in English, and in Welsh, and the page a wrong address gets.
PAGES_SEEN = (*PAGES, *(f"{page}?lang=cy" for page in PAGES), "nobody/")


def browser_required() -> bool:
    return os.environ.get("CI") == "true" or bool(os.environ.get("ENGAGEBOT_REQUIRE_BROWSER"))


def _missing(reason: str) -> None:
    if browser_required():
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        _missing("no chromium and chromedriver (apt-get install chromium chromium-driver)")
    if not AXE.is_file():
        _missing(f"no {AXE.relative_to(ROOT)}: run scripts/build_assets")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        f"--window-size={WIDTH},900",
    ):
        options.add_argument(argument)
    # The driver named, so selenium looks for none to download.
    session = webdriver.Chrome(service=Service(executable_path=str(driver)), options=options)
    session.set_script_timeout(30)
    yield session
    session.quit()


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only: the pages read the same on both (tests/e2e/test_public_site.py)."""
    path = tmp_path / "engagebot.sqlite"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def test_every_page_passes_axe_and_is_seen(
    browser: Any, fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    axe = AXE.read_text(encoding="utf-8")
    with public_site(fake_slack, database, database_url) as site:
        for page in PAGES_SEEN:
            browser.get(site + page)
            assert browser.find_element("tag name", "h1").text, page
            # Given by the driver, past the page's Content-Security-Policy as a person's
            # extension would be: the page itself allows no inline script.
            browser.execute_script(axe)
            violations = browser.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
                ".then(result => done(result.violations.map("
                "v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target)}))));",
                WCAG_22_AA,
            )
            assert violations == [], f"{page}: {violations}"
            _screenshot(browser, page)


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


def _screenshot(browser: Any, page: str) -> None:
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(WIDTH, max(height, 600))
    name = page.replace("/", "-").replace("?lang=", "-").strip("-") or "index"
    browser.save_screenshot(str(SCREENSHOTS / f"public-site-{name}.png"))
    browser.set_window_size(WIDTH, 900)
