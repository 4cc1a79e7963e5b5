"""Nothing acknowledged is lost: a command Slack was answered for is kept before the answer,
and its work is finished exactly once, by the same process or, if it dies, by the next.

`engagebot serve` in a process of its own, killed (SIGKILL) with acknowledged commands
waiting for their work, then started again: every command is recorded once and its person
answered. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.base.logs import ContextExecutor
from bot.runtime.app import build_inbox
from bot.runtime.console.payloads import block_actions, slash_command
from bot.runtime.console.slack_standin import TEAM_ID
from handlers.views.limits import problems
from storage.clock import Clock
from storage.database import Database
from storage.inbox import CLAIMED, PENDING
from storage.models import Engagement, InboxItem
from tests.conftest import (
    SIGNING_SECRET,
    RunningBot,
    _empty_postgres,
    oauth_test_settings,
    test_settings,
)
from tests.e2e.helpers import (
    handed_back,
    make_team,
    reply_text,
    wait_for_empty_inbox,
    wait_for_reply,
)
from tests.e2e.installs import from_workspace, install
from tests.e2e.serve_process import (
    LogLines,
    free_port,
    killed_at_the_end,
    serve_environment,
    start_serve,
    wait_until_healthy,
)
from tests.fake_slack import FakeSlack
from tests.slack_requests import Response, SlackRequester

COMMANDS = 30  # more than the inbox claims at once (handlers/inbox.py: BATCH)
LEASE = timedelta(seconds=60)  # ENGAGEBOT_INBOX_LEASE_SECONDS' default
SECOND_WORKSPACE = "T0002"


@pytest.fixture
def postgres(postgres_url: str) -> Iterator[Database]:
    """The test database on PostgreSQL alone: several worker processes need it."""
    _empty_postgres(postgres_url)
    database = Database(postgres_url)
    yield database
    database.dispose()


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes started by the test; any still running at the end is killed."""
    with killed_at_the_end() as processes:
        yield processes


def serve(
    env: dict[str, str], tmp_path: Path, started: list[subprocess.Popen[str]], workers: int = 1
) -> tuple[subprocess.Popen[str], str]:
    process = start_serve(env, tmp_path, "--workers", str(workers))
    started.append(process)
    url = f"http://127.0.0.1:{env['PORT']}"
    wait_until_healthy(process, url)
    return process, url


def send_logs(url: str, fake_slack: FakeSlack, people: int = 1) -> None:
    """`/engage log Met user group N` for each N, each with its response_url rN, every one
    acknowledged: Slack will not send any of them again. From `people` people in turn."""
    requester = SlackRequester(url, SIGNING_SECRET)
    for number in range(COMMANDS):
        answer = requester.send(
            slash_command(
                f"log Met user group {number}",
                user_id=f"U{number % people + 1:04d}",
                channel_id="CPRICES",
                response_url=fake_slack.response_url(f"r{number}"),
            )
        )
        assert answer.status == 200, answer.body


def inbox(database: Database) -> list[Any]:
    """The inbox's rows, of every workspace."""
    with database.engine.connect() as connection:
        return list(connection.execute(select(InboxItem).order_by(InboxItem.id)))  # type: ignore[arg-type]


def summaries(database: Database) -> Counter[str]:
    with database.transaction() as session:
        return Counter(session.exec(select(Engagement.summary)).all())


def replies(fake_slack: FakeSlack) -> dict[str, list[str]]:
    """What each response_url (by name) was sent, in order."""
    sent: dict[str, list[str]] = {}
    for call in fake_slack.calls("response_url"):
        sent.setdefault(call.args["_name"], []).append(reply_text(call.args))
    return sent


