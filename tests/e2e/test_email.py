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
from werkzeug.test import Client

from bot.base.links import CONFIRM, SignedLinks, Subject
from bot.base.validation import Invalid
from bot.mail.subscribing import CONFIRMATION_KIND, ask_to_subscribe
from bot.public.web_feedback import SentFeedback, receive_feedback
from bot.runtime.app import build_scheduler
from bot.runtime.console.payloads import block_actions, state_values, view_submission
from handlers.views.decisions import decide_button
from handlers.web.site import PublicSite
from storage.clock import utc_now
from storage.database import Database
from storage.deliveries import FAILED, PENDING, SENDING, SENT, Due, enqueue
from storage.email_subscriptions import email_target
from storage.models import Delivery, EmailSubscription, ProducerTeam
from tests.conftest import RunningBot, test_settings
from tests.e2e.helpers import make_team, opened_view, wait_for_deliveries
from tests.e2e.public_records import Answer
from tests.e2e.test_changes import announce, today
from tests.e2e.web_forms import Visitor
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


def test_an_address_no_email_can_carry_is_refused_and_fails_alone(
    mailing_bot: RunningBot, mail_server: MailServer
) -> None:
    """Found by a hostile visitor: "(x)@y.com" was taken, and then stopped every tick (the
    To: header could not be written). Now it is refused, and one stored before (under an
    older, looser check) fails its own email only."""
    with mailing_bot.database.transaction() as session:
        team = session.exec(select(ProducerTeam)).one()
        for odd in ("(x)@y.com", "<b>@x.com", "a@b", "jo@example.org\r\nBcc: x@y.org"):
            with pytest.raises(Invalid):
                ask_to_subscribe(
                    session=session, team=team, email=odd, language="en", now=utc_now()
                )
        stored = EmailSubscription(team_id=team.id or 0, email="(x)@y.com", created_at=utc_now())
        session.add(stored)
        session.flush()
        odd_key = f"email:confirm:{stored.id}"
        enqueue(
            session=session,
            dues=[
                Due(
                    key=odd_key,
                    kind=CONFIRMATION_KIND,
                    target=email_target(stored.id or 0),
                    due_at=utc_now(),
                    team_id=team.id,
                    subject_id=stored.id,
                )
            ],
        )
    good_key = subscribe(mailing_bot)  # and a good one, sent
    build_scheduler(mailing_bot.settings, mailing_bot.database).deliver(utc_now())

    (sent,) = mail_server.wait_for(1)
    assert sent["To"] == SUBSCRIBER and sent["Date"]
    wait_for_deliveries(mailing_bot.database, {good_key: SENT, odd_key: FAILED})
    with mailing_bot.database.transaction() as session:
        failed = session.exec(select(Delivery).where(Delivery.key == odd_key)).one()
        assert "can't be written" in (failed.last_error or "")


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


