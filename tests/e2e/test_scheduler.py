"""The delivery engine against the Slack stand-in: once only, catch-up, and every Slack fault.

A test kind stands in for the features' messages, so these tests pin the engine's own
promises; each feature's tests cover its wording and timing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.base.config import Settings
from bot.deliveries.scheduler import DeliveryKind, Message, Outcome, Scheduler
from bot.runtime.app import slack_client
from bot.runtime.cli import main
from bot.runtime.ticker import Ticker
from storage.clock import Clock
from storage.database import Database
from storage.deliveries import Due
from storage.models import Delivery, Subscription
from tests.conftest import test_settings
from tests.e2e.helpers import make_team
from tests.fake_slack import FakeSlack

NOON = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
PLANNED: list[Due] = []  # what the test kind's plan says is due, set by each test


def _plan(session: Session, at: datetime, zone: ZoneInfo) -> Iterable[Due]:
    return [due for due in PLANNED if due.due_at <= at]


def _render(session: Session, delivery: Delivery, zone: ZoneInfo, at: datetime) -> Message | None:
    if delivery.note == "stale":
        return None
    return {"text": f"note {delivery.key}"}


TEST_KIND = DeliveryKind("test_note", "a test note", _render, _plan)


def due(key: str, target: str = "CSUBS", team_id: int | None = None, **fields: object) -> Due:
    return Due(key=key, kind="test_note", target=target, due_at=NOON, team_id=team_id, **fields)


@pytest.fixture
def settings(fake_slack: FakeSlack, database_url: str) -> Iterator[Settings]:
    PLANNED.clear()
    yield test_settings(fake_slack, database_url)
    PLANNED.clear()


def scheduler(settings: Settings, database: Database, **options: object) -> Scheduler:
    return Scheduler(
        database=database,
        client=slack_client(settings, settings.bot_token),
        kinds=[TEST_KIND],
        timezone=settings.timezone,
        pace_seconds=0,
        **options,  # type: ignore[arg-type]
    )


def posts(fake_slack: FakeSlack, channel: str | None = None) -> list[str]:
    """Texts of the messages Slack accepted (to `channel`, when given)."""
    return [
        call.args["text"]
        for call in fake_slack.calls("chat.postMessage")
        if call.response.get("ok") and channel in (None, call.args["channel"])
    ]


def stored(database: Database, key: str) -> Delivery:
    with database.transaction() as session:
        return session.exec(select(Delivery).where(Delivery.key == key)).one()


def test_a_delivery_goes_out_once_however_often_the_tick_runs(
    settings: Settings, database: Database, fake_slack: FakeSlack
) -> None:
    PLANNED.append(due("a"))
    first = scheduler(settings, database)
    assert first.tick(NOON - timedelta(seconds=1)).sent == 0  # not due yet
    assert first.tick(NOON).sent == 1
    assert first.tick(NOON).sent == 0
    # A restart: a new process's scheduler and connection find it already sent.
    restarted = scheduler(settings, Database(settings.database_url))
    assert restarted.tick(NOON + timedelta(hours=1)).sent == 0
    assert posts(fake_slack) == ["note a"]
    delivery = stored(database, "a")
    assert (delivery.status, delivery.attempts, delivery.message_channel) == ("sent", 1, "CSUBS")


def test_two_schedulers_ticking_at_the_same_instant_send_each_once(
    settings: Settings, database: Database, fake_slack: FakeSlack
) -> None:
    PLANNED.extend(due(f"k{number}", target=f"C{number % 3}") for number in range(12))
    schedulers = [scheduler(settings, Database(settings.database_url)) for _ in range(3)]
    start = threading.Barrier(len(schedulers))
    sent = []

    def tick(each: Scheduler) -> None:
        start.wait()
        sent.append(each.tick(NOON).sent)

    threads = [threading.Thread(target=tick, args=(each,)) for each in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent) == 12
    assert sorted(posts(fake_slack)) == sorted(f"note k{number}" for number in range(12))


def test_a_delivery_no_longer_relevant_is_skipped_not_sent(
    settings: Settings, database: Database, fake_slack: FakeSlack
) -> None:
    PLANNED.append(due("old", note="stale"))
    outcome = scheduler(settings, database).tick(NOON)
    assert (outcome.sent, outcome.skipped) == (0, 1)
    assert posts(fake_slack) == []
    assert stored(database, "old").last_error == "no longer relevant"


def test_rate_limited_waits_for_retry_after_then_sends(
    settings: Settings, database: Database, fake_slack: FakeSlack
) -> None:
    PLANNED.append(due("a"))
    fake_slack.fail_next(
        "chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "1"}
    )
    assert scheduler(settings, database).tick(NOON).sent == 1
    attempts = fake_slack.calls("chat.postMessage")
    assert [call.response.get("ok") for call in attempts] == [False, True]
    assert posts(fake_slack) == ["note a"]


def test_a_retry_after_longer_than_a_post_may_wait_gives_the_delivery_back_until_then(
    settings: Settings, database: Database, fake_slack: FakeSlack, clock: Clock
) -> None:
    PLANNED.append(due("a"))
    fake_slack.fail_next(
        "chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "20"}
    )
    clock.move_to(NOON)
    # The post may wait out a quarter of the lease: 2 s.
    ticking = scheduler(settings, database, lease=timedelta(seconds=8))
    outcome = ticking.tick(NOON)
    assert (outcome.sent, outcome.retrying, outcome.failed) == (0, 1, 0)
    waiting = stored(database, "a")
    assert (waiting.status, waiting.attempts) == ("pending", 0)  # no attempt counted
    assert waiting.last_error == "ratelimited (HTTP 429): Slack asked to wait 20 s"
    assert NOON + timedelta(seconds=20) <= waiting.next_attempt_at < NOON + timedelta(seconds=21)
    clock.move_to(NOON + timedelta(seconds=19))
    assert ticking.tick(clock.now()).sent == 0
    clock.move_to(NOON + timedelta(seconds=21))
    assert ticking.tick(clock.now()).sent == 1
    assert posts(fake_slack) == ["note a"]
    assert stored(database, "a").attempts == 1


def test_a_delivery_taken_over_while_its_sender_waited_is_not_posted_by_that_sender(
    settings: Settings, database: Database, fake_slack: FakeSlack, clock: Clock
) -> None:
    # The first sender is held up before its post (joining the channel, here) past its
    # lease; another takes the delivery over and posts it. The first, renewing its claim
    # just before posting, finds it gone and posts nothing.
    PLANNED.append(due("a"))
    fake_slack.fail_next("chat.postMessage", "not_in_channel")
    joining = fake_slack.hold("conversations.info")
    clock.move_to(NOON)
    lease = timedelta(seconds=8)
    outcomes: list[Outcome] = []
    first = threading.Thread(
        target=lambda: outcomes.append(scheduler(settings, database, lease=lease).tick(NOON))
    )
    first.start()
    fake_slack.wait_for("conversations.info")
    clock.move_by(lease + timedelta(seconds=1))
    other = scheduler(settings, Database(settings.database_url), lease=lease)
    assert other.tick(clock.now()).sent == 1
    joining.set()
    first.join(timeout=30)
    assert posts(fake_slack) == ["note a"]
    assert outcomes[0].sent == 0
    assert stored(database, "a").status == "sent"


def test_server_errors_are_retried_then_left_pending_for_a_later_tick(
    settings: Settings, database: Database, fake_slack: FakeSlack
) -> None:
    PLANNED.append(due("a"))
    # One 502 is retried at once; three in a row outlast the client's retries.
    fake_slack.fail_next("chat.postMessage", "bad_gateway", status=502, times=3)
    ticking = scheduler(settings, database)
    outcome = ticking.tick(NOON)
    assert (outcome.sent, outcome.retrying) == (0, 1)
    pending = stored(database, "a")
    assert pending.status == "pending" and pending.last_error == "bad_gateway (HTTP 502)"
    assert ticking.tick(NOON + timedelta(minutes=1)).sent == 0  # backing off
    assert ticking.tick(NOON + timedelta(minutes=2)).sent == 1
    assert posts(fake_slack) == ["note a"]


def test_after_the_last_attempt_it_fails_visibly_and_the_team_is_told(
    settings: Settings, database: Database, fake_slack: FakeSlack
) -> None:
    team_id = make_team(database)
    PLANNED.append(due("a", team_id=team_id))
    fake_slack.fail_next("chat.postMessage", "internal_error", status=500, times=6)
    ticking = scheduler(settings, database, max_attempts=2)
    assert ticking.tick(NOON).retrying == 1
    assert ticking.tick(NOON + timedelta(hours=1)).failed == 1
    assert ticking.tick(NOON + timedelta(hours=2)).sent == 0  # given up: not retried
    failed = stored(database, "a")
    assert (failed.status, failed.attempts) == ("failed", 2)
    (told,) = posts(fake_slack, "CPRICES")
    assert "gave up posting a test note to <#CSUBS> after 2 attempts" in told


def test_a_connection_failure_leaves_the_delivery_pending(
    settings: Settings, database: Database, fake_slack: FakeSlack
) -> None:
    PLANNED.append(due("a"))
    unreachable = settings.model_copy(update={"slack_api_url": "http://127.0.0.1:9/api/"})
    assert scheduler(unreachable, database).tick(NOON).retrying == 1
    pending = stored(database, "a")
    assert pending.status == "pending" and pending.last_error.startswith("connection failed")
    assert scheduler(settings, database).tick(NOON + timedelta(hours=1)).sent == 1


def test_not_in_a_public_channel_joins_it_and_posts(
    settings: Settings, database: Database, fake_slack: FakeSlack
) -> None:
    PLANNED.append(due("a"))
    fake_slack.fail_next("chat.postMessage", "not_in_channel")
    assert scheduler(settings, database).tick(NOON).sent == 1
    assert [call.args["channel"] for call in fake_slack.calls("conversations.join")] == ["CSUBS"]
    assert posts(fake_slack) == ["note a"]


def test_not_in_a_private_channel_tells_the_team_once_and_keeps_trying(
    settings: Settings, database: Database, fake_slack: FakeSlack
) -> None:
    team_id = make_team(database)
    PLANNED.append(due("a", target="GPRIVATE", team_id=team_id))
    fake_slack.set_channel("GPRIVATE", is_private=True, is_member=False)
    fake_slack.fail_next("chat.postMessage", "not_in_channel", times=2, channel="GPRIVATE")
    ticking = scheduler(settings, database)
    assert ticking.tick(NOON).retrying == 1
    assert ticking.tick(NOON + timedelta(hours=1)).retrying == 1
    assert fake_slack.calls("conversations.join") == []
    (told,) = posts(fake_slack, "CPRICES")
    assert "<#GPRIVATE>: it is private and I am not a member" in told
    # Once invited, the next attempt goes through.
    assert ticking.tick(NOON + timedelta(hours=2)).sent == 1
    assert posts(fake_slack, "GPRIVATE") == ["note a"]


@pytest.mark.parametrize(
    ("error", "said"), [("channel_not_found", "was not found"), ("is_archived", "was archived")]
)
def test_a_channel_gone_ends_its_subscriptions_and_the_team_is_told(
    settings: Settings, database: Database, fake_slack: FakeSlack, error: str, said: str
) -> None:
    team_id = make_team(database)
    with database.transaction() as session:
        session.add(Subscription(channel_id="CGONE", team_id=team_id, created_by="U1"))
        session.add(Subscription(channel_id="CSTAYS", team_id=team_id, created_by="U1"))
    PLANNED.append(due("a", target="CGONE", team_id=team_id))
    fake_slack.fail_next("chat.postMessage", error)
    outcome = scheduler(settings, database).tick(NOON)
    assert outcome.failed == 1
    with database.transaction() as session:
        active = {s.channel_id: s.active for s in session.exec(select(Subscription)).all()}
        ended = session.exec(select(Subscription).where(Subscription.channel_id == "CGONE")).one()
    assert active == {"CGONE": False, "CSTAYS": True}
    assert ended.ended_reason == error
    (told,) = posts(fake_slack, "CPRICES")
    assert f"<#CGONE> {said}" in told and "/engage subscribe" in told


def test_posts_to_one_channel_are_a_second_apart(
    settings: Settings, database: Database, fake_slack: FakeSlack
) -> None:
    PLANNED.extend([due("a"), due("b"), due("c", target="COTHER")])
    waits: list[float] = []
    paced = Scheduler(
        database=database,
        client=slack_client(settings, settings.bot_token),
        kinds=[TEST_KIND],
        timezone=settings.timezone,
        pace_seconds=1.0,
        sleep=waits.append,
    )
    assert paced.tick(NOON).sent == 3
    # "a" and "c" go at once; "b" waits for the second that follows "a" in CSUBS.
    assert len(waits) == 1 and 0.5 < waits[0] <= 1.0


def tick_in_background(ticking: Scheduler, outcomes: list[Outcome]) -> threading.Thread:
    thread = threading.Thread(target=lambda: outcomes.append(ticking.tick(NOON)))
    thread.start()
    return thread


def test_a_tick_posts_to_several_channels_at_once(
    settings: Settings, database: Database, fake_slack: FakeSlack
) -> None:
    PLANNED.extend(due(f"k{number}", target=f"C{number}") for number in range(3))
    answer = fake_slack.hold("chat.postMessage", channel="C0")
    outcomes: list[Outcome] = []
    ticking = tick_in_background(scheduler(settings, database, threads=3), outcomes)
    try:
        # While Slack has not answered the post to C0, the other channels' are made.
        fake_slack.wait_for("chat.postMessage", count=3)
    finally:
        answer.set()
        ticking.join(timeout=30)
    assert outcomes[0].sent == 3
    assert sorted(posts(fake_slack)) == ["note k0", "note k1", "note k2"]


def test_one_channels_messages_go_one_at_a_time_in_the_order_claimed(
    settings: Settings, database: Database, fake_slack: FakeSlack
) -> None:
    PLANNED.extend(
        [due("a1", target="C1"), due("b", target="C2"), due("a2", target="C1"), due("a3", "C1")]
    )
    answer = fake_slack.hold("chat.postMessage", channel="C1")
    outcomes: list[Outcome] = []
    ticking = tick_in_background(scheduler(settings, database, threads=4), outcomes)
    try:
        fake_slack.wait_for("chat.postMessage", count=2)  # a1 (unanswered) and b
    finally:
        answered = time.monotonic()
        answer.set()
        ticking.join(timeout=30)
    assert outcomes[0].sent == 4
    assert posts(fake_slack, "C1") == ["note a1", "note a2", "note a3"]
    later = [call for call in fake_slack.calls("chat.postMessage") if call.args["channel"] == "C1"]
    assert all(call.arrived >= answered for call in later[1:])  # a2 only once a1 was answered


def test_a_429_holds_back_every_threads_next_post_in_the_workspace(
    settings: Settings, database: Database, fake_slack: FakeSlack
) -> None:
    """Slack's limits are per method and workspace: a 429 to one thread's post makes the
    others' wait its Retry-After too, not only its own retry."""
    fake_slack.fail_next(
        "chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "2"}, channel="C1"
    )
    client = scheduler(settings, database).client
    gate = client.rate_limits
    assert gate is not None
    first = threading.Thread(target=lambda: client.chat_postMessage(channel="C1", text="one"))
    first.start()
    (limited,) = fake_slack.wait_for("chat.postMessage")
    while not gate.remaining("chat.postMessage"):  # the 429 is being answered
        time.sleep(0.01)
    client.chat_postMessage(channel="C2", text="two")  # another thread of the same workspace
    first.join(timeout=30)
    calls = fake_slack.calls("chat.postMessage")
    other = next(call for call in calls if call.args["channel"] == "C2")
    assert other.arrived >= limited.arrived + 2
    assert sorted(posts(fake_slack)) == ["one", "two"]
    # Another method is not held back.
    assert gate.remaining("conversations.history") == 0


