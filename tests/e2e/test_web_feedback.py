"""Feedback and comments sent from the public site (handlers/web/feedback_pages.py), over
real HTTP as `serve` answers them, on SQLite and PostgreSQL: saved as the team's feedback
(channel "web") before the thank-you page, posted once to the team's home channel with
its Decide button by the delivery outbox (the fake Slack records it), and, once decided,
on "You said, we did". And every form's safety (handlers/web/forms.py): its token, the
honeypot, the size limit and the rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.feedback.decisions import decide
from bot.runtime.app import build_scheduler
from storage.clock import utc_now
from storage.database import Database
from storage.models import Feedback, Organisation, UpcomingChange
from storage.reference import organisations_named, segments_by_name
from tests.conftest import test_settings
from tests.e2e.public_records import (
    ADDRESS,
    HOME,
    PUBLIC_PATH,
    fetch,
    give_home_channel,
    public_site,
)
from tests.e2e.web_forms import Visitor
from tests.fake_slack import FakeSlack

HOSTILE = "<!channel> see <@U0BOSS> and <https://evil.example|this> & more"


@pytest.fixture
def site(fake_slack: FakeSlack, database: Database, database_url: str) -> Iterator[str]:
    with public_site(fake_slack, database, database_url) as url:
        give_home_channel(database)
        yield url


def media(database: Database) -> str:
    with database.transaction() as session:
        return str(segments_by_name(session=session)["media"].id)


def web_items(database: Database) -> list[Feedback]:
    with database.transaction() as session:
        return list(
            session.exec(
                select(Feedback).where(Feedback.channel == "web").order_by(col(Feedback.id))
            )
        )


def tick(fake_slack: FakeSlack, database: Database, database_url: str) -> None:
    settings = test_settings(fake_slack, database_url)
    build_scheduler(settings, database).tick(utc_now())


def posts_to_home(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    return [
        call.args for call in fake_slack.calls("chat.postMessage") if call.args["channel"] == HOME
    ]


def test_feedback_lands_in_the_list_and_the_home_channel_with_decide(
    site: str, fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    visitor = Visitor()
    form = visitor.get(f"{site}{ADDRESS}/feedback")
    assert form.status == 200 and "Tell us what you think" in form.body
    assert form.headers["Cache-Control"] == "no-store"  # its token is this browser's
    assert "Media" in form.body  # the kinds of user to choose from
    fields = {
        "text": HOSTILE,
        "uses": "Deflating\r\nwages",  # a text area's line break, as a browser sends it
        "segment": media(database),
        "organisation": "The Daily Paper",
        "contact_agreed": "yes",
        "contact_name": "Jo Reader",
        "contact_email": "jo@example.org",
        "website": "",
    }
    sent = visitor.post(f"{site}{ADDRESS}/feedback", fields)
    assert sent.status == 303
    assert sent.headers["Location"].endswith(f"{PUBLIC_PATH}{ADDRESS}/feedback/sent")
    # Saved before the thank-you page.
    [item] = web_items(database)
    # The organisation, not in the register, is kept in the text, not added to it.
    assert item.text == (
        f"{HOSTILE}\n\nHow they use the statistics: Deflating\nwages"
        "\n\nTheir organisation, as they wrote it: The Daily Paper"
    )
    assert item.organisation_id is None
    assert (item.contact_agreed, item.contact_name, item.contact_email) == (
        True,
        "Jo Reader",
        "jo@example.org",
    )
    assert item.status == "new" and item.recorded_by is None
    thanks = visitor.get(f"{site}{ADDRESS}/feedback/sent")
    assert thanks.status == 200 and "Feedback sent" in thanks.body
    # The same form sent again (a double click, a resend) records nothing more.
    assert visitor.post(f"{site}{ADDRESS}/feedback", fields).status == 303
    assert len(web_items(database)) == 1

    tick(fake_slack, database, database_url)
    tick(fake_slack, database, database_url)  # sent once
    [post] = posts_to_home(fake_slack)
    blocks = post["blocks"]
    assert isinstance(blocks, list)
    assert "<!channel>" not in str(post["text"]) and "&lt;!channel&gt;" in str(post["text"])
    # The text as typed, in a plain-text section: no mention, no link.
    typed = blocks[1]["text"]
    assert typed == {"type": "plain_text", "text": item.text, "emoji": False}
    assert "Media" in blocks[2]["elements"][0]["text"]
    assert "The Daily Paper" in typed["text"]
    assert "jo@example.org" not in str(post)  # contact details stay in the record
    [decide_button] = blocks[-1]["elements"]
    assert (decide_button["action_id"], decide_button["value"]) == ("feedback_decide", str(item.id))


def test_a_comment_is_tied_to_its_change_and_shown_once_decided(
    site: str, fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    with database.transaction() as session:
        change = session.exec(
            select(UpcomingChange).where(UpcomingChange.title == "Owner occupiers' housing costs")
        ).one()
        change_id, output_id = change.id, change.output_id
    changes = fetch(f"{site}{ADDRESS}/changes").body
    comment_url = f"{PUBLIC_PATH}{ADDRESS}/changes/{change_id}/comment"
    assert f'href="{comment_url}"' in changes
    visitor = Visitor()
    form = visitor.get(f"{site}{ADDRESS}/changes/{change_id}/comment")
    assert "Comment on a change" in form.body and "Owner occupiers&#39; housing costs" in form.body
    sent = visitor.post(f"{site}{ADDRESS}/changes/{change_id}/comment", {"text": "Yes please"})
    assert sent.status == 303
    [item] = web_items(database)
    assert (item.change_id, item.output_id, item.contact_email) == (change_id, output_id, None)

    tick(fake_slack, database, database_url)
    [post] = posts_to_home(fake_slack)
    assert "Owner occupiers' housing costs" in str(post["blocks"][0])

    with database.transaction() as session:
        decide(
            session=session,
            feedback_id=item.id,  # type: ignore[arg-type]
            to_status="planned",
            note="We will add them in March.",
            user_id="ULEAD",
        )
    statement = fetch(f"{site}{ADDRESS}/you-said-we-did/2026-q4").body
    assert "Yes please" in statement and "We will add them in March." in statement
    # A change of no team's address, or none at all, has no form.
    assert fetch(f"{site}{ADDRESS}/changes/999999/comment").status == 404


def test_errors_are_said_on_their_fields_and_the_values_kept(site: str, database: Database) -> None:
    visitor = Visitor()
    visitor.get(f"{site}{ADDRESS}/feedback")
    answer = visitor.post(
        f"{site}{ADDRESS}/feedback",
        {"text": " ", "uses": "x" * 901, "contact_email": "jo@<b>example", "segment": "abc"},
    )
    assert answer.status == 200
    body = answer.body
    assert "<title>Error: " in body and "There is a problem" in body
    assert '<a href="#text">Enter what you think</a>' in body
    assert 'id="text-error"' in body and 'aria-describedby="text-hint text-error"' in body
    assert "How you use the statistics must be 900 characters or fewer" in body
    assert "Tick the box if you would like a reply" in body
    assert "Choose the kind of user you are from the list" in body
    assert 'value="jo@&lt;b&gt;example"' in body  # kept, escaped
    assert web_items(database) == []
    # Put right, the same form goes.
    answer = visitor.post(f"{site}{ADDRESS}/feedback", {"text": "Fine now"})
    assert answer.status == 303 and len(web_items(database)) == 1


def test_a_form_not_from_our_page_is_refused(site: str, database: Database) -> None:
    url = f"{site}{ADDRESS}/feedback"
    visitor = Visitor()
    visitor.get(url)
    missing = visitor.post(url, {"text": "Hi"}, token="")
    assert missing.status == 400 and "Your form could not be sent" in missing.body
    assert visitor.post(url, {"text": "Hi"}, token=visitor.token[:-2] + "xx").status == 400
    # A token shown to another browser (a page that sent its own) is no good with ours.
    other = Visitor()
    other.get(url)
    assert visitor.post(url, {"text": "Hi"}, token=other.token).status == 400
    # Nor one without the browser's cookie.
    assert Visitor().post(url, {"text": "Hi"}, token=visitor.token).status == 400
    assert web_items(database) == []


def test_a_robot_that_fills_the_honeypot_is_thanked_and_dropped(
    site: str, database: Database
) -> None:
    visitor = Visitor()
    visitor.get(f"{site}{ADDRESS}/feedback")
    answer = visitor.post(
        f"{site}{ADDRESS}/feedback", {"text": "Buy now", "website": "https://spam.example"}
    )
    assert answer.status == 303
    assert web_items(database) == []


def test_a_body_over_the_cap_is_refused_unread(site: str, database: Database) -> None:
    visitor = Visitor()
    visitor.get(f"{site}{ADDRESS}/feedback")
    answer = visitor.post(f"{site}{ADDRESS}/feedback", {"text": "x" * 40_000})
    assert answer.status == 413 and "What you sent is too long" in answer.body
    assert web_items(database) == []


def test_rate_limits_per_address_and_per_email(
    fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    limits = {"ENGAGEBOT_FORM_LIMIT_PER_ADDRESS": "3", "ENGAGEBOT_FORM_LIMIT_PER_EMAIL": "1"}
    with public_site(fake_slack, database, database_url, **limits) as site:
        url = f"{site}{ADDRESS}/feedback"
        visitor = Visitor()
        visitor.get(url)
        reply = {"contact_agreed": "yes", "contact_email": "jo@example.org"}
        assert visitor.post(url, {"text": "One", **reply}).status == 303
        visitor.get(url)
        refused = visitor.post(url, {"text": "Two", **reply})
        assert refused.status == 429 and "You have sent too many forms" in refused.body
        assert 0 < int(refused.headers["Retry-After"]) <= 3601
        visitor.get(url)
        assert visitor.post(url, {"text": "Three"}).status == 303
        visitor.get(url)
        assert visitor.post(url, {"text": "Four"}).status == 429
    assert [item.text for item in web_items(database)] == ["One", "Three"]


def test_behind_a_proxy_the_client_is_the_one_it_names(
    fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    settings = {"ENGAGEBOT_FORM_LIMIT_PER_ADDRESS": "1", "ENGAGEBOT_TRUSTED_PROXIES": "1"}
    with public_site(fake_slack, database, database_url, **settings) as site:
        url = f"{site}{ADDRESS}/feedback"
        for client, status in (("203.0.113.7", 303), ("203.0.113.8", 303), ("203.0.113.7", 429)):
            visitor = Visitor()
            visitor.get(url)
            # What a client puts in the header itself comes before the proxy's own entry.
            forwarded = {"X-Forwarded-For": f"198.51.100.1, {client}"}
            answer = visitor.post(url, {"text": client}, headers=forwarded)
            assert answer.status == status, client
    assert len(web_items(database)) == 2


def test_without_a_secret_key_there_are_no_forms(
    fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    with public_site(fake_slack, database, database_url, ENGAGEBOT_SECRET_KEY="") as site:
        assert fetch(f"{site}{ADDRESS}/feedback").status == 404
        assert "Give feedback" not in fetch(f"{site}{ADDRESS}/").body
        assert "Comment on this change" not in fetch(f"{site}{ADDRESS}/changes").body


def test_an_old_window_is_forgotten(
    fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    """The counts are per hour: the next hour starts again (and the old rows go)."""
    from bot.public.rate_limits import Limit, wait_before_more
    from storage.models import FormCount

    now = utc_now()
    limit = [Limit("a-sender", 1)]
    assert wait_before_more(database, limit, now) is None
    assert wait_before_more(database, limit, now) is not None
    assert wait_before_more(database, limit, now + timedelta(hours=1)) is None
    with database.transaction() as session:
        assert len(session.exec(select(FormCount)).all()) == 1


def test_the_contact_is_personal_data_like_any_other(site: str, database: Database) -> None:
    """Logged as the public site's, its contact withheld from the audit log, and erased by
    `engagebot erase`'s function with every other contact of that email."""
    from bot.people.erasure import erase_person, person_to_erase
    from storage.audit import audit_entries

    visitor = Visitor()
    visitor.get(f"{site}{ADDRESS}/feedback")
    fields = {"text": "Hi", "contact_agreed": "yes", "contact_email": "jo@example.org"}
    assert visitor.post(f"{site}{ADDRESS}/feedback", fields).status == 303
    [item] = web_items(database)
    with database.transaction() as session:
        [created] = [
            entry
            for entry in audit_entries(session=session, limit=100)
            if entry.table_name == "feedback" and entry.record_id == str(item.id)
        ]
        assert (created.actor, created.action) == ("public", "create")
        assert "jo@example.org" not in str(created.change)
        erase_person(session=session, person=person_to_erase("jo@example.org", None), now=utc_now())
    [erased] = web_items(database)
    assert (erased.contact_email, erased.contact_agreed) == (None, False)


def test_an_organisation_of_the_register_is_linked_and_none_is_added_to_it(
    site: str, database: Database
) -> None:
    with database.transaction() as session:
        organisations_named(session=session, names=["Bank of England"])
        register = {o.name for o in session.exec(select(Organisation))}
    visitor = Visitor()
    for named in ("bank of england", "<!channel> Ltd"):
        visitor.get(f"{site}{ADDRESS}/feedback")
        assert (
            visitor.post(
                f"{site}{ADDRESS}/feedback", {"text": "Thanks", "organisation": named}
            ).status
            == 303
        )
    known, unknown = web_items(database)
    with database.transaction() as session:
        assert {o.name for o in session.exec(select(Organisation))} == register
        linked = session.get(Feedback, known.id)
        assert linked is not None and linked.organisation is not None
        assert linked.organisation.name == "Bank of England" and linked.text == "Thanks"
    assert unknown.organisation_id is None
    assert unknown.text == "Thanks\n\nTheir organisation, as they wrote it: <!channel> Ltd"
