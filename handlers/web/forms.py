"""What every form of the public site goes through before its fields are read, and how its
errors are shown.

- **CSRF**: a double submit, with no session kept. The first page with a form sets a
  random id in a cookie (`COOKIE`); each form carries a token (`TOKEN_FIELD`) that signs
  that id, a nonce of its own and the form's address with ENGAGEBOT_SECRET_KEY
  (itsdangerous), for TOKEN_SECONDS. A form sent without both, or with a token that is not
  ours, for another cookie, another form, or too old, is refused (400). The nonce names
  the form: one sent twice records once (`Sent.nonce`).
- **Size**: a body over FORM_BYTES_MAX is refused (413) before it is read.
- **Honeypot**: a field people never see (`HONEYPOT`); a form that fills it is a robot's,
  thanked and dropped (`Sent.robot`).
- **Rate limits**: a client address may send ENGAGEBOT_FORM_LIMIT_PER_ADDRESS forms an
  hour, and an email address be given in ENGAGEBOT_FORM_LIMIT_PER_EMAIL, counted in the
  database (`bot/public/rate_limits.py`); over, 429 with when to try again. The client
  address is the connection's, or, behind ENGAGEBOT_TRUSTED_PROXIES proxies, the one they
  put in X-Forwarded-For (werkzeug's ProxyFix, in `site.py`).
- **Errors** GOV.UK's way (`FormErrors`, `templates/public/form_parts.html`): a summary
  linking to each field, the message on the field, the values kept.

A new form renders `form_parts.html`'s `safety(form)` inside its <form>, and its handler
calls `FormSafety.read` first and `FormSafety.limit_email` for an email it is given.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from bot.base.config import Settings
from bot.public.rate_limits import Limit, sender_of, wait_before_more
from storage.database import Database

logger = logging.getLogger(__name__)

COOKIE = "engagebot_form"
TOKEN_FIELD = "form_token"
HONEYPOT = "website"
TOKEN_SECONDS = 4 * 3600  # long enough to write at leisure
FORM_BYTES_MAX = 16 * 1024  # the longest form filled to every limit is under 12 KiB
SALT = "engagebot public form"


class FormRefused(HTTPException):
    """A form refused before its fields are read: 400 (not ours), 413 (too big) or 429
    (too many), shown as `templates/public/refused.html` says."""

    def __init__(self, code: int, retry_after: timedelta | None = None) -> None:
        super().__init__()
        self.code = code
        self.retry_after = retry_after


@dataclass(frozen=True)
class Sent:
    """A form's fields, once it passed: `robot` if it filled the honeypot."""

    fields: MultiDict[str, str]
    nonce: str  # the form's own: the same form sent twice has the same
    robot: bool


@dataclass
class FormErrors:
    """A form's errors by field name (the id of its input), in the order of the form."""

    messages: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def get(self, name: str) -> str | None:
        return self.messages.get(name)


class FormSafety:
    """The checks of every public form, with ENGAGEBOT_SECRET_KEY and the rate limits."""

    def __init__(self, database: Database, settings: Settings) -> None:
        assert settings.secret_key is not None
        self.database = database
        self.secret = settings.secret_key
        self.per_address = settings.form_limit_per_address
        self.per_email = settings.form_limit_per_email
        self.signer = URLSafeTimedSerializer(settings.secret_key, salt=SALT)

    @classmethod
    def of(cls, database: Database, settings: Settings) -> FormSafety | None:
        """The checks, or None when there is no ENGAGEBOT_SECRET_KEY: no forms then."""
        if settings.secret_key is None:
            logger.warning("ENGAGEBOT_SECRET_KEY is not set: the public site offers no forms")
            return None
        return cls(database, settings)

    def token(self, request: Request, nonce: str | None = None) -> str:
        """A new form's token (a form shown again keeps its `nonce`), for the browser's
        cookie (`for_this_browser` sets it on the answer) and this form's address: a
        token is good for the form it came with only."""
        nonce = nonce or secrets.token_urlsafe(16)
        return self.signer.dumps([self.cookie_id(request), nonce, request.path])

    @staticmethod
    def cookie_id(request: Request) -> str:
        """The browser's id, or a new one (set by `for_this_browser`)."""
        found = request.cookies.get(COOKIE)
        if found is None:
            found = request.environ.setdefault("engagebot.form_cookie", secrets.token_urlsafe(16))
        return found

    @staticmethod
    def for_this_browser(request: Request, response: Response) -> Response:
        """A page with a form: its token is this browser's, so no cache may keep it; and
        the browser's id set in its cookie, if this request made it."""
        response.headers["Cache-Control"] = "no-store"
        made = request.environ.get("engagebot.form_cookie")
        if made is not None:
            response.set_cookie(
                COOKIE,
                made,
                path=request.script_root or "/",
                secure=request.scheme == "https",
                httponly=True,
                samesite="Lax",
            )
        return response

    def read(self, request: Request, now: datetime) -> Sent:
        """The form's fields, once its size, its token and the client's rate pass; raise
        `FormRefused`."""
        request.max_content_length = FORM_BYTES_MAX
        request.max_form_memory_size = FORM_BYTES_MAX
        fields = request.form  # werkzeug raises 413 for a body over the cap, unread
        nonce = self._nonce(request, fields.get(TOKEN_FIELD, ""))
        client = request.remote_addr or "unknown"
        self._limit([Limit(sender_of(self.secret, "client", client), self.per_address)], now)
        robot = bool(fields.get(HONEYPOT, "").strip())
        if robot:
            logger.info("a form with its honeypot filled: dropped")
        return Sent(fields, nonce, robot)

    def limit_email(self, email: str, now: datetime) -> None:
        """Count a form that gives `email`; raise `FormRefused` (429) over its limit."""
        self._limit([Limit(sender_of(self.secret, "email", email), self.per_email)], now)

    def _nonce(self, request: Request, token: str) -> str:
        cookie = request.cookies.get(COOKIE)
        try:
            signed_cookie, nonce, form = self.signer.loads(token, max_age=TOKEN_SECONDS)
        except (BadSignature, ValueError, TypeError):
            signed_cookie = nonce = form = None
        if (
            cookie is None
            or signed_cookie != cookie
            or form != request.path
            or not isinstance(nonce, str)
        ):
            logger.warning(
                "refused a form: its token is missing, not ours, another form's, or too old"
            )
            raise FormRefused(400)
        return nonce

    def _limit(self, limits: list[Limit], now: datetime) -> None:
        wait = wait_before_more(self.database, limits, now)
        if wait is not None:
            logger.warning("refused a form: over a rate limit")
            raise FormRefused(429, wait)


def chosen_id(value: str) -> int | None:
    """The record a form's choice names: none when left empty, else its id; a value no list
    offered (not digits, too long) is 0, which no record has, so the save refuses it on its
    field rather than reading it as no choice."""
    if not value:
        return None
    return int(value) if value.isdigit() and len(value) < 10 else 0
