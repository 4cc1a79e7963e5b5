"""Email to subscribers, with real parts: the real app and public site behind the real HTTP
server, a real SMTP server on localhost (tests/mail_server.py), signed Slack requests.

A member of the public subscribes (the domain function the subscribe form calls), confirms
from the link the email carries, hears of a change announced in Slack and of its 7-day
reminder at 09:00 team time, and unsubscribes in one click (RFC 8058): then hears nothing.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.base.links import CONFIRM, SignedLinks, Subject
from bot.mail.subscribing import ask_to_subscribe
from bot.runtime.app import build_scheduler
from storage.clock import utc_now
from storage.database import Database
from storage.deliveries import PENDING, SENDING, SENT
from storage.models import Delivery, EmailSubscription, ProducerTeam
from tests.conftest import RunningBot, test_settings
from tests.e2e.helpers import make_team, wait_for_deliveries
from tests.e2e.public_records import Answer
from tests.e2e.test_changes import announce, today
from tests.fake_slack import FakeSlack
from tests.mail_server import MailServer, body

pytestmark = pytest.mark.any_date

PUBLIC_URL = "https://statistics.example.org/engage/"
SECRET_KEY = "test-secret-key-of-at-least-32-characters"
LONDON = ZoneInfo("Europe/London")
SUBSCRIBER = "sam@example.org"


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    with MailServer() as server:
        yield server


@pytest.fixture
def mailing_bot(
    fake_slack: FakeSlack, database: Database, database_url: str, mail_server: MailServer
) -> Iterator[RunningBot]:
    """The bot sending email through `mail_server`, with its public site; Prices (home
    channel CPRICES) publishes at "prices"."""
    settings = test_settings(
        fake_slack,
        database_url,
        ENGAGEBOT_PUBLIC_URL=PUBLIC_URL,
        ENGAGEBOT_SMTP_URL=mail_server.url,
        ENGAGEBOT_MAIL_FROM="Prices team <engage@example.org>",
        ENGAGEBOT_SECRET_KEY=SECRET_KEY,
    )
    team_id = make_team(database)
    with database.transaction() as session:
        team = session.get(ProducerTeam, team_id)
        assert team is not None
        team.public_slug = "prices"
    running = RunningBot(settings, database, fake_slack)
    yield running
    running.stop()


def subscribe(bot: RunningBot, email: str = SUBSCRIBER, language: str = "en") -> str:
    """Ask to subscribe to Prices, as the form does, and send the confirmation: its key."""
    with bot.database.transaction() as session:
        team = session.exec(select(ProducerTeam)).one()
        asked = ask_to_subscribe(
            session=session, team=team, email=email, language=language, now=utc_now()
        )
    assert asked.confirmation is not None
    build_scheduler(bot.settings, bot.database).deliver(utc_now(), [asked.confirmation.key])
    return asked.confirmation.key


def local(bot: RunningBot, url: str) -> str:
    """`url` of the public site, at the address the test serves it on."""
    assert url.startswith(PUBLIC_URL), url
    return bot.url + "/engage/" + url.removeprefix(PUBLIC_URL)


def request(url: str, data: bytes | None = None) -> Answer:
    """GET `url` (POST `data`), whatever its status."""
    try:
        with urllib.request.urlopen(url, data=data, timeout=10) as response:
            return Answer(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read().decode())


def link_in(message: EmailMessage, path: str) -> str:
    found = re.search(rf"{re.escape(PUBLIC_URL)}{path}/\S+", body(message))
    assert found is not None, body(message)
    return found.group(0)


def subscription(database: Database) -> EmailSubscription:
    with database.transaction() as session:
        return session.exec(select(EmailSubscription)).one()


def nine_in_london(day_offset: int, bot: RunningBot) -> datetime:
    day = today(bot) + timedelta(days=day_offset)
    return datetime.combine(day, time(9), LONDON).astimezone(UTC)


def test_subscribe_confirm_hear_of_a_change_and_its_reminder_then_unsubscribe(
    mailing_bot: RunningBot, mail_server: MailServer
) -> None:
    bot = mailing_bot
    subscribe(bot)
    (confirmation,) = mail_server.wait_for(1)
    assert confirmation["To"] == SUBSCRIBER
    assert confirmation["Subject"] == "Confirm your email subscription to Prices"
    assert "List-Unsubscribe" not in confirmation  # nothing to leave yet
    assert subscription(bot.database).confirmed_at is None

    # Followed over HTTP, against the served site: confirmed.
    page = request(local(bot, link_in(confirmation, "email/confirm")))
    assert page.status == 200 and "Subscription confirmed" in page.body
    assert subscription(bot.database).confirmed_at is not None

    # A change announced in Slack reaches the subscriber too, through the same outbox.
    announce(bot, title="New <weights> & more")
    mail_server.wait_for(2)
    announced = mail_server.received[1]
    assert announced["Subject"] == "Upcoming change to Consumer price inflation"
    assert "New <weights> & more" in body(announced)  # the team's text, as written
    assert "New &lt;weights&gt; &amp; more" in body(announced, "html")  # escaped
    assert f"{PUBLIC_URL}prices/changes" in body(announced)
    unsubscribe_url = announced["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url.startswith(f"{PUBLIC_URL}email/unsubscribe/")
    assert announced["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Named by its number, never its address; noted sent once the server took it.
    wait_for_deliveries(bot.database, {"change:1:r1:email:1": SENT})

    # The 7-day reminder (the change takes effect in 30 days), at 09:00 team time.
    scheduler = build_scheduler(bot.settings, bot.database)
    scheduler.tick(nine_in_london(2, bot))  # the 28-day reminder
    mail_server.wait_for(3)
    scheduler.tick(nine_in_london(23, bot) - timedelta(minutes=1))
    assert len(mail_server.received) == 3  # not before 09:00
    scheduler.tick(nine_in_london(23, bot))
    reminder = mail_server.wait_for(4)[3]
    # A long subject is folded onto a second line: unfolded, as a mail program shows it.
    subject = " ".join(reminder["Subject"].split())
    assert subject.startswith("Reminder: a change to Consumer price inflation takes effect on")
    assert subject.endswith((today(bot) + timedelta(days=30)).strftime("%-d %B %Y"))

    # One click (RFC 8058): the mail client POSTs to the List-Unsubscribe address.
    one_click = request(local(bot, unsubscribe_url), data=b"List-Unsubscribe=One-Click")
    assert one_click.status == 200 and "You have unsubscribed" in one_click.body
    assert subscription(bot.database).unsubscribed_at is not None
    scheduler.tick(nine_in_london(29, bot))  # the 1-day reminder: to the channel only
    assert len(mail_server.received) == 4


def test_the_unsubscribe_link_shows_a_button_before_it_acts(
    mailing_bot: RunningBot, mail_server: MailServer
) -> None:
    subscribe(mailing_bot)
    request(local(mailing_bot, link_in(mail_server.wait_for(1)[0], "email/confirm")))
    announce(mailing_bot)
    url = local(mailing_bot, mail_server.wait_for(2)[1]["List-Unsubscribe"].strip("<>"))
    page = request(url)
    assert page.status == 200 and '<form method="post"' in page.body
    assert subscription(mailing_bot.database).unsubscribed_at is None
    assert "You have unsubscribed" in request(url, data=b"").body


def test_forged_altered_and_expired_links_change_nothing(
    mailing_bot: RunningBot, mail_server: MailServer, clock: object
) -> None:
    subscribe(mailing_bot)
    url = local(mailing_bot, link_in(mail_server.wait_for(1)[0], "email/confirm"))
    forged = SignedLinks("another-secret-key-of-at-least-32-chars")
    for bad in (
        url[:-2] + ("AA" if not url.endswith("AA") else "BB"),
        url.replace("/confirm/", "/unsubscribe/"),  # a confirm token is no unsubscribe token
        f"{mailing_bot.url}/engage/email/confirm/{forged.token(CONFIRM, Subject('', 1))}",
        f"{mailing_bot.url}/engage/email/confirm/not-a-token",
    ):
        page = request(bad, data=b"" if "/unsubscribe/" in bad else None)
        assert page.status == 400 and "This link does not work" in page.body, bad
    from storage.clock import CLOCK

    CLOCK.move_by(timedelta(days=7, minutes=1))
    assert request(url).status == 400  # expired
    stored = subscription(mailing_bot.database)
    assert stored.confirmed_at is None and stored.unsubscribed_at is None


def test_asking_again_sends_no_second_confirmation(
    mailing_bot: RunningBot, mail_server: MailServer
) -> None:
    subscribe(mailing_bot)
    with mailing_bot.database.transaction() as session:
        team = session.exec(select(ProducerTeam)).one()
        again = ask_to_subscribe(
            session=session, team=team, email=" SAM@example.org ", language="cy", now=utc_now()
        )
    assert again.confirmation is None
    assert len(mail_server.wait_for(1)) == 1


def test_a_refused_email_is_retried_with_the_same_message_id(
    mailing_bot: RunningBot, mail_server: MailServer
) -> None:
    mail_server.refuse(1)
    key = subscribe(mailing_bot)
    with mailing_bot.database.transaction() as session:
        delivery = session.exec(select(Delivery).where(Delivery.key == key)).one()
        assert delivery.status == PENDING and "451" in (delivery.last_error or "")
        retry_at = delivery.next_attempt_at
    assert not mail_server.received
    build_scheduler(mailing_bot.settings, mailing_bot.database).deliver(retry_at)
    (sent,) = mail_server.wait_for(1)
    wait_for_deliveries(mailing_bot.database, {key: SENT})

    # A crash after the server took it, before it was noted sent: sent again, recognisably.
    with mailing_bot.database.transaction() as session:
        delivery = session.exec(select(Delivery).where(Delivery.key == key)).one()
        delivery.status, delivery.claimed_by = SENDING, "gone:1:abc"
        delivery.claimed_at = utc_now() - timedelta(hours=1)
    scheduler = build_scheduler(mailing_bot.settings, mailing_bot.database)
    assert scheduler.recover() == 1
    scheduler.deliver(retry_at)
    again = mail_server.wait_for(2)[1]
    assert again["Message-ID"] == sent["Message-ID"]


def test_welsh_subscribers_get_welsh_emails(
    mailing_bot: RunningBot, mail_server: MailServer
) -> None:
    subscribe(mailing_bot, language="cy")
    (confirmation,) = mail_server.wait_for(1)
    assert "Prices" in confirmation["Subject"]
    assert confirmation["Subject"] != "Confirm your email subscription to Prices"
    assert "?lang=cy" in link_in(confirmation, "email/confirm")
