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
from importlib.resources import files
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import BadRequest, HTTPException, NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import Map, MapAdapter, Rule
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from bot.base.config import Settings
from bot.base.links import CONFIRM, UNSUBSCRIBE, SignedLinks, site_links
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
from handlers.web.feedback_pages import FeedbackPages
from handlers.web.forms import FormRefused, FormSafety
from handlers.web.rendering import ENGLISH, WELSH, render, translations
from handlers.web.subscribe_pages import SubscribePages
from storage.auditing import Actor
from storage.clock import utc_now
from storage.database import Database
from storage.email_subscriptions import subscription_in
from storage.public import published_teams, team_at_address

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

URLS = Map(
    [
        Rule("/", endpoint="index"),
        Rule("/static/<path:name>", endpoint="static"),
        Rule("/email/confirm/<token>", endpoint=CONFIRM, methods=["GET"]),
        Rule("/email/unsubscribe/<token>", endpoint=UNSUBSCRIBE, methods=["GET", "POST"]),
        Rule("/<address>/", endpoint="team"),
        Rule("/<address>/changes", endpoint="changes"),
        Rule("/<address>/you-said-we-did", endpoint="you_said_we_did"),
        Rule("/<address>/you-said-we-did/<period>", endpoint="you_said_we_did"),
        Rule("/<address>/users-and-uses", endpoint="users_and_uses"),
        Rule("/<address>/opportunities", endpoint="opportunities"),
        Rule("/<address>/feedback", endpoint="feedback", methods=["GET", "POST"]),
        Rule("/<address>/feedback/sent", endpoint="feedback_sent"),
        Rule("/<address>/subscribe", endpoint="subscribe", methods=["GET", "POST"]),
        Rule("/<address>/subscribe/sent", endpoint="subscribe_sent"),
        Rule(
            "/<address>/changes/<int:change_id>/comment",
            endpoint="comment",
            methods=["GET", "POST"],
        ),
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
        if not (STATIC / "site.css").is_file():
            logger.error("the public site's styles are not built: run scripts/build_assets")

    @classmethod
    def of(
        cls, database: Database, settings: Settings
    ) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
        """The site as `serve` and `site` serve it: its forms with ENGAGEBOT_SECRET_KEY, and
        behind ENGAGEBOT_TRUSTED_PROXIES proxies, the client's address and scheme as they
        say (werkzeug's ProxyFix, trusting that many entries of X-Forwarded-*)."""
        writer = database.acting_as(WEB)
        safety = FormSafety.of(writer, settings)
        forms = (
            FeedbackPages(writer, safety, settings.timezone, settings.earliest_date)
            if safety is not None
            else None
        )
        # Email subscriptions, when the bot sends email (and so has a secret for forms).
        subscribing = (
            SubscribePages(writer, safety) if safety is not None and settings.email_on else None
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
            if refused.code == 413:
                return page.render("public/refused.html", status=413, code=413)
            return refused.get_response(request.environ)
        except SQLAlchemyError:
            logger.exception("a public page could not read the database")
            return page.render("public/unavailable.html", status=503)

    def _index(self, page: Page) -> Response:
        with self.database.transaction() as session:
            teams = published_teams(session=session)
        return page.render("public/index.html", teams=teams)

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
        now = utc_now()
        with self.database.transaction() as session:
            team = team_at_address(session=session, address=address)
            if team is None:
                raise NotFound()
            today, zone = team_day(team, now, self.default_zone)
            context: dict[str, Any] = {
                "team": team.name,
                "address": address,
                "today": today,
                "no_note": NO_NOTE,
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
        return page.render(f"public/{endpoint}.html", endpoint=endpoint, **context)


class Page:
    """One request's page: its language, and links that keep it."""

    def __init__(self, request: Request, language: str, urls: MapAdapter) -> None:
        self.request = request
        self.language = language
        self.urls = urls

    def link(self, endpoint: str, **values: Any) -> str:
        """The path of `endpoint` with `values`, in this page's language."""
        if self.language != ENGLISH:
            values[LANGUAGE] = self.language
        return str(self.urls.build(endpoint, values))

    def in_language(self, language: str) -> str:
        """This page's own path, in `language`."""
        path = self.request.script_root + self.request.path
        return path if language == ENGLISH else f"{path}?{LANGUAGE}={language}"

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
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
        return Response(body, status=status, content_type=HTML)
