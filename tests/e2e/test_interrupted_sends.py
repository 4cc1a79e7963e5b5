"""A send cut short by a crash: the next tick settles it from the conversation's history.

A process killed after Slack took a post but before it recorded it leaves the delivery
"sending". These tests put a delivery in that state (posted, or not), then tick: it must
end up sent exactly once. `test_replicas.py` does the same with real processes killed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.base.config import Settings
from bot.deliveries.trace import EVENT_TYPE
from bot.runtime.app import slack_client
from storage.clock import utc_now
from storage.database import Database
from storage.deliveries import SENDING, enqueue
from storage.models import Delivery
from tests.e2e.test_scheduler import (
    NOON,
    PLANNED,
    due,
    posts,
    scheduler,
    settings,  # noqa: F401  (the fixture)
    stored,
)
from tests.fake_slack import DROP, FakeSlack

pytestmark = pytest.mark.any_date

LEASE = timedelta(minutes=10)


def cut_short(database: Database, key: str, claimed: timedelta = LEASE * 2) -> None:
    """Leave `key` as a killed sender would: claimed `claimed` ago, still "sending"."""
    with database.transaction() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.key == key)
            .values(
                status=SENDING,
                claimed_at=utc_now() - claimed,
                claimed_by="gone-host:4242:dead",
                sent_at=None,
                message_channel=None,
                message_ts=None,
            )
        )


def queue(database: Database, *dues: object) -> None:
    with database.transaction() as session:
        enqueue(session=session, dues=dues)  # type: ignore[arg-type]


def test_every_post_carries_its_delivery_key_as_metadata(
    settings: Settings,  # noqa: F811
    database: Database,
    fake_slack: FakeSlack,
) -> None:
    PLANNED.append(due("a"))
    assert scheduler(settings, database).tick(NOON).sent == 1
    (post,) = fake_slack.calls("chat.postMessage")
    assert post.args["metadata"] == {"event_type": EVENT_TYPE, "event_payload": {"key": "a"}}


def test_a_send_cut_short_after_slack_took_it_is_marked_sent_and_not_repeated(
    settings: Settings,  # noqa: F811
    database: Database,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    PLANNED.append(due("a"))
    assert scheduler(settings, database).tick(NOON).sent == 1
    (post,) = fake_slack.calls("chat.postMessage")
    cut_short(database, "a")
    # Others posted to the channel since: the history is read a page at a time.
    monkeypatch.setattr("bot.deliveries.trace.PAGE", 2)
    client = slack_client(settings, settings.bot_token)
    for number in range(5):
        client.chat_postMessage(channel="CSUBS", text=f"chatter {number}")
    later = scheduler(settings, database, lease=LEASE)
    assert later.tick(NOON + timedelta(hours=1)).sent == 0
    assert posts(fake_slack) == ["note a"] + [f"chatter {number}" for number in range(5)]
    delivery = stored(database, "a")
    assert (delivery.status, delivery.message_channel) == ("sent", "CSUBS")
    assert delivery.message_ts == post.response["ts"]
    assert len(fake_slack.calls("conversations.history")) == 3  # 6 messages, 2 a page


def test_a_send_cut_short_before_the_post_is_sent_once(
    settings: Settings,  # noqa: F811
    database: Database,
    fake_slack: FakeSlack,
) -> None:
    queue(database, due("a"))
    cut_short(database, "a")
    outcome = scheduler(settings, database, lease=LEASE).tick(NOON + timedelta(hours=1))
    assert outcome.sent == 1
    assert posts(fake_slack) == ["note a"]
    (looked,) = fake_slack.calls("conversations.history")
    assert looked.args["channel"] == "CSUBS" and looked.args["include_all_metadata"] == "1"
    assert stored(database, "a").status == "sent"


def test_a_direct_message_is_looked_for_in_the_conversation_with_that_person(
    settings: Settings,  # noqa: F811
    database: Database,
    fake_slack: FakeSlack,
) -> None:
    PLANNED.append(due("dm", target="U0042"))
    assert scheduler(settings, database).tick(NOON).sent == 1
    cut_short(database, "dm")
    assert scheduler(settings, database, lease=LEASE).tick(NOON).sent == 0
    assert [call.args["channel"] for call in fake_slack.calls("conversations.history")] == ["D0042"]
    delivery = stored(database, "dm")
    assert (delivery.status, delivery.message_channel) == ("sent", "D0042")
    assert posts(fake_slack) == ["note dm"]


def test_a_send_still_within_its_lease_is_left_to_its_sender(
    settings: Settings,  # noqa: F811
    database: Database,
    fake_slack: FakeSlack,
) -> None:
    queue(database, due("a"))
    cut_short(database, "a", claimed=timedelta(minutes=1))
    assert scheduler(settings, database, lease=LEASE).tick(NOON).sent == 0
    assert fake_slack.calls("conversations.history") == [] and posts(fake_slack) == []
    assert stored(database, "a").status == "sending"


def test_when_the_history_cannot_be_read_the_delivery_is_neither_lost_nor_repeated(
    settings: Settings,  # noqa: F811
    database: Database,
    fake_slack: FakeSlack,
) -> None:
    queue(database, due("a"))
    cut_short(database, "a")
    fake_slack.fail_next("conversations.history", "missing_scope")
    ticking = scheduler(settings, database, lease=timedelta(seconds=1))
    assert ticking.tick(NOON).sent == 0
    assert stored(database, "a").status == "sending" and posts(fake_slack) == []
    cut_short(database, "a")  # a lease later, the history can be read
    assert ticking.tick(NOON).sent == 1
    assert posts(fake_slack) == ["note a"]


# A post that gets no answer (the connection dropped, or timed out) may or may not have
# reached Slack: it is looked for in the conversation, never sent again blind.


def test_a_post_whose_answer_is_lost_is_found_and_not_sent_again(
    settings: Settings,  # noqa: F811
    database: Database,
    fake_slack: FakeSlack,
) -> None:
    PLANNED.append(due("a"))
    fake_slack.lose_answer("chat.postMessage")
    assert scheduler(settings, database).tick(NOON).sent == 1
    (post,) = fake_slack.calls("chat.postMessage")
    assert posts(fake_slack) == ["note a"]
    delivery = stored(database, "a")
    assert (delivery.status, delivery.message_ts) == ("sent", post.response["ts"])
    assert len(fake_slack.calls("conversations.history")) == 1


def test_a_post_dropped_before_slack_took_it_is_sent_once_later(
    settings: Settings,  # noqa: F811
    database: Database,
    fake_slack: FakeSlack,
) -> None:
    PLANNED.append(due("a"))
    fake_slack.fail_next("chat.postMessage", status=DROP)
    ticking = scheduler(settings, database)
    assert ticking.tick(NOON).sent == 0
    delivery = stored(database, "a")
    assert delivery.status == "pending" and "connection failed" in (delivery.last_error or "")
    assert posts(fake_slack) == []
    assert ticking.tick(NOON + timedelta(hours=1)).sent == 1
    assert posts(fake_slack) == ["note a"]


def test_a_lost_answer_that_cannot_be_checked_waits_for_the_lease(
    settings: Settings,  # noqa: F811
    database: Database,
    fake_slack: FakeSlack,
) -> None:
    PLANNED.append(due("a"))
    fake_slack.lose_answer("chat.postMessage")
    fake_slack.fail_next("conversations.history", "missing_scope")
    assert scheduler(settings, database).tick(NOON).sent == 0
    assert stored(database, "a").status == "sending"
    cut_short(database, "a")  # a lease later, the history can be read
    assert scheduler(settings, database, lease=LEASE).tick(NOON).sent == 0
    assert stored(database, "a").status == "sent" and posts(fake_slack) == ["note a"]