@pytest.mark.slow
@pytest.mark.parametrize("restarted_after", [LEASE, timedelta(minutes=31)], ids=["lease", "url"])
def test_a_serve_killed_with_acknowledged_commands_waiting_finishes_each_once_when_started_again(
    fake_slack: FakeSlack,
    database: Database,
    database_url: str,
    tmp_path: Path,
    clock: Clock,
    started: list[subprocess.Popen[str]],
    restarted_after: timedelta,
) -> None:
    """The first command's answer is held by Slack, so the one worker stops there with the
    other commands in its queue; the process is killed. Started again once the lease has
    run out, it finishes each command left once (the first, saved, is not done again) and
    answers it: through its response_url, or, once that has expired (30 minutes), in a
    direct message."""
    make_team(database)
    env = {
        **serve_environment(tmp_path, fake_slack),
        "DATABASE_URL": database_url,
        "ENGAGEBOT_SCHEDULER": "off",
    }
    process, url = serve(env, tmp_path, started)
    held = fake_slack.hold("response_url")
    send_logs(url, fake_slack)
    fake_slack.wait_for("response_url")  # the first answer is on its way, and held
    process.kill()
    process.communicate(timeout=30)
    held.set()

    # The first was saved, and left the inbox as it was; every other command is still
    # there, held by the process that died, and not saved.
    kept = inbox(database)
    assert [item.status for item in kept] == [CLAIMED] * (COMMANDS - 1)
    assert kept[0].body["text"] == "log Met user group 1"
    assert all("token" not in item.body for item in kept)  # Slack's verification token
    assert summaries(database) == Counter({"Met user group 0": 1})

    clock.move_by(restarted_after + timedelta(seconds=1))
    again, _url = serve({**env, "PORT": str(free_port())}, tmp_path, started)
    log = LogLines(again)
    wait_for_empty_inbox(database, timeout=60)
    log.stop()  # once stopped, it has sent the answers too: each is sent after its save

    assert summaries(database) == Counter(f"Met user group {n}" for n in range(COMMANDS))
    answered = replies(fake_slack)
    if restarted_after == LEASE:
        assert {name: len(texts) for name, texts in answered.items()} == {
            f"r{number}": 1 for number in range(COMMANDS)
        }
        assert all("Logged" in text for texts in answered.values() for text in texts)
    else:
        # The response_urls had expired: each person is answered in a direct message.
        assert set(answered) == {"r0"}
        direct = [
            call.args
            for call in fake_slack.calls("chat.postMessage")
            if call.args["channel"] == "U0001"
        ]
        assert len(direct) == COMMANDS - 1
        assert all("Logged" in reply_text(message) for message in direct)


@pytest.mark.slow
def test_a_serve_killed_with_several_peoples_commands_in_hand_finishes_each_once(
    fake_slack: FakeSlack,
    database: Database,
    database_url: str,
    tmp_path: Path,
    clock: Clock,
    started: list[subprocess.Popen[str]],
) -> None:
    """Several command threads, three people: each person's first answer is held by Slack,
    so three threads stop there, each with that person's later commands waiting behind
    it; the process is killed. Started again once the lease has run out, it finishes each
    command left once, and answers it once."""
    make_team(database)
    env = {
        **serve_environment(tmp_path, fake_slack),
        "DATABASE_URL": database_url,
        "ENGAGEBOT_SCHEDULER": "off",
    }
    process, url = serve(env, tmp_path, started)
    held = [fake_slack.hold("response_url") for _ in range(3)]
    send_logs(url, fake_slack, people=3)
    fake_slack.wait_for("response_url", count=3)  # each person's first, saved, held
    process.kill()
    process.communicate(timeout=30)
    for each in held:
        each.set()
    firsts = Counter(f"Met user group {n}" for n in range(3))
    assert summaries(database) == firsts  # the rest waited their person's turn
    assert len(inbox(database)) == COMMANDS - 3

    clock.move_by(LEASE + timedelta(seconds=1))
    again, _url = serve({**env, "PORT": str(free_port())}, tmp_path, started)
    log = LogLines(again)
    wait_for_empty_inbox(database, timeout=60)
    log.stop()

    assert summaries(database) == Counter(f"Met user group {n}" for n in range(COMMANDS))
    assert {name: len(texts) for name, texts in replies(fake_slack).items()} == {
        f"r{number}": 1 for number in range(COMMANDS)
    }