def test_the_subscribe_form_asks_for_one_output_and_the_email_confirms_it(
    mailing_bot: RunningBot, mail_server: MailServer
) -> None:
    bot = mailing_bot
    form_url = f"{bot.url}/engage/prices/subscribe"
    visitor = Visitor()
    overview = visitor.get(f"{bot.url}/engage/prices/")
    assert 'href="/engage/prices/subscribe"' in overview.body
    form = visitor.get(form_url)
    assert form.status == 200 and "Get emails about our changes" in form.body
    assert "Every change of Prices" in form.body and "House price index" in form.body

    # A token is its own form's: the feedback form's is refused here (found by a hostile
    # visitor), and the form then reads its own again.
    visitor.get(f"{bot.url}/engage/prices/feedback")
    assert visitor.post(form_url, {"email": SUBSCRIBER}).status == 400
    visitor.get(form_url)
    # A wrong address is said on its field, and nothing is stored.
    wrong = visitor.post(form_url, {"email": "sam at example", "output": "2"})
    assert wrong.status == 200
    assert "Enter an email address in the correct format" in wrong.body
    assert 'value="sam at example"' in wrong.body
    with bot.database.transaction() as session:
        assert session.exec(select(EmailSubscription)).all() == []

    sent = visitor.post(form_url, {"email": SUBSCRIBER, "output": "2"})
    assert sent.status == 303
    assert sent.headers["Location"].endswith("/engage/prices/subscribe/sent")
    assert "Check your email" in visitor.get(f"{form_url}/sent").body
    stored = subscription(bot.database)
    assert (stored.email, stored.output_id, stored.confirmed_at) == (SUBSCRIBER, 2, None)
    # Asked again: the same page, and no second email (the form can't flood an inbox).
    assert visitor.post(form_url, {"email": SUBSCRIBER, "output": "2"}).status == 303

    build_scheduler(bot.settings, bot.database).tick(utc_now())  # the next tick sends it
    (confirmation,) = mail_server.wait_for(1)
    assert confirmation["Subject"] == "Confirm your email subscription to Prices"
    page = request(local(bot, link_in(confirmation, "email/confirm")))
    assert page.status == 200 and "Subscription confirmed" in page.body
    assert subscription(bot.database).confirmed_at is not None
    assert len(mail_server.received) == 1


def test_without_email_the_pages_offer_no_subscribe_form(bot: RunningBot) -> None:
    make_team(bot.database)
    with bot.database.transaction() as session:
        session.exec(select(ProducerTeam)).one().public_slug = "prices"
    # Forms (a secret key), but neither SMTP nor Notify.
    settings = bot.settings.model_copy(update={"secret_key": SECRET_KEY})
    browser = Client(PublicSite.of(bot.database, settings))
    assert "subscribe" not in browser.get("/prices/").get_data(as_text=True)
    assert "Give feedback" in browser.get("/prices/").get_data(as_text=True)
    assert browser.get("/prices/subscribe").status_code == 404


def decide(bot: RunningBot, item: int, number: int, **answers: str) -> None:
    """Decide on feedback `item` in Slack, as a member of Prices (its `number`th form)."""
    button = decide_button(item)
    bot.requester.send(block_actions(button["action_id"], button["value"], ephemeral=True))
    form = opened_view(bot, number)
    bot.requester.send(view_submission(form, state_values(form, answers)))


def test_a_decision_on_feedback_from_the_site_is_emailed_to_who_asked_for_a_reply(
    mailing_bot: RunningBot, mail_server: MailServer
) -> None:
    bot = mailing_bot
    for sent in (
        SentFeedback("Please publish <regional> CPI", contact_agreed=True,
                     contact_name="Sam", contact_email=SUBSCRIBER),
        SentFeedback("Monthly please"),  # no reply asked for
    ):  # fmt: skip
        receive_feedback(
            bot.database, "prices", sent, now=utc_now(), default_zone=LONDON,
            earliest=bot.settings.earliest_date,
        )  # fmt: skip
    decide(bot, 1, 1, status="under_consideration")  # no note: nothing to tell
    decide(bot, 1, 2, status="planned", note="In the <spring> release")
    decide(bot, 2, 3, status="planned", note="Next year")
    build_scheduler(bot.settings, bot.database).tick(utc_now())

    (reply,) = mail_server.wait_for(1)
    assert reply["To"] == SUBSCRIBER
    assert reply["Subject"] == "Prices has decided on your feedback"
    text = body(reply)
    assert "Please publish <regional> CPI" in text and "Decision: Planned" in text
    assert "In the <spring> release" in text
    assert "In the &lt;spring&gt; release" in body(reply, "html")
    assert f"{PUBLIC_URL}prices/you-said-we-did" in text
    wait_for_deliveries(bot.database, {"feedback:1:reply:2": SENT})
    with bot.database.transaction() as session:
        keys = [delivery.key for delivery in session.exec(select(Delivery))]
    assert not [key for key in keys if key.startswith("feedback:2:")]  # none asked for
    assert len(mail_server.received) == 1
