"""Email's settings, its signed links and its transports (SMTP against the real server of
tests/mail_server.py; Notify through a stand-in for its client, which is outside)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from notifications_python_client.errors import HTTPError

from bot.base.config import ConfigError, load_settings
from bot.base.links import CONFIRM, UNSUBSCRIBE, SignedLinks, Subject
from bot.base.mail import Email, MailRefused, NotifyMailer, SmtpMailer, mail_service, message_id
from storage.clock import Clock
from tests.mail_server import MailServer

VALID = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
KEY = "k" * 32
SMTP = {
    "ENGAGEBOT_SMTP_URL": "smtp://user:p%40ss@mail.example.org:587?starttls=1",
    "ENGAGEBOT_MAIL_FROM": "Prices <engage@example.org>",
    "ENGAGEBOT_SECRET_KEY": KEY,
    "ENGAGEBOT_PUBLIC_URL": "https://statistics.example.org/engage/",
}
EMAIL = Email("sam@example.org", "Subject", "Text", "<p>HTML</p>", "https://x.org/u/1")


def test_email_is_off_until_a_way_of_sending_it_is_set() -> None:
    assert not load_settings(VALID, require_slack=True).email_on
    settings = load_settings({**VALID, **SMTP}, require_slack=True)
    assert settings.email_on
    assert isinstance(mail_service(settings).mailer, SmtpMailer)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({**SMTP, "ENGAGEBOT_SECRET_KEY": ""}, "ENGAGEBOT_SECRET_KEY is not set"),
        ({**SMTP, "ENGAGEBOT_MAIL_FROM": ""}, "ENGAGEBOT_MAIL_FROM is not set"),
        ({**SMTP, "ENGAGEBOT_PUBLIC_URL": ""}, "ENGAGEBOT_PUBLIC_URL is not set"),
        ({**SMTP, "ENGAGEBOT_NOTIFY_API_KEY": "x"}, "send email one way"),
        ({**SMTP, "ENGAGEBOT_SMTP_URL": "http://mail.example.org"}, "smtp:// or smtps://"),
        ({**SMTP, "ENGAGEBOT_SECRET_KEY": "short"}, "at least 32 characters"),
        ({**SMTP, "ENGAGEBOT_MAIL_FROM": "nobody"}, "ENGAGEBOT_MAIL_FROM must be an email"),
        (
            {**SMTP, "ENGAGEBOT_SMTP_URL": "", "ENGAGEBOT_NOTIFY_API_KEY": "x"},
            "ENGAGEBOT_NOTIFY_TEMPLATE_ID is not set",
        ),
    ],
)
def test_email_half_set_up_is_refused(settings: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_settings({**VALID, **settings}, require_slack=True)


def test_a_link_is_for_its_purpose_its_secret_and_its_lifetime(clock: Clock) -> None:
    links = SignedLinks(KEY)
    token = links.token(CONFIRM, Subject("T1", 12))
    assert links.read(CONFIRM, token) == Subject("T1", 12)
    assert links.read(UNSUBSCRIBE, token) is None
    assert SignedLinks("x" * 32).read(CONFIRM, token) is None
    assert links.read(CONFIRM, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert links.read(CONFIRM, "") is None
    clock.move_by(timedelta(days=7, seconds=1))
    assert links.read(CONFIRM, token) is None
    assert links.read(UNSUBSCRIBE, links.token(UNSUBSCRIBE, Subject("", 1))) == Subject("", 1)


def test_the_message_id_is_the_deliverys_own() -> None:
    first = message_id("change:1:r1:email:3", "Prices <engage@example.org>")
    assert first == message_id("change:1:r1:email:3", "engage@example.org")
    assert first.endswith("@example.org>") and first != message_id("other", "engage@example.org")


def test_smtp_refusals_say_whether_to_try_again() -> None:
    with MailServer() as server:
        server.refuse(1)
        with pytest.raises(MailRefused) as refused:
            SmtpMailer(server.url, "engage@example.org").send(EMAIL, "k")
        assert not refused.value.permanent and "451" in str(refused.value)
    with pytest.raises(MailRefused) as unreachable:  # the server is gone
        SmtpMailer(server.url, "engage@example.org").send(EMAIL, "k")
    assert not unreachable.value.permanent


class NotifyStandIn:
    def __init__(self, status: int | None = None) -> None:
        self.sent: list[dict[str, Any]] = []
        self.status = status

    def send_email_notification(self, **fields: Any) -> dict[str, Any]:
        if self.status is not None:
            response = type("Response", (), {"status_code": self.status, "json": lambda _: {}})()
            raise HTTPError(response)
        self.sent.append(fields)
        return {"id": "n1"}


def test_notify_gets_the_words_the_reference_and_the_unsubscribe_link() -> None:
    client = NotifyStandIn()
    NotifyMailer("key", "template", client).send(EMAIL, "change:1:r1:email:3")
    assert client.sent == [
        {
            "email_address": "sam@example.org",
            "template_id": "template",
            "personalisation": {"subject": "Subject", "body": "Text"},
            "reference": "change:1:r1:email:3",
            "one_click_unsubscribe_url": "https://x.org/u/1",
        }
    ]
    for status, permanent in ((400, True), (429, False), (500, False)):
        with pytest.raises(MailRefused) as refused:
            NotifyMailer("key", "template", NotifyStandIn(status)).send(EMAIL, "k")
        assert refused.value.permanent is permanent