@pytest.mark.slow
def test_a_worker_killed_with_acknowledged_commands_leaves_them_to_the_other_workers(
    fake_slack: FakeSlack,
    postgres: Database,
    tmp_path: Path,
    started: list[subprocess.Popen[str]],
) -> None:
    """Several worker processes on PostgreSQL: the one whose first answer Slack holds stops
    there with its share of the commands in its queue, and is killed (gunicorn starts
    another). Once their lease has run out another worker, the new one or the one still
    running, finishes each once."""
    database = postgres
    make_team(database)
    env = {
        **serve_environment(tmp_path, fake_slack),
        "DATABASE_URL": database.url,
        "ENGAGEBOT_SCHEDULER": "off",
        "ENGAGEBOT_INBOX_LEASE_SECONDS": "2",
    }
    process, url = serve(env, tmp_path, started, workers=2)
    log = LogLines(process)
    held = fake_slack.hold("response_url")
    send_logs(url, fake_slack)
    fake_slack.wait_for("response_url")

    def settled() -> set[int] | None:
        """The pids holding what is left in the inbox, once the other worker is done."""
        left = inbox(database)
        if left and len(left) + sum(summaries(database).values()) == COMMANDS:
            return {int(item.claimed_by.split(":")[1]) for item in left}
        return None

    deadline = time.monotonic() + 30
    while (holders := settled()) is None or len(holders) != 1:
        assert time.monotonic() < deadline, f"no single worker holds the rest: {holders}"
        time.sleep(0.05)
    (stuck,) = holders
    os.kill(stuck, signal.SIGKILL)
    held.set()
    wait_for_empty_inbox(database, timeout=60)
    log.stop()  # once stopped, its workers have sent the answers too

    assert summaries(database) == Counter(f"Met user group {n}" for n in range(COMMANDS))
    answered = replies(fake_slack)
    assert {name: len(texts) for name, texts in answered.items()} == {
        f"r{number}": 1 for number in range(COMMANDS)
    }
    assert all("Logged" in text for texts in answered.values() for text in texts)


# --- one process: a bounded queue in memory, the rest waiting in the database ---------------


@pytest.fixture
def small_queue(
    fake_slack: FakeSlack, database: Database, database_url: str
) -> Iterator[RunningBot]:
    """The bot holding at most two acknowledged requests in memory."""
    settings = test_settings(fake_slack, database_url, ENGAGEBOT_INBOX_QUEUE="2")
    running = RunningBot(settings, database, fake_slack)
    yield running
    running.stop()


def log(bot: RunningBot, text: str, name: str, user_id: str = "U0001") -> Response:
    answer = bot.requester.send(
        slash_command(
            f"log {text}",
            user_id=user_id,
            channel_id="CPRICES",
            response_url=bot.slack.response_url(name),
        )
    )
    assert answer.status == 200, answer.body
    return answer


def test_a_deep_backlog_is_told_it_is_queued_then_confirmed_and_memory_holds_no_more(
    small_queue: RunningBot,
) -> None:
    bot = small_queue
    make_team(bot.database)
    log_and_wait(bot, "Before", "before")  # (the team the person records for is known)
    held = [bot.slack.hold("response_url") for _ in range(2)]
    # Two people's: one person's commands are done one at a time, in order.
    first = log(bot, "First", "r0")
    second = log(bot, "Second", "r1", user_id="U0002")
    bot.slack.wait_for("response_url", count=3)  # their work is stuck answering
    later = [log(bot, f"Later {number}", f"r{number}") for number in range(2, 8)]
    # The first two are in memory and acknowledged as usual; the rest wait in the
    # database, their people told so at once.
    assert first.json is None and second.json is None
    for answer in later:
        assert answer.json is not None
        assert "engagebot is busy: `/engage log Later" in answer.json["text"]
        assert "is queued" in answer.json["text"] and problems(answer.json) == []
    # (The first two, saved, have left the inbox; their answers are held.)
    assert [item.status for item in inbox(bot.database)] == [PENDING] * 6

    for each in held:
        each.set()
    for number in range(8):
        assert "Logged" in reply_text(wait_for_reply(bot, f"r{number}"))
    wait_for_empty_inbox(bot.database)
    texts = ["Before", "First", "Second", *(f"Later {number}" for number in range(2, 8))]
    assert summaries(bot.database) == Counter(texts)
    assert {name: len(sent) for name, sent in replies(bot.slack).items()} == {
        "before": 1,
        **{f"r{number}": 1 for number in range(8)},
    }


