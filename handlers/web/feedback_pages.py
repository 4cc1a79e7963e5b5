"""The public site's feedback form (/<address>/feedback) and each change's comment form
(/<address>/changes/<id>/comment): shown, checked (`forms.py`), saved by
`bot/public/web_feedback.py` before the sender is sent on to the thank-you page
(Post/Redirect/Get: reloading it sends nothing again)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from bot.base.text import storable
from bot.base.validation import FieldErrors, Invalid
from bot.public.web_feedback import (
    FeedbackForm,
    SentFeedback,
    feedback_form,
    receive_feedback,
)
from handlers.web.forms import FormErrors, FormSafety, chosen_id
from handlers.web.words import N_
from storage.clock import utc_now
from storage.database import Database

if TYPE_CHECKING:
    from handlers.web.site import Page

# The fields in the order the form asks them (its error summary's order), named as the
# feedback item's.
FIELDS = (
    "text",
    "uses",
    "segment",
    "organisation",
    "contact_agreed",
    "contact_name",
    "contact_email",
)
# What each field's error says to the public, when it is empty and when it is not (the
# limits are bot/public/web_feedback.py's TEXT_MAX and USES_MAX, and the item's); a field
# the domain finds wrong that is not here is the form's (the team, the change).
MESSAGES = {
    "text": (N_("Enter what you think"), N_("What you think must be 2,000 characters or fewer")),
    "uses": (None, N_("How you use the statistics must be 900 characters or fewer")),
    "segment": (None, N_("Choose the kind of user you are from the list")),
    "organisation": (
        None,
        N_("Your organisation must be 150 characters or fewer, without a semicolon"),
    ),
    "contact_agreed": (
        None,
        N_("Tick the box if you would like a reply, or leave your name and email empty"),
    ),
    "contact_name": (None, N_("Your name must be 120 characters or fewer")),
    "contact_email": (
        N_("Enter your email address, so that we can reply"),
        N_("Enter an email address in the correct format, like name@example.com"),
    ),
}
GONE = N_("This form is no longer open: go back to the team's pages")


class FeedbackPages:
    """The feedback and comment forms, on `database` (written to as the public site)."""

    def __init__(
        self, database: Database, safety: FormSafety, default_zone: ZoneInfo, earliest: date
    ) -> None:
        self.database = database
        self.safety = safety
        self.default_zone = default_zone
        self.earliest = earliest

    def respond(
        self, page: Page, endpoint: str, address: str, change_id: int | None = None
    ) -> Response:
        """The form (GET), or what became of it (POST): the thank-you page, or the form
        again with its errors."""
        form = feedback_form(self.database, address, change_id)
        if form is None:
            raise NotFound()
        if endpoint == "feedback_sent":
            return page.render(
                "public/feedback_sent.html",
                address=address,
                endpoint=endpoint,
                team=form.team,
                forms=True,
            )
        request = page.request
        if request.method != "POST":
            token = self.safety.token(request)
            return self._form(page, form, address, change_id, token, {}, FormErrors())
        now = utc_now()
        sent = self.safety.read(request, now)
        thanks = redirect(page.link("feedback_sent", address=address), code=303)
        if sent.robot:
            return thanks
        # A browser sends a text area's line breaks as CRLF: kept as typed, one character.
        values = {
            name: storable(sent.fields.get(name, "")).replace("\r\n", "\n") for name in FIELDS
        }
        feedback = SentFeedback(
            text=values["text"],
            uses=values["uses"],
            segment_id=chosen_id(values["segment"]),
            organisation=values["organisation"],
            contact_agreed=bool(values["contact_agreed"]),
            contact_name=values["contact_name"],
            contact_email=values["contact_email"],
            change_id=change_id,
            source_key=f"web:{sent.nonce}",
        )
        if values["contact_email"].strip():
            self.safety.limit_email(values["contact_email"], now)
        token = self.safety.token(request, sent.nonce)
        try:
            saved = receive_feedback(
                self.database,
                address,
                feedback,
                now=now,
                default_zone=self.default_zone,
                earliest=self.earliest,
            )
        except Invalid as invalid:
            errors = public_errors(invalid.errors, values)
            return self._form(page, form, address, change_id, token, values, errors)
        if saved is None:
            raise NotFound()
        return thanks

    def _form(
        self,
        page: Page,
        form: FeedbackForm,
        address: str,
        change_id: int | None,
        token: str,
        values: dict[str, str],
        errors: FormErrors,
    ) -> Response:
        response = page.render(
            "public/feedback.html",
            address=address,
            endpoint="comment" if change_id else "feedback",
            team=form.team,
            form=form,
            change_id=change_id,
            token=token,
            values=values,
            errors=errors,
            forms=True,
        )
        return self.safety.for_this_browser(page.request, response)


def public_errors(errors: FieldErrors, values: dict[str, str]) -> FormErrors:
    """The domain's errors as the public form words them, in the order of its fields;
    one on no field of the form (the change is gone) is the form's own."""
    shown = FormErrors()
    for name in FIELDS:
        if name in errors:
            empty, wrong = MESSAGES[name]
            shown.messages[name] = (
                (empty if not values.get(name, "").strip() else None) or wrong or ""
            )
    if set(errors) - set(FIELDS):
        shown.messages["form"] = GONE
    return shown
