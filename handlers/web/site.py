"""The public site, a WSGI application of read-only pages: the teams that publish, and each
team's changes, "You said, we did", "Users and uses" and opportunities (`bot/public/`).

Each page is one request, one short transaction that reads what the page shows, and one
template. A team is found by its address, in whichever workspace it is (its address is
unique across them: `storage/public.py`). Served by `engagebot serve` under
ENGAGEBOT_PUBLIC_URL's path and by `engagebot site` alone (`bot/runtime/`).

Every answer carries a strict Content-Security-Policy: the pages load only the site's own
style sheet and scripts (no inline script, nothing from elsewhere) and work without them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, MapAdapter, Rule
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from bot.base.clock import zone_named
from bot.base.vocabulary import segment_label
from bot.public.contents import (
    changes_page,
    default_period,
    opportunities,
    period_name,
    period_named,
    statement_of,
    statement_periods,
    team_day,
    uses_of,
)
from bot.statements.you_said_we_did import NO_NOTE, OUTCOMES
from handlers.web.caching import Freshness, Made, PageCache, freshness
from handlers.web.feeds import (
    ATOM,
    CALENDAR,
    STATEMENT_PERIODS,
    FeedOf,
    calendar,
    changes_feed,
    statement_feed,
)
from handlers.web.rendering import ENGLISH, WELSH, render, translations
from storage.clock import utc_now
from storage.database import Database
from storage.models import ProducerTeam
from storage.public import feedback_changed_at, public_stamp, published_teams, team_at_address

logger = logging.getLogger(__name__)

STATIC = Path(str(files("handlers.web") / "static"))
STATIC_MAX_AGE = 3600  # the assets keep their names from one build to the next
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
HTML = "text/html; charset=utf-8"
LANGUAGE = "lang"  # the query parameter: ?lang=cy
FEEDS = ("changes_feed", "statement_feed", "calendar")

URLS = Map(
    [
        Rule("/", endpoint="index"),
        Rule("/static/<path:name>", endpoint="static"),
        Rule("/<address>/", endpoint="team"),
        Rule("/<address>/changes", endpoint="changes"),
        Rule("/<address>/you-said-we-did", endpoint="you_said_we_did"),
        Rule("/<address>/you-said-we-did/<period>", endpoint="you_said_we_did"),
        Rule("/<address>/users-and-uses", endpoint="users_and_uses"),
        Rule("/<address>/opportunities", endpoint="opportunities"),
        # The team's feeds (feeds.py).
        Rule("/<address>/changes.atom", endpoint="changes_feed"),
        Rule("/<address>/you-said-we-did.atom", endpoint="statement_feed"),
        Rule("/<address>/calendar.ics", endpoint="calendar"),
    ]
)


class PublicSite:
    """The public site on `database`; dates are the team's, or in `default_zone`."""

    def __init__(self, database: Database, default_zone: ZoneInfo) -> None:
        self.database = database
        self.default_zone = default_zone
        self.cache = PageCache()
        if not (STATIC / "site.css").is_file():
            logger.error("the public site's styles are not built: run scripts/build_assets")

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self.respond(request)
        response.headers.update(SECURITY_HEADERS)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        language = WELSH if request.args.get(LANGUAGE) == WELSH else ENGLISH
        urls = URLS.bind_to_environ(request.environ)
        page = Page(request, language, urls)
        try:
            endpoint, values = urls.match()
            if endpoint == "static":
                return send_from_directory(
                    STATIC, values["name"], request.environ, max_age=STATIC_MAX_AGE
                )
            if endpoint == "index":
                return self._index(page)
            return self._team_page(page, endpoint, **values)
        except HTTPException as refused:
            if refused.code == 404:
                return page.render("public/not_found.html", status=404)
            return refused.get_response(request.environ)
        except SQLAlchemyError:
            logger.exception("a public page could not read the database")
            return page.render("public/unavailable.html", status=503)

    def _index(self, page: Page) -> Response:
        with self.database.transaction() as session:
            teams = published_teams(session=session)
        # The list is the whole of what the page reads: its ETag is made from it.
        fresh = freshness(page.request, teams, now=utc_now())
        return self._fresh(page, fresh, lambda: page.page("public/index.html", teams=teams))

    def _team_page(self, page: Page, endpoint: str, address: str, **values: str) -> Response:
        # The stamp first, alone: a page asked for again is answered from it (304, or the
        # cache). Its body, when made, reads in a transaction of its own begun after, so it
        # is never older than its ETag says (newer at worst: made again at the next one).
        now = utc_now()
        with self.database.statements.connect() as connection:
            stamp = public_stamp(connection=connection, address=address)
        if stamp is None:
            raise NotFound()
        zone = zone_named(stamp.timezone, self.default_zone)
        fresh = freshness(
            page.request,
            stamp.team_id,
            stamp.version,
            changed_at=stamp.changed_at,
            today=now.astimezone(zone).date(),
            zone=zone,
            now=now,
        )
        return self._fresh(page, fresh, lambda: self._made(page, endpoint, address, now, values))

    def _fresh(self, page: Page, fresh: Freshness, make: Callable[[], Made]) -> Response:
        """304 if the client has the page; else its body, from the cache or `make`."""
        not_modified = fresh.answer(page.request)
        if not_modified is not None:
            return not_modified
        body, content_type = self.cache.body(fresh.etag, make)
        return fresh.stamped(Response(body, content_type=content_type))

    def _made(
        self, page: Page, endpoint: str, address: str, now: datetime, values: dict[str, str]
    ) -> Made:
        with self.database.transaction() as session:
            team = team_at_address(session=session, address=address)
            if team is None:  # its address given up since the stamp was read
                raise NotFound()
            return self._read(page, session, endpoint, team, address, now, values)

    def _read(
        self,
        page: Page,
        session: Session,
        endpoint: str,
        team: ProducerTeam,
        address: str,
        now: datetime,
        values: dict[str, str],
    ) -> Made:
        today, zone = team_day(team, now, self.default_zone)
        if endpoint in FEEDS:
            return _feed(page, session, endpoint, team, address, zone, now)
        context: dict[str, Any] = {
            "team": team.name,
            "address": address,
            "today": today,
            "no_note": NO_NOTE,
        }
        if endpoint == "changes":
            context["changes"] = changes_page(session=session, team=team, today=today)
        elif endpoint == "you_said_we_did":
            periods = statement_periods(today)
            period = (
                period_named(values["period"], today)
                if "period" in values
                else default_period(today)
            )
            if period is None:
                raise NotFound()
            context.update(
                statement=statement_of(session=session, team=team, period=period),
                periods=[(p, period_name(p)) for p in periods],
                period=period,
                outcomes=OUTCOMES,
            )
        elif endpoint == "users_and_uses":
            context["uses"] = uses_of(session=session, team=team, today=today, zone=zone)
        elif endpoint == "opportunities":
            context["opportunities"] = opportunities(session=session, team=team, today=today)
        return page.page(f"public/{endpoint}.html", endpoint=endpoint, **context)


