"""The public site's email subscribe form (/<address>/subscribe): shown when the bot sends
email, checked (`forms.py`), its subscription stored unconfirmed by
`bot/mail/subscribing.py`, then "check your email" (Post/Redirect/Get). The page says the
same whether the address was new or already asked for, so it tells nobody who subscribes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from bot.base.text import storable
from bot.base.validation import Invalid
from bot.mail.subscribing import SubscribeForm, subscribe_form, subscribe_from_site
from handlers.web.forms import FormErrors, FormSafety, chosen_id
from handlers.web.words import N_
from storage.clock import utc_now
from storage.database import Database

if TYPE_CHECKING:
    from handlers.web.site import Page

FIELDS = ("email", "output")
ALL = "all"  # the output chosen: every change of the team's
MESSAGES = {
    "email": (
        N_("Enter your email address"),
        N_("Enter an email address in the correct format, like name@example.com"),
    ),
    "output": (None, N_("Choose what you would like emails about from the list")),
}


class SubscribePages:
    """The subscribe form, on `database` (written to as the public site)."""

    def __init__(self, database: Database, safety: FormSafety) -> None:
        self.database = database
        self.safety = safety

    def respond(self, page: Page, endpoint: str, address: str) -> Response:
        """The form (GET), or what became of it (POST): "check your email", or the form
        again with its errors."""
        form = subscribe_form(self.database, address)
        if form is None:
            raise NotFound()
        if endpoint == "subscribe_sent":
            return page.render(
                "public/email_sent.html",
                address=address,
                endpoint=endpoint,
                team=form.team,
                forms=True,
            )
        request = page.request
        if request.method != "POST":
            return self._form(page, form, address, self.safety.token(request), {}, FormErrors())
        now = utc_now()
        sent = self.safety.read(request, now)
        done = redirect(page.link("subscribe_sent", address=address), code=303)
        if sent.robot:
            return done
        values = {name: storable(sent.fields.get(name, "")).strip() for name in FIELDS}
        values["output"] = values["output"] or ALL
        if values["email"]:
            self.safety.limit_email(values["email"], now)
        output_id = None if values["output"] == ALL else chosen_id(values["output"])
        try:
            if not subscribe_from_site(
                self.database,
                address,
                email=values["email"],
                output_id=output_id,
                language=page.language,
                now=now,
            ):
                raise NotFound()
        except Invalid as invalid:
            errors = FormErrors()
            for name in FIELDS:
                if name in invalid.errors:
                    empty, wrong = MESSAGES[name]
                    errors.messages[name] = (empty if not values[name] else None) or wrong or ""
            token = self.safety.token(request, sent.nonce)
            return self._form(page, form, address, token, values, errors)
        return done

    def _form(
        self,
        page: Page,
        form: SubscribeForm,
        address: str,
        token: str,
        values: dict[str, str],
        errors: FormErrors,
    ) -> Response:
        choices = [(ALL, None), *((str(output_id), name) for output_id, name in form.outputs)]
        response = page.render(
            "public/email_subscribe.html",
            address=address,
            endpoint="subscribe",
            team=form.team,
            choices=choices,
            token=token,
            values={"output": ALL, **values},
            errors=errors,
            forms=True,
        )
        return self.safety.for_this_browser(page.request, response)