def test_a_click_that_waits_in_the_database_is_done_once_when_its_turn_comes(
    small_queue: RunningBot,
) -> None:
    """Undo, clicked while the queue in memory is full: kept, then taken from the database
    through the app again, and done once."""
    bot = small_queue
    make_team(bot.database)
    undo = log_and_wait(bot, "To be undone", "r0")["blocks"][1]["elements"][1]
    held = [bot.slack.hold("response_url") for _ in range(2)]
    log(bot, "Holding the queue", "r1")
    log(bot, "Holding it too", "r2", user_id="U0002")
    bot.slack.wait_for("response_url", count=3)
    undo_url = bot.slack.response_url("undo")
    click = block_actions(undo["action_id"], undo["value"], response_url=undo_url, ephemeral=True)
    assert bot.requester.send(click).status == 200
    assert [item.status for item in inbox(bot.database)] == [PENDING]
    for each in held:
        each.set()
    done = wait_for_reply(bot, "undo")
    assert done["text"].startswith("Engagement #1 for Prices was deleted")
    wait_for_empty_inbox(bot.database)
    assert summaries(bot.database) == Counter(["Holding the queue", "Holding it too"])
    assert len(replies(bot.slack)["undo"]) == 1


def log_and_wait(bot: RunningBot, text: str, name: str) -> dict[str, Any]:
    """Log `text` and wait until it is done with: answered, and gone from the inbox (its
    room in memory free). The team the person records for is then remembered, too (two
    first recordings at once would each add it, and PostgreSQL refuse the second)."""
    log(bot, text, name)
    answer = wait_for_reply(bot, name)
    wait_for_empty_inbox(bot.database)
    return answer


def test_a_persons_commands_are_done_in_order_while_anothers_go_past(bot: RunningBot) -> None:
    """Several command threads: one person's commands one at a time, in the order they came
    (the second waits for the first's answer), while another person's is done meanwhile."""
    make_team(bot.database)
    held = bot.slack.hold("response_url")
    log(bot, "First of U0001", "a0")
    bot.slack.wait_for("response_url")  # saved, its answer held
    log(bot, "Second of U0001", "a1")
    log(bot, "Of U0002", "b0", user_id="U0002")
    assert "Logged" in reply_text(wait_for_reply(bot, "b0"))
    assert summaries(bot.database) == Counter(["First of U0001", "Of U0002"])
    held.set()
    assert "Logged" in reply_text(wait_for_reply(bot, "a1"))
    wait_for_empty_inbox(bot.database)
    with bot.database.transaction() as session:
        saved = session.exec(select(Engagement.summary).order_by(col(Engagement.id))).all()
    assert saved == ["First of U0001", "Of U0002", "Second of U0001"]


def test_an_answer_the_response_url_refuses_comes_as_a_direct_message(bot: RunningBot) -> None:
    make_team(bot.database)
    bot.slack.fail_next("response_url", "used_url", status=404)
    log(bot, "Met the RSS", "r0")
    (message,) = bot.slack.wait_for("chat.postMessage")
    assert message.args["channel"] == "U0001"
    assert "Logged" in reply_text(message.args)
    wait_for_empty_inbox(bot.database)
    assert summaries(bot.database) == Counter(["Met the RSS"])


