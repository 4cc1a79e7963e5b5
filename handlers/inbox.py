"""Nothing acknowledged is lost: a request whose work runs after `ack()` is kept in the
database first, and its work is taken from there (the table: `storage/inbox.py`).

A listener hands its work to the inbox it is given (`inbox`, put into every listener's
arguments by the middleware in `bot/runtime/app.py`): `inbox.take(context, body, work)`. In the
listener's thread the inbox writes the request down (one statement), then acknowledges
it, then queues `work(database, respond)` on its pool, in a lane of the person's (their
requests done one at a time, in the order this process took them; different people's side
by side: `bot/base/lanes.py`), bounded: `ENGAGEBOT_INBOX_QUEUE` requests in hand at most,
the rest left pending in the database, their commands acknowledged as queued. The work
runs with a `database` whose first write commits only together with the item's deletion
(`Database.working_on`), and a `respond` that falls back to a direct message
(`LateReply`); work that writes nothing deletes the item at its end.

Items no process holds (pending, or held by a process that stopped: its lease ran out)
are claimed as room frees up, and every few seconds by `serve` (`start`). Their requests
are dispatched through the Bolt app again as they came (`mode="socket_mode"`: checked when
they first arrived), so the same middleware and listener do the work: the listener's
`inbox` is then a `Replay`, which runs the work at once, on the thread replaying it (the
listener pool runs the listener there: `ListenerPool`).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from slack_bolt import App, BoltContext, BoltRequest, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from bot.base.lanes import LaneExecutor
from bot.base.logs import request_context
from handlers.acting import request_origin
from handlers.errors import report_failure
from handlers.views.inbox import (
    gave_up_message,
    queued_message,
    unkept_message,
)
from storage.clock import utc_now
from storage.database import Database
from storage.inbox import (
    Claim,
    ClaimLost,
    Holding,
    Waiting,
    claim_waiting,
    finish,
    hold,
    receive,
)

logger = logging.getLogger(__name__)

# Slack takes a response_url's posts for 30 minutes (5 at most): after that, a direct message.
RESPONSE_URL_LIFE = timedelta(minutes=29)
# A request that stopped its process this many times is given up, the person told.
MOST_ATTEMPTS = 5
# How often `serve` looks for requests no process holds (a process stopped with them).
RECOVERY_SECONDS = 5.0
# The most requests claimed from the database at once.
BATCH = 20
# Secrets a request body carries that the inbox must not keep: the app's verification token.
SECRETS = frozenset({"token"})

Work = Callable[[Database, Respond], None]
Lane = tuple[str, str]  # a person's requests, one at a time: (workspace, user)

_replaying = threading.local()


class Taking(Protocol):
    """What a listener hands its work to: the `Inbox`, or a `Replay` of the request."""

    def take(self, context: BoltContext, body: dict[str, Any], work: Work) -> None: ...


class Inbox:
    """One process's way in to the inbox: it keeps what its listeners acknowledge, holds at
    most `capacity` of them in memory, and takes over what no process holds."""

    def __init__(
        self, database: Database, pool: Executor, *, capacity: int, lease: timedelta
    ) -> None:
        self.database = database  # its engine: the claims span every workspace
        self.lease = lease
        self._process = f"{socket.gethostname()[:50]}:{os.getpid()}"
        self._lanes = LaneExecutor(pool)  # one a person: their requests in order
        self._free = capacity  # room in memory: requests in hand, up to `capacity`
        self._lock = threading.Lock()
        # Room enough to claim requests from the database for: a batch, not one at a time.
        self._refill = max(1, min(BATCH, capacity // 4))
        # Set while requests may be waiting in the database for this process to take.
        self._backlog = threading.Event()
        self._app: App | None = None
        self._stopping = threading.Event()
        self._recovery: threading.Thread | None = None

    def replays_through(self, app: App) -> None:
        """Requests taken from the database are dispatched through `app` again."""
        self._app = app

    # --- a request as it comes ------------------------------------------------------------

    def take(self, context: BoltContext, body: dict[str, Any], work: Work) -> None:
        """Keep the request, acknowledge it, and have `work` done once, after the ack.

        Kept in hand (there is room in memory, and no backlog), its work is queued on the
        inbox's pool; kept pending, a command is acknowledged as queued, and its work done
        when its turn comes. Not kept (the database is down), its work is done from memory
        as it comes, and tells the person what failed; with no room in memory either, the
        acknowledgement says nothing was recorded."""
        in_hand = not self._backlog.is_set() and self._reserve(1) == 1
        received_at = utc_now()
        try:
            kept = self._keep(context, body, in_hand)
        except SQLAlchemyError as error:
            context.logger.exception("could not keep the request in the inbox")
            if not in_hand:
                context.ack(**unkept_message(error, body))
                return
            context.ack()
            self._submit(_person(context), self._unkept, context, body, work)
            return
        if not isinstance(kept, Claim):
            self._backlog.set()
            context.ack(**(queued_message(body) or {}))
            self.take_waiting(least=1)
            return
        context.ack()
        self._submit(_person(context), self._in_hand, kept, context, body, work, received_at)

    def _keep(self, context: BoltContext, body: dict[str, Any], in_hand: bool) -> Claim | int:
        """Write the request down: one statement, in the listener's thread, while Bolt waits
        to see it acknowledged (it looks every 10 ms)."""
        database: Database = context["database"]

        def insert() -> Claim | int:
            with one_statement(database) as connection:
                return receive(
                    connection=connection,
                    workspace_id=database.workspace_id,
                    body={key: value for key, value in body.items() if key not in SECRETS},
                    origin=request_origin(body),
                    user_id=context.user_id or "unknown",
                    claimant=self._claimant() if in_hand else None,
                )

        return insert()

    def _in_hand(
        self,
        claim: Claim,
        context: BoltContext,
        body: dict[str, Any],
        work: Work,
        received_at: datetime,
    ) -> None:
        left = False
        try:
            left = self.do(claim, context, body, work, received_at=received_at, waited=True)
        finally:
            self._make_room()  # first: once the inbox is empty, there is room
        if left:
            self.forget(claim)

    def _unkept(self, context: BoltContext, body: dict[str, Any], work: Work) -> None:
        try:
            work(context["database"], context.respond)  # type: ignore[arg-type]  # set for every request a listener takes
        except Exception as error:
            report_failure(error, body, context.logger)
        finally:
            self._make_room()

    # --- the work, under a claim ------------------------------------------------------------

    def do(
        self,
        claim: Claim,
        context: BoltContext,
        body: dict[str, Any],
        work: Work,
        *,
        received_at: datetime,
        waited: bool = False,
    ) -> bool:
        """Do the work of the item `claim` holds (since `received_at`, if it `waited` in
        memory) and answer the person; whether the item is left to forget (its work saved
        nothing), rather than gone with the work's first write, or taken over meanwhile."""
        log = context.logger
        if waited and utc_now() - received_at > self.lease / 2:
            try:  # it waited: renew the lease, unless another process has taken it over
                with one_statement(self.database) as connection:
                    if not hold(connection=connection, claim=claim):
                        log.info("inbox item #%s was taken over while waiting", claim.item_id)
                        return False
            except SQLAlchemyError:
                log.warning("could not renew inbox item #%s; left for later", claim.item_id)
                return False
        holding = Holding(claim)
        try:
            # LateReply is called as Respond is, with the message's fields.
            late = LateReply(context, received_at)
            work(context["database"].working_on(holding), late)  # type: ignore[arg-type]
        except ClaimLost:  # taken over while working: the process that holds it does it
            log.warning("inbox item #%s was taken over while being done", claim.item_id)
            return False
        except Exception as error:
            report_failure(error, body, log)
        return not holding.done

    def forget(self, claim: Claim) -> None:
        """The item's work is done, having saved nothing (or it is given up): delete it."""
        try:
            with one_statement(self.database) as connection:
                finish(connection=connection, claim=claim)
        except SQLAlchemyError:
            logger.warning(
                "could not clear inbox item #%s: it will be done again after the lease",
                claim.item_id,
                exc_info=True,
            )

    # --- requests no process holds --------------------------------------------------------

    def take_waiting(self, least: int | None = None) -> int:
        """Claim requests waiting in the database (pending, or held by a process that
        stopped), as many as there is room for (if room for `least` at least: a batch,
        unless said), and queue them; how many."""
        if self._app is None or self._stopping.is_set():
            return 0
        room = self._reserve(BATCH, least=self._refill if least is None else least)
        if room == 0:
            return 0
        self._backlog.clear()  # before claiming: a request kept meanwhile sets it again
        claimant = self._claimant()
        try:
            writer = self.database.sqlite_writer or nullcontext()
            with writer, self.database.engine.begin() as connection:
                items = claim_waiting(
                    connection=connection,
                    stale_before=utc_now() - self.lease,
                    limit=room,
                    claimant=claimant,
                )
        except SQLAlchemyError:
            logger.warning("could not look for requests waiting in the inbox", exc_info=True)
            items = []
            self._backlog.set()
        if len(items) == room:
            self._backlog.set()  # there may be more
        self._release(room - len(items))
        for item in items:  # oldest first: each person's in the order they came
            lane = (item.workspace_id, item.user_id)
            self._submit(lane, self._replay, Claim(item.id, claimant), item)
        return len(items)

    def _claimant(self) -> str:
        """A claimant of its own for each claim (host:pid:token): when this process takes
        over a request whose lease ran out while it held it in memory, the copy in memory
        has lost its claim, and does nothing."""
        return f"{self._process}:{secrets.token_hex(4)}"

    def _replay(self, claim: Claim, item: Waiting) -> None:
        replay = Replay(self, claim, item)
        with request_context(f"inbox-{item.id}"):
            try:
                with _replaying_here():
                    assert self._app is not None
                    self._app.dispatch(
                        BoltRequest(body=item.body, mode="socket_mode", context={"inbox": replay})
                    )
            finally:
                self._make_room()  # first: once the inbox is empty, there is room
            if not replay.taken:  # refused on the way (no longer installed, an outsider)
                logger.warning("inbox item #%s was not taken again by any listener", item.id)
            if replay.left or not replay.taken:
                self.forget(claim)

    # --- room in memory -----------------------------------------------------------------

    def _reserve(self, most: int, *, least: int = 1) -> int:
        """Take up to `most` places in memory, if `least` are free; how many were taken."""
        with self._lock:
            if self._free < least:
                return 0
            taken = min(most, self._free)
            self._free -= taken
            return taken

    def _release(self, places: int) -> None:
        with self._lock:
            self._free += places

    def _make_room(self) -> None:
        self._release(1)
        if self._backlog.is_set():
            self.take_waiting()

    def _submit(self, lane: Lane, function: Callable[..., None], *args: Any) -> None:
        try:
            self._lanes.submit(lane, partial(function, *args))
        except RuntimeError:  # the pool is shutting down: whatever it held waits its lease
            self._release(1)

    # --- in `serve` -----------------------------------------------------------------------

    def start(self, seconds: float = RECOVERY_SECONDS) -> None:
        """Take what other processes left now, then every `seconds`, until `stop`."""

        def recover() -> None:
            while not self._stopping.is_set():
                try:
                    with request_context("inbox-recovery"):
                        if taken := self.take_waiting(least=1):
                            logger.info("took %d request(s) waiting in the inbox", taken)
                except Exception:  # never stop looking
                    logger.exception("looking for requests waiting in the inbox failed")
                self._stopping.wait(seconds)

        self._recovery = threading.Thread(target=recover, name="inbox-recovery", daemon=True)
        self._recovery.start()

    def stop(self) -> None:
        """Take no more from the database: what is there waits for the next process."""
        self._stopping.set()
        if self._recovery is not None:
            self._recovery.join(timeout=10)


