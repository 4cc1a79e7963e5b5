"""The public site (handlers/web/) behind the real HTTP server, as `engagebot serve`
answers it under ENGAGEBOT_PUBLIC_URL's path (bot/runtime/serving.py: web_app_of), on
SQLite and PostgreSQL: what each page shows, in English and Welsh, and what every answer
carries. `engagebot site` and `serve` as processes: tests/e2e/test_public_site_cli.py."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.base.vocabulary import METHODS, segment_label
from bot.runtime.serving import HttpServer, WebApp
from bot.statements.users_and_uses import NO_METHOD, NOT_RECORDED, SEVERAL
from bot.statements.you_said_we_did import NO_NOTE, OTHER_THEME, OUTCOMES
from handlers.web.site import PublicSite
from handlers.web.words import WORDS
from storage.database import Database
from storage.reference import list_segments
from tests.conftest import serve_in_thread
from tests.e2e.public_records import ADDRESS, PAGES, PUBLIC_PATH, fetch, public_site
from tests.fake_slack import FakeSlack


@pytest.fixture
def site(fake_slack: FakeSlack, database: Database, database_url: str) -> Iterator[str]:
    """The URL of the public site's index, served as `serve` serves it."""
    with public_site(fake_slack, database, database_url) as url:
        yield url


def test_every_page_answers_with_a_strict_policy(site: str) -> None:
    for page in PAGES:
        answer = fetch(site + page)
        assert answer.status == 200, page
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
        policy = answer.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy
        assert "<script>" not in answer.body  # the only script is static/init.js
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_the_index_lists_the_teams_that_publish(site: str) -> None:
    body = fetch(site).body
    assert f'href="{PUBLIC_PATH}{ADDRESS}/"' in body and ">Prices</a>" in body
    assert "Health" not in body  # it has no public address


def test_changes_to_come_and_what_became_of_the_others(site: str) -> None:
    body = fetch(f"{site}{ADDRESS}/changes").body
    coming, _, decided = body.partition("In the last year")
    assert "New &lt;weights&gt;" in coming  # the team's text, escaped
    assert "Owner occupiers&#39; housing costs" in coming
    assert "Central government, Media" in coming
    assert "until 31 January 2027" in coming
    assert "Cancelled one" in decided and "Cancelled" in decided
    assert "HPI methods" in decided and "since 1 May 2026" in decided


def test_you_said_we_did_by_quarter(site: str) -> None:
    body = fetch(f"{site}{ADDRESS}/you-said-we-did").body
    # The last complete quarter, as `engagebot publish` makes it by default.
    assert "Feedback received from 1 July 2026 to 30 September 2026." in body
    assert "Regional CPI" in body and "We now publish &lt;b&gt;regional&lt;/b&gt; CPI." in body
    assert "Regional CPI again" not in body  # merged into another
    assert "Jane Doe" not in body and "jane@example.org" not in body
    current = fetch(f"{site}{ADDRESS}/you-said-we-did/2026-q4").body
    assert "Feedback received from 1 October 2026, so far." in current
    # Not yet decided: counted, not shown (what the public sent is not on the page before
    # the team has read it).
    assert "Longer series" not in current and "Not yet decided" in current
    assert "shown here once we have decided" in current
    assert fetch(f"{site}{ADDRESS}/you-said-we-did/2019-q1").status == 404


def test_users_and_uses(site: str) -> None:
    body = fetch(f"{site}{ADDRESS}/users-and-uses").body
    assert "From 21 November 2025 to 20 November 2026." in body
    assert "HM Treasury" in body and "Uprating benefits &amp; pensions" in body
    assert "Jo Bloggs" not in body  # a member of the public: counted, never named


def test_opportunities_with_the_places_left(site: str) -> None:
    body = fetch(f"{site}{ADDRESS}/opportunities").body
    assert "CPI user group" in body and "10 December 2026" in body
    assert "11 of 12 places left" in body
    assert "UORGANISER" not in body


def test_welsh(site: str) -> None:
    body = fetch(f"{site}{ADDRESS}/changes?lang=cy").body
    assert '<html lang="cy"' in body
    assert "Newidiadau" in body
    assert "31 Ionawr 2027" in body
    assert "Owner occupiers&#39; housing costs" in body  # the team's words stay as written
    assert f'href="{PUBLIC_PATH}{ADDRESS}/opportunities?lang=cy"' in body


def test_unknown_addresses_and_methods(site: str) -> None:
    assert fetch(f"{site}nobody/").status == 404
    assert "Page not found" in fetch(f"{site}nobody/").body
    # Redirected to the address with its slash (urllib follows it).
    assert "Engaging with our users" in fetch(f"{site}{ADDRESS}").body
    assert "Teams" in fetch(site.rstrip("/")).body
    assert fetch(site.replace(PUBLIC_PATH, "/engaged/")).status == 404  # not under the path
    assert fetch(f"{site}static/site.css").status == 200
    assert fetch(f"{site}static/../../site.py").status == 404


def test_every_word_the_domain_gives_is_marked_for_translation(database: Database) -> None:
    with database.transaction() as session:
        segments = {segment_label(segment.name) for segment in list_segments(session=session)}
    given = {
        *OUTCOMES.values(),
        *NO_NOTE.values(),
        OTHER_THEME,
        *segments,
        NOT_RECORDED,
        SEVERAL,
        NO_METHOD,
        *(method.lower() for method in METHODS.values()),
    }
    assert given - set(WORDS) == set()


def test_the_welsh_catalogue_translates_every_message() -> None:
    root = Path(__file__).resolve().parents[2]
    with (root / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(
            str(root), method_map, options_map, keywords={**DEFAULT_KEYWORDS, "N_": None}
        )
    }
    with (root / "handlers/web/locale/cy/LC_MESSAGES/messages.po").open("rb") as po:
        catalogue = read_po(po, locale="cy")
    translated = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalogue
        if message.id and message.string and all(message.string) and not message.fuzzy
    }
    assert found - translated == set(), "run pybabel (docs/developers.md) and translate these"


def test_a_database_that_does_not_answer_is_said_so() -> None:
    nowhere = Database("postgresql+psycopg://postgres@127.0.0.1:1/engagebot")
    site = PublicSite(nowhere, ZoneInfo("Europe/London"))
    server = HttpServer(WebApp(nowhere, None, public_site=site), host="127.0.0.1", port=0)
    serve_in_thread(server)
    try:
        answer = fetch(f"http://127.0.0.1:{server.port}/")
    finally:
        server.stop()
        nowhere.dispose()
    assert answer.status == 503
    assert "Sorry, there is a problem with the service" in answer.body


def test_odd_addresses_and_methods_are_refused_with_no_error(site: str) -> None:
    """Found by trying the site as a hostile visitor: each was a 500 with an empty body."""
    for odd in (
        f"{ADDRESS}/changes/99999999999999999999999/comment",
        f"{ADDRESS}/you-said-we-did/0000-q1",
    ):
        answer = fetch(site + odd)
        assert answer.status == 404 and "Page not found" in answer.body, odd
    for method in ("PUT", "DELETE", "POST"):
        asked = urllib.request.Request(f"{site}{ADDRESS}/changes", data=b"", method=method)
        try:
            urllib.request.urlopen(asked, timeout=10)
        except urllib.error.HTTPError as refused:
            assert refused.code == 405, method
            assert refused.headers["Allow"] == "GET, HEAD", method
            assert "This page cannot do that" in refused.read().decode(), method
        else:
            raise AssertionError(f"{method} was answered")