def test_with_the_database_down_and_no_room_in_memory_the_text_comes_back_at_once(
    fake_slack: FakeSlack,
) -> None:
    """Nothing can be kept, and nothing more held in memory: the acknowledgement itself
    says nothing was recorded, with the command as typed."""
    url = "sqlite:////nonexistent-directory/engagebot.sqlite"
    database = Database(url)
    running = RunningBot(
        test_settings(fake_slack, url, ENGAGEBOT_INBOX_QUEUE="1"), database, fake_slack
    )
    try:
        held = fake_slack.hold("response_url")
        log(running, "Held in memory", "r0")  # its answer (nothing recorded) is held
        fake_slack.wait_for("response_url")
        answer = log(running, "Met the RSS &amp; friends", "r1")
        assert answer.json is not None
        assert "Nothing was recorded: the database could not keep" in answer.json["text"]
        assert handed_back(answer.json) == "/engage log Met the RSS & friends"
        held.set()
    finally:
        running.stop()
        database.dispose()


def test_a_command_waiting_in_the_database_is_done_in_its_own_workspace(
    fake_slack: FakeSlack, database: Database, database_url: str
) -> None:
    """With OAuth distribution, a request taken again from the database is authorised as it
    first was: its workspace's token, its workspace's records."""
    settings = oauth_test_settings(fake_slack, database_url, ENGAGEBOT_INBOX_QUEUE="2")
    bot = RunningBot(settings, database, fake_slack)
    try:
        for team_id in (TEAM_ID, SECOND_WORKSPACE):
            install(bot, team_id, f"Workspace {team_id}")
            make_team(database.in_workspace(team_id))
        send_from(bot, TEAM_ID, "First's 0", "r0")
        wait_for_reply(bot, "r0")  # (the team the person records for is remembered)
        wait_for_empty_inbox(database)  # and its room in memory free
        held = [fake_slack.hold("response_url") for _ in range(2)]
        for number, user_id in ((1, "U0001"), (2, "U0002")):  # two people's, side by side
            send_from(bot, TEAM_ID, f"First's {number}", f"r{number}", user_id)
        fake_slack.wait_for("response_url", count=3)
        send_from(bot, SECOND_WORKSPACE, "Second's", "second")
        assert [item.workspace_id for item in inbox(database)][-1] == SECOND_WORKSPACE
        for each in held:
            each.set()
        assert "Logged" in reply_text(wait_for_reply(bot, "second"))
        wait_for_empty_inbox(database)
        assert summaries(database.in_workspace(SECOND_WORKSPACE)) == Counter(["Second's"])
        assert summaries(database.in_workspace(TEAM_ID)) == Counter(
            ["First's 0", "First's 1", "First's 2"]
        )
    finally:
        bot.stop()


def send_from(bot: RunningBot, team_id: str, text: str, name: str, user_id: str = "U0001") -> None:
    command = slash_command(
        f"log {text}",
        user_id=user_id,
        channel_id="CPRICES",
        response_url=bot.slack.response_url(name),
    )
    assert bot.requester.send(from_workspace(command, team_id)).status == 200


def test_a_request_whose_lease_runs_out_while_in_hand_is_done_and_answered_once(
    fake_slack: FakeSlack, database: Database, database_url: str, clock: Clock
) -> None:
    """The process's recovery takes over a request the same process holds in memory, its
    lease run out while it waited its turn: a claim of its own, so the copy in memory (whose
    claim has gone) does nothing, and the person is answered once."""
    settings = test_settings(fake_slack, database_url)
    pool = ContextExecutor(max_workers=1)  # one thread: the second request waits its turn
    inbox = build_inbox(settings, database, pool)
    bot = RunningBot(settings, database, fake_slack, inbox=inbox)
    try:
        make_team(database)
        log_and_wait(bot, "Before", "before")
        held = fake_slack.hold("response_url")
        log(bot, "Holding the thread", "r0")
        fake_slack.wait_for("response_url", count=2)  # the thread is stuck answering it
        log(bot, "Waiting its turn", "r1")
        clock.move_by(LEASE + timedelta(seconds=1))
        assert inbox.take_waiting(least=1) == 1  # its own request, taken over
        held.set()
        assert "Logged" in reply_text(wait_for_reply(bot, "r1"))
        wait_for_empty_inbox(database)
        pool.shutdown(wait=True)
        assert summaries(database) == Counter(["Before", "Holding the thread", "Waiting its turn"])
        assert len(replies(fake_slack)["r1"]) == 1
    finally:
        bot.stop()