class Replay:
    """The `inbox` a request dispatched again from the database hands its work to: done at
    once, on this thread, under the claim already made."""

    def __init__(self, inbox: Inbox, claim: Claim, item: Waiting) -> None:
        self.inbox = inbox
        self.claim = claim
        self.item = item
        self.taken = False
        self.left = False  # done (or given up) with the item still there: to forget

    def take(self, context: BoltContext, body: dict[str, Any], work: Work) -> None:
        context.ack()  # answers only this dispatch: Slack had its answer when it came
        self.taken = True
        if self.item.attempts > MOST_ATTEMPTS:
            context.logger.error(
                "inbox item #%s was taken over %s times, its process stopping each time; given up",
                self.item.id,
                self.item.attempts,
            )
            LateReply(context, self.item.received_at)(**gave_up_message(body))
            self.left = True
            return
        self.left = self.inbox.do(
            self.claim, context, body, work, received_at=self.item.received_at
        )


class LateReply:
    """`respond` for work done from the inbox: through the request's response_url while
    Slack takes it (for 30 minutes after the request), else, or if Slack refuses it, as a
    direct message to the person."""

    def __init__(self, context: BoltContext, received_at: datetime) -> None:
        self._respond: Respond | None = context.respond if context.response_url else None
        self._client: WebClient = context.client
        self._user_id = context.user_id
        self._logger = context.logger
        self._received_at = received_at

    def __call__(self, **message: Any) -> Any:
        if self._respond is not None and utc_now() - self._received_at < RESPONSE_URL_LIFE:
            try:
                answer = self._respond(**message)
                if answer.status_code == 200:
                    return answer
                self._logger.warning(
                    "the response_url answered %s; sending a direct message", answer.status_code
                )
            except Exception:
                self._logger.warning("could not post to the response_url", exc_info=True)
        if message.get("delete_original") or self._user_id is None:
            return None
        try:
            return self._client.chat_postMessage(
                channel=self._user_id,
                text=message.get("text") or "",
                blocks=message.get("blocks"),
            )
        except SlackApiError:
            self._logger.warning(
                "could not answer %s directly either", self._user_id, exc_info=True
            )
            return None


class ListenerPool(Executor):
    """Bolt's listener pool, except on a thread replaying a request from the inbox: there
    the listener runs at once, on that thread, which holds the request's room in memory, as
    Bolt runs listeners before responding."""

    def __init__(self, pool: Executor) -> None:
        self._pool = pool

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if not getattr(_replaying, "here", False):
            return self._pool.submit(fn, *args, **kwargs)
        done: Future[Any] = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except BaseException as error:  # as a pool would keep it
            done.set_exception(error)
        return done

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def _person(context: BoltContext) -> Lane:
    return context["database"].workspace_id, context.user_id or "unknown"


@contextmanager
def one_statement(database: Database) -> Iterator[Connection]:
    """A connection for one statement of the inbox's, committed at once; on SQLite, in
    turn with the writes of the work (`Database.sqlite_writer`)."""
    with database.sqlite_writer or nullcontext(), database.statements.connect() as connection:
        yield connection


@contextmanager
def _replaying_here() -> Iterator[None]:
    _replaying.here = True
    try:
        yield
    finally:
        _replaying.here = False