def _feed(
    page: Page,
    session: Session,
    endpoint: str,
    team: ProducerTeam,
    address: str,
    zone: ZoneInfo,
    now: datetime,
) -> Made:
    """The team's feed `endpoint` (feeds.py), its links absolute and in the page's language."""
    assert team.id is not None
    today = now.astimezone(zone).date()
    followed = {"calendar": "changes", "changes_feed": "changes"}.get(endpoint, "you_said_we_did")
    of = FeedOf(
        workspace=team.workspace_id or "",
        team_id=team.id,
        team=team.name,
        language=page.language,
        zone=zone,
        self_url=page.link(endpoint, address=address, _external=True),
        page_url=page.link(followed, address=address, _external=True),
        updated=team.updated_at,
    )
    if endpoint == "statement_feed":
        statements = []
        for period in statement_periods(today)[:STATEMENT_PERIODS]:
            changed = feedback_changed_at(
                session=session, team_id=team.id, first=period[0], last=period[1]
            )
            statements.append(
                (
                    statement_of(session=session, team=team, period=period),
                    page.link(
                        "you_said_we_did",
                        address=address,
                        period=period_name(period),
                        _external=True,
                    ),
                    changed or of.updated,
                )
            )
        return statement_feed(of, statements, today), ATOM
    changes = changes_page(session=session, team=team, today=today)

    def anchor(change_id: int) -> str:
        return f"{of.page_url}#change-{change_id}"

    if endpoint == "changes_feed":
        return changes_feed(of, changes, anchor), ATOM
    found = opportunities(session=session, team=team, today=today)
    opportunities_url = page.link("opportunities", address=address, _external=True)
    return calendar(of, changes, found, opportunities_url, anchor, now), CALENDAR


class Page:
    """One request's page: its language, and links that keep it."""

    def __init__(self, request: Request, language: str, urls: MapAdapter) -> None:
        self.request = request
        self.language = language
        self.urls = urls

    def link(self, endpoint: str, _external: bool = False, **values: Any) -> str:
        """The path of `endpoint` with `values`, in this page's language (its whole URL if
        `_external`: a feed's links are followed from elsewhere)."""
        if self.language != ENGLISH:
            values[LANGUAGE] = self.language
        return str(self.urls.build(endpoint, values, force_external=_external))

    def in_language(self, language: str) -> str:
        """This page's own path, in `language`."""
        path = self.request.script_root + self.request.path
        return path if language == ENGLISH else f"{path}?{LANGUAGE}={language}"

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        body, content_type = self.page(template, **context)
        return Response(body, status=status, content_type=content_type)

    def page(self, template: str, **context: Any) -> Made:
        """The page `template`, rendered with `context`, and its content type."""
        gettext = translations(self.language).gettext
        body = render(
            self.language,
            template,
            link=self.link,
            in_language=self.in_language,
            static=lambda name: self.urls.build("static", {"name": name}),
            segment=lambda name: gettext(segment_label(name)),
            **context,
        )
        return body.encode(), HTML
