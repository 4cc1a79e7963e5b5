"""The email subscribe form in a real browser (as tests/browser/test_public_pages.py runs
it): filled in and sent as a person would, the form, its errors and "check your email"
checked by axe-core (0 violations at WCAG 2.2 AA) in English and Welsh, kept as
screenshots under /tmp; the confirmation then reaches a real SMTP server on localhost."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.runtime.app import build_scheduler
from storage.clock import utc_now
from storage.database import Database
from tests.browser.acting import fill, follow, send
from tests.browser.axe import passes_axe
from tests.conftest import test_settings
from tests.e2e.public_records import ADDRESS, PUBLIC_URL, public_site
from tests.fake_slack import FakeSlack
from tests.mail_server import MailServer

SECRET_KEY = "test-secret-key-of-at-least-32-characters"


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    with MailServer() as server:
        yield server


@pytest.fixture
def mailing(mail_server: MailServer) -> dict[str, str]:
    return {
        "ENGAGEBOT_SMTP_URL": mail_server.url,
        "ENGAGEBOT_MAIL_FROM": "Prices team <engage@example.org>",
        "ENGAGEBOT_SECRET_KEY": SECRET_KEY,
    }


@pytest.fixture
def site(
    fake_slack: FakeSlack, database: Database, database_url: str, mailing: dict[str, str]
) -> Iterator[str]:
    with public_site(fake_slack, database, database_url, **mailing) as url:
        yield url


def test_subscribing_from_the_browser_sends_the_confirmation(
    browser: Any,
    site: str,
    fake_slack: FakeSlack,
    database: Database,
    database_url: str,
    mailing: dict[str, str],
    mail_server: MailServer,
) -> None:
    browser.get(f"{site}{ADDRESS}/")
    follow(browser, browser.find_element("link text", "Get emails about our changes"))
    passes_axe(browser, f"{ADDRESS}/subscribe")
    fill(browser, "email", "not an address")
    send(browser)
    assert browser.title.startswith("Error: ")
    passes_axe(browser, f"{ADDRESS}/subscribe-errors")
    fill(browser, "email", "sam@example.org")
    send(browser)
    assert browser.find_element("tag name", "h1").text == "Check your email"
    passes_axe(browser, f"{ADDRESS}/subscribe-sent")
    browser.get(f"{site}{ADDRESS}/subscribe?lang=cy")
    passes_axe(browser, f"{ADDRESS}/subscribe-cy")
    settings = test_settings(fake_slack, database_url, ENGAGEBOT_PUBLIC_URL=PUBLIC_URL, **mailing)
    build_scheduler(settings, database).tick(utc_now())
    (confirmation,) = mail_server.wait_for(1)
    assert confirmation["To"] == "sam@example.org"
