"""The public site, a WSGI application of read-only pages: the teams that publish, and each
team's changes, "You said, we did", "Users and uses" and opportunities (`bot/public/`);
and the links in emails to subscribers (`bot/mail/`): confirming a subscription, and
unsubscribing (a page with a button, and the one-click POST of RFC 8058, which needs no
CSRF token: the signed token in the address is the authority).

Each page is one request, one short transaction that reads what the page shows, and one
template. A team is found by its address, in whichever workspace it is (its address is
unique across them: `storage/public.py`). Served by `engagebot serve` under
ENGAGEBOT_PUBLIC_URL's path and by `engagebot site` alone (`bot/runtime/`).

Every answer carries a strict Content-Security-Policy: the pages load only the site's own
style sheet and scripts (no inline script, nothing from elsewhere) and work without them.

Its forms (feedback, comments: `feedback_pages.py`) are the only requests that write; each
goes through `forms.py` first. They are offered only with ENGAGEBOT_SECRET_KEY set.
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
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed, NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import Map, MapAdapter, Rule
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from bot.base.clock import zone_named
from bot.base.config import Settings
from bot.base.links import CONFIRM, UNSUBSCRIBE, SignedLinks, site_links
from bot.base.validation import RECORD_ID_MAX
from bot.base.vocabulary import segment_label
from bot.mail.subscribing import confirm, unsubscribe
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
from handlers.web.feedback_pages import FeedbackPages
from handlers.web.feeds import (
    ATOM,
    CALENDAR,
    STATEMENT_PERIODS,
    FeedOf,
    calendar,
    changes_feed,
    statement_feed,
)
from handlers.web.forms import FormRefused, FormSafety
from handlers.web.rendering import ENGLISH, WELSH, render, translations
from handlers.web.subscribe_pages import SubscribePages
from storage.auditing import Actor
from storage.clock import utc_now
from storage.database import Database
from storage.email_subscriptions import subscription_in
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
WEB = Actor("public", "web:form")  # who the audit log says wrote what a form sent
SUBSCRIBE_ENDPOINTS = frozenset({"subscribe", "subscribe_sent"})
FORM_ENDPOINTS = frozenset({"feedback", "feedback_sent", "comment"})
FEEDS = ("changes_feed", "statement_feed", "calendar")

# Pages and feeds answer GET (and HEAD) only, and the forms POST too: any other method 405.
URLS = Map(
    [
        Rule("/", endpoint="index", methods=["GET"]),
        Rule("/static/<path:name>", endpoint="static", methods=["GET"]),
        Rule("/email/confirm/<token>", endpoint=CONFIRM, methods=["GET"]),
        Rule("/email/unsubscribe/<token>", endpoint=UNSUBSCRIBE, methods=["GET", "POST"]),
        Rule("/<address>/", endpoint="team", methods=["GET"]),
        Rule("/<address>/changes", endpoint="changes", methods=["GET"]),
        Rule("/<address>/you-said-we-did", endpoint="you_said_we_did", methods=["GET"]),
        Rule("/<address>/you-said-we-did/<period>", endpoint="you_said_we_did", methods=["GET"]),
        Rule("/<address>/users-and-uses", endpoint="users_and_uses", methods=["GET"]),
        Rule("/<address>/opportunities", endpoint="opportunities", methods=["GET"]),
        Rule("/<address>/feedback", endpoint="feedback", methods=["GET", "POST"]),
        Rule("/<address>/feedback/sent", endpoint="feedback_sent", methods=["GET"]),
        Rule("/<address>/subscribe", endpoint="subscribe", methods=["GET", "POST"]),
        Rule("/<address>/subscribe/sent", endpoint="subscribe_sent", methods=["GET"]),
        Rule(
            # An id a record can have: a longer number is no page (404), not an overflow.
            f"/<address>/changes/<int(max={RECORD_ID_MAX}):change_id>/comment",
            endpoint="comment",
            methods=["GET", "POST"],
        ),
        # The team's feeds (feeds.py).
        Rule("/<address>/changes.atom", endpoint="changes_feed", methods=["GET"]),
        Rule("/<address>/you-said-we-did.atom", endpoint="statement_feed", methods=["GET"]),
        Rule("/<address>/calendar.ics", endpoint="calendar", methods=["GET"]),
    ]
)


class PublicSite:
    """The public site on `database`; dates are the team's, or in `default_zone`. The links
    in emails are read with `links` (None: no email, and every such link is refused)."""

    def __init__(
        self,
        database: Database,
        default_zone: ZoneInfo,
        forms: FeedbackPages | None = None,
        links: SignedLinks | None = None,
        subscribing: SubscribePages | None = None,
    ) -> None:
        self.database = database
        self.default_zone = default_zone
        self.forms = forms
        self.links = links
        self.subscribing = subscribing
        self.cache = PageCache()
        if not (STATIC / "site.css").is_file():
            logger.error("the public site's styles are not built: run scripts/build_assets")

    @classmethod
    def of(
        cls, database: Database, settings: Settings, *, email_on: bool | None = None
    ) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
        """The site as `serve` and `site` serve it: its forms with ENGAGEBOT_SECRET_KEY, and
        behind ENGAGEBOT_TRUSTED_PROXIES proxies, the client's address and scheme as they
        say (werkzeug's ProxyFix, trusting that many entries of X-Forwarded-*). Its
        subscribe form when the bot sends email (`email_on`: the settings say, unless told;
        the console keeps every email in its mailbox)."""
        writer = database.acting_as(WEB)
        safety = FormSafety.of(writer, settings)
        forms = (
            FeedbackPages(writer, safety, settings.timezone, settings.earliest_date)
            if safety is not None
            else None
        )
        # Email subscriptions, when the bot sends email (and so has a secret for forms).
        subscribing = (
            SubscribePages(writer, safety)
            if safety is not None and (settings.email_on if email_on is None else email_on)
            else None
        )
        links = site_links(settings.secret_key)
        site = cls(database, settings.timezone, forms, links, subscribing)
        proxies = settings.trusted_proxies
        return ProxyFix(site, x_for=proxies, x_proto=proxies) if proxies else site

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
            if endpoint in (CONFIRM, UNSUBSCRIBE):
                return self._subscription(page, endpoint, values["token"])
            if endpoint in SUBSCRIBE_ENDPOINTS:
                if self.subscribing is None:
                    raise NotFound()
                return self.subscribing.respond(page, endpoint, **values)
            if endpoint in FORM_ENDPOINTS:
                if self.forms is None:
                    raise NotFound()
                return self.forms.respond(page, endpoint, **values)
            return self._team_page(page, endpoint, **values)
        except FormRefused as refused:
            code = refused.code or 400
            answer = page.render("public/refused.html", status=code, code=code)
            if refused.retry_after is not None:
                answer.headers["Retry-After"] = str(int(refused.retry_after.total_seconds()) + 1)
            return answer
        except HTTPException as refused:
            if refused.code == 404:
                return page.render("public/not_found.html", status=404)
            if refused.code == 400:
                return page.render("public/bad_link.html", status=400)
            if refused.code in (413, 405):
                answer = page.render("public/refused.html", status=refused.code, code=refused.code)
                if isinstance(refused, MethodNotAllowed) and refused.valid_methods:
                    answer.headers["Allow"] = ", ".join(sorted(refused.valid_methods))
                return answer
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

    def _subscription(self, page: Page, endpoint: str, token: str) -> Response:
        """A link from an email: confirm (GET), or unsubscribe (GET: the page with its
        button; POST: done). A token forged, altered or expired changes nothing."""
        subject = self.links.read(endpoint, token) if self.links else None
        if subject is None:
            raise BadRequest()
        posted = page.request.method == "POST"
        database = self.database.acting_as(Actor("public", f"web:{endpoint}"))
        with database.transaction() as session:
            subscription = subscription_in(
                session=session,
                workspace_id=subject.workspace_id,
                subscription_id=subject.record_id,
            )
            if subscription is None:  # erased, or deleted once ended (retention)
                raise NotFound()
            now = utc_now()
            if endpoint == CONFIRM:
                template = "confirmed" if confirm(subscription, now) else "ended"
            elif posted:
                unsubscribe(subscription, now)
                template = "unsubscribed"
            else:
                ended = subscription.unsubscribed_at is not None
                template = "unsubscribed" if ended else "unsubscribe"
            team, address = subscription.team.name, subscription.team.public_slug
        return page.render(f"public/{template}.html", team=team, address=address, token=token)

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
        """304 if the client has the page; else its body, from the cache or `make`; or, while
        a slow page is made anew, the body before, under its own ETag and to be asked
        again (the cache's `patience`)."""
        not_modified = fresh.answer(page.request)
        if not_modified is not None:
            return not_modified
        etag, (body, content_type) = self.cache.body(fresh.etag, make, page.request.url)
        if etag == fresh.etag:
            return fresh.stamped(Response(body, content_type=content_type))
        stale = Response(body, content_type=content_type)
        stale.set_etag(etag)
        stale.headers["Cache-Control"] = "no-cache"
        return stale

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
            # Offered on every page of a site whose settings give it forms, email.
            "forms": self.forms is not None,
            "email": self.subscribing is not None,
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