def test_engagebot_tick_runs_one_tick_as_of_the_moment_given(
    settings: Settings,
    database: Database,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("bot.runtime.app.DELIVERY_KINDS", (TEST_KIND,))
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": settings.database_url,
        "ENGAGEBOT_CHANNEL_PACE_SECONDS": "0",
    }.items():
        monkeypatch.setenv(name, value)
    PLANNED.append(due("a"))
    assert main(["tick", "--at", "2027-03-01T11:59:59Z"]) == 0
    assert main(["tick", "--at", "2027-03-01T13:00:00+01:00"]) == 0  # noon UTC
    assert main(["tick", "--at", "2027-03-01T12:00:00+00:00"]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said == [
        "Tick done: 0 sent, 0 to retry, 0 failed, 0 skipped.",
        "Tick done: 1 sent, 0 to retry, 0 failed, 0 skipped.",
        "Tick done: 0 sent, 0 to retry, 0 failed, 0 skipped.",
    ]
    assert posts(fake_slack) == ["note a"]
    assert main(["deliveries", "--pending"]) == 0
    assert capsys.readouterr().out == "No deliveries.\n"
    assert main(["deliveries"]) == 0
    assert "sent     test_note -> CSUBS  (a)  attempts: 1" in capsys.readouterr().out


@pytest.mark.parametrize("limit", ["0", "-3", "ten"])
def test_engagebot_deliveries_wants_a_limit_above_zero(
    limit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["deliveries", "--limit", limit])
    assert exited.value.code == 2
    assert f"{limit!r} is not a whole number above 0" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("moment", "said"),
    [
        ("tomorrow", "is not a moment like 2027-03-01T09:00:00+00:00"),
        ("2027-03-01T12:00:00", "needs its offset, e.g. +00:00 or Z"),
    ],
)
def test_engagebot_tick_refuses_a_moment_it_cannot_place(
    moment: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["tick", "--at", moment])
    assert exited.value.code == 2
    assert said in capsys.readouterr().err


def test_serve_ticks_on_its_own_clock(
    settings: Settings, database: Database, fake_slack: FakeSlack, clock: Clock
) -> None:
    PLANNED.append(due("a"))
    clock.move_to(NOON)  # "now" is noon on the day planned
    ticker = Ticker(scheduler(settings, database), every_seconds=1)
    ticker.start()
    try:
        fake_slack.wait_for("chat.postMessage")
    finally:
        ticker.stop()
    assert posts(fake_slack) == ["note a"]
