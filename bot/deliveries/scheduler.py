"""The scheduler: the database is the schedule; a tick plans what is due, then delivers it.

Each feature describes its messages as a `DeliveryKind`: `plan` says which deliveries are
due as of a moment (time-driven ones: reminders, digests), and which of those missed
while the bot was down are skipped instead (`bot/deliveries/catch_up.py`); `render` builds the
message when it is sent (so a late message still tells the truth), or says why it is
skipped. Features that announce
something at once enqueue `Due` rows in the transaction that saves it, then call
`Scheduler.deliver` for those keys. Everything goes out through `Scheduler`, which claims
each delivery once, paces posts per channel, and handles Slack's errors.

A scheduler sends to up to `threads` channels at once (`bot/deliveries/lanes.py`: each channel's
messages in order, one at a time). A 429 holds back the whole workspace's posts for its
Retry-After (`bot/base/slack_web.py: MethodGate`), as Slack's limits are per method and workspace.

Several processes may tick at once: each claims its own batch (`storage/deliveries.py`).
A claim is a lease, renewed just before each post; a delivery still "sending" after `lease`
was cut short by a crash, and a later tick settles it from the conversation's history
(`bot/deliveries/trace.py`). So a post never waits out Slack's 429s past the lease: a longer
Retry-After gives the delivery back to the queue until then.

A delivery whose target is an email subscriber ("email:<subscription id>") or the sender
of feedback who asked for a reply ("reply:<feedback id>": `storage/email_subscriptions.py`)
is worded by its kind's `email` and sent through the
email service (`bot/base/mail.py`) instead, through the same queue: claimed once, leased,
retried with the same back-off. An email cannot be looked for after a crash as a post can:
one left sending past its lease is sent again, with the same Message-ID (see `_settle`).
"""

from __future__ import annotations

import copy
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol
from urllib.error import URLError
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.base.clock import zone_named
from bot.base.config import DEFAULT_PERSONAL_DATA_MONTHS
from bot.base.mail import Email, MailRefused, MailService
from bot.base.slack_web import (
    Upload,
    retry_after,
    upload_files,
    waiting_at_most,
    without_connection_retries,
)
from bot.deliveries.catch_up import RECORD_FAULTS, Skip, fault_text, planned_each
from bot.deliveries.lanes import Lanes
from bot.deliveries.trace import delivery_metadata, find_posted
from bot.people.retention import apply_retention
from storage.clock import utc_now
from storage.database import Database
from storage.deliveries import (
    FAILED,
    PENDING,
    SENT,
    SKIPPED,
    Due,
    Interrupted,
    claim_due,
    claim_interrupted,
    end_subscriptions_in,
    enqueue,
    finish,
    hold_claim,
    postpone,
    renew_claim,
)
from storage.email_subscriptions import is_emailed
from storage.models import Delivery, ProducerTeam
from storage.types import flushed_id

logger = logging.getLogger(__name__)

Message = dict[str, Any]  # chat.postMessage arguments: text, blocks, ...
# Slack answers these for a channel that can never be posted to again.
CHANNEL_GONE = {"channel_not_found": "was not found", "is_archived": "was archived"}
# Errors that retrying cannot fix.
PERMANENT = {*CHANNEL_GONE, "user_not_found", "cannot_dm_bot", "account_inactive", "invalid_blocks"}
# Claimed at a time: small, so several schedulers share a large queue between them.
BATCH = 20
# Channels sent to at once. Slack takes about a message a second in a channel and a few
# hundred a minute in a workspace; a 429 holds back every thread (see MethodGate).
DEFAULT_THREADS = 16
# Longer than a post can take (client retries and Retry-After waits included).
DEFAULT_LEASE = timedelta(minutes=10)
# The share of the lease a call's 429 waits may take, and again its wait for the method's
# gate before it (another thread's 429): a post starts just after its claim is renewed, so
# its waits end well inside the lease; Slack asking for more gives the delivery back to the
# queue (`_rate_limited`) rather than sleep past the lease, when another tick would take it
# over and post it too.
RATE_LIMIT_WAIT_SHARE = 0.25
IMAGE = "image"  # a Message key holding an `Image`, taken out before chat.postMessage
# Slack may refuse a file it is still processing in a message's blocks: wait, try once more.
IMAGE_SETTLE_SECONDS = 2.0


@dataclass(frozen=True)
class Image:
    """A PNG shown in a message's image block `block_id`. The scheduler uploads it as the
    message is sent, privately (the message shares it, not a post of its own), and points
    the block at the file (`slack_file`), so the message and its image are one delivery."""

    png: bytes
    filename: str
    title: str
    block_id: str


@dataclass(frozen=True)
class DeliveryKind:
    name: str
    label: str  # what it is, for telling a team that it could not be delivered
    # (session, the delivery, the team's time zone, the moment it is sent as of) -> the
    # message (with an `Image` under IMAGE, if it shows one), or `Skip` with the reason it
    # no longer matters (the change was cancelled, ...), or None for "no longer relevant":
    # the delivery is then skipped.
    render: Callable[[Session, Delivery, ZoneInfo, datetime], Message | Skip | None]
    # (session, as of this moment, the default time zone) -> deliveries due by then, each
    # missed one to skip carrying its `skip_reason`.
    plan: Callable[[Session, datetime, ZoneInfo], Iterable[Due]] | None = None
    # The same for an email ("email:<id>", "reply:<id>"): (session, the delivery, the
    # team's time zone, the moment, the email service) -> the email, or why it is skipped.
    # None: this kind is never emailed.
    email: (
        Callable[[Session, Delivery, ZoneInfo, datetime, MailService], Email | Skip | None] | None
    ) = None


@dataclass
class Outcome:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, status: str) -> None:
        name = {SENT: "sent", PENDING: "retrying", FAILED: "failed", SKIPPED: "skipped"}[status]
        setattr(self, name, getattr(self, name) + 1)

    def __add__(self, other: Outcome) -> Outcome:
        pairs = zip(astuple(self), astuple(other), strict=True)
        return Outcome(*(mine + theirs for mine, theirs in pairs))

    def __str__(self) -> str:
        return (
            f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed, "
            f"{self.skipped} skipped"
        )


def process_claimant() -> str:
    """A name for what this process claims (a delivery, the scheduler's lease): its host and
    pid, and a token told apart from any other claimant in the process."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


class Ticking(Protocol):
    """What the clock drives (`bot/runtime/ticker.py`, `engagebot tick`): a `Scheduler`, or with
    OAuth distribution `bot/installs/distribution.py: EveryWorkspace`."""

    def tick(self, at: datetime) -> Outcome: ...


@dataclass
class _Pacer:
    """At most one post a second to any one channel (Slack's limit), across threads."""

    interval: float
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    _next: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, channel: str) -> None:
        with self._lock:
            now = self.monotonic()
            start = max(now, self._next.get(channel, now))
            self._next[channel] = start + self.interval
        if start > now:
            self.sleep(start - now)


class Scheduler:
    def __init__(
        self,
        *,
        database: Database,
        client: WebClient,
        kinds: Sequence[DeliveryKind],
        timezone: ZoneInfo,
        pace_seconds: float = 1.0,
        threads: int = DEFAULT_THREADS,
        max_attempts: int = 6,
        lease: timedelta = DEFAULT_LEASE,
        sleep: Callable[[float], None] = time.sleep,
        personal_data_months: int = DEFAULT_PERSONAL_DATA_MONTHS,
        mail: MailService | None = None,
    ) -> None:
        self.personal_data_months = personal_data_months
        self.mail = mail
        self.database = database
        self.kinds = {kind.name: kind for kind in kinds}
        self.timezone = timezone
        self.max_attempts = max_attempts
        self.threads = threads
        self.lease = lease
        self._talk_through(client)
        # Who holds a claim: this process (host and pid), and this scheduler in it.
        self.claimant = process_claimant()
        self._sleep = sleep
        self._pacer = _Pacer(pace_seconds, sleep)

    def serving(self, database: Database, client: WebClient) -> Scheduler:
        """This scheduler in another workspace: through `database` (bound to it) and with
        `client` (its bot token, and its own rate limits); the same kinds, pacing and
        claimant."""
        view = copy.copy(self)
        view.database = database
        view._talk_through(client)
        return view

    def _talk_through(self, client: WebClient) -> None:
        """Call Slack through `client`, its 429 waits kept to RATE_LIMIT_WAIT_SHARE of the
        lease in any one call; post through a copy that never retries blind (see _post)."""
        self.client = waiting_at_most(client, self.lease.total_seconds() * RATE_LIMIT_WAIT_SHARE)
        self._poster = without_connection_retries(self.client)

    def tick(self, at: datetime) -> Outcome:
        """Plan everything due by `at` (clearing expired contacts first), settle interrupted
        sends, then deliver what is pending. The outcome counts what the plans skipped too."""
        with self.database.transaction() as session:
            apply_retention(session=session, now=at, months=self.personal_data_months)
            added = enqueue(session=session, dues=self._planned(session, at))
        self.recover()
        outcome = self.deliver(at) + Outcome(skipped=added.count(SKIPPED))
        where = self.database.workspace_id
        workspace = f" in workspace {where}" if where else ""
        logger.info("tick as of %s%s: %s", at.isoformat(timespec="seconds"), workspace, outcome)
        return outcome

    def _planned(self, session: Session, at: datetime) -> list[Due]:
        """Every kind's plan as of `at`; one that cannot be made at all (beyond any one
        record it plans: `planned_each`) is left out, logged, and the others are not."""
        planning = [kind for kind in self.kinds.values() if kind.plan is not None]

        def plan(kind: DeliveryKind) -> Iterable[Due]:
            assert kind.plan is not None
            return kind.plan(session, at, self.timezone)

        def named(kind: DeliveryKind) -> str:
            return f"the {kind.name} deliveries due by {at.isoformat()}"

        return planned_each(planning, plan, named)

    def recover(self) -> int:
        """Settle the deliveries left sending past the lease (their sender stopped): those
        found in the conversation are marked sent, the rest go back to pending, to be sent
        once. Returns how many were settled."""
        settled = 0
        while True:
            with self.database.transaction() as session:
                found = claim_interrupted(
                    session=session,
                    older_than=utc_now() - self.lease,
                    limit=BATCH,
                    claimant=self.claimant,
                )
            settled += sum(self._settle(each) for each in found)
            if len(found) < BATCH:
                return settled

    def _settle(self, interrupted: Interrupted) -> bool:
        if is_emailed(interrupted.target):
            # No history to look in: sent again, with the same Message-ID (bot/base/mail.py),
            # so that a copy, if the first had been taken, is recognisable as one.
            return self._settled(interrupted, None)
        try:
            posted = find_posted(
                self.client,
                target=interrupted.target,
                key=interrupted.key,
                since=interrupted.claimed_at,
            )
        except SlackApiError as error:
            if error.response.get("error") not in CHANNEL_GONE:
                return self._unsettled(interrupted, error)
            posted = None  # nothing can be in it; sending again reports the channel gone
        except (URLError, OSError) as error:
            return self._unsettled(interrupted, error)
        return self._settled(interrupted, posted)

    def _settled(self, interrupted: Interrupted, posted: tuple[str, str] | None) -> bool:
        channel, ts = posted or (None, None)
        with self.database.transaction() as session:
            finish(
                session=session,
                delivery_id=interrupted.id,
                status=SENT if posted else PENDING,
                error=None if posted else "interrupted before it was posted",
                message_channel=channel,
                message_ts=ts,
            )
        logger.warning(
            "delivery %s was interrupted while sending: %s",
            interrupted.key,
            "it had been posted" if posted else "it had not been posted; sending it again",
        )
        return True

    def _unsettled(self, interrupted: Interrupted, error: Exception) -> bool:
        # Resending without knowing could post it twice: it stays sending (our claim
        # renewed the lease), and a tick after the next lease tries again.
        logger.warning(
            "delivery %s was interrupted while sending, and %s's history could not be read "
            "(%s): it stays unconfirmed for now",
            interrupted.key,
            interrupted.target,
            error,
        )
        return False

    def deliver(self, at: datetime, keys: Sequence[str] | None = None) -> Outcome:
        """Send the pending deliveries due by `at` (only `keys`, when given), to up to
        `threads` channels at once, claiming more as they go out."""
        with Lanes[str | None](self.threads, backlog=2 * self.threads, name="sending") as lanes:
            claimed = BATCH
            while claimed == BATCH and not lanes.failed:
                with self.database.transaction() as session:
                    batch = claim_due(
                        session=session, at=at, keys=keys, limit=BATCH, claimant=self.claimant
                    )
                for each in batch:
                    lanes.add(each.target, partial(self._deliver_one, each.id, at))
                claimed = len(batch)
        outcome = Outcome()
        for status in lanes.results:
            if status is not None:
                outcome.add(status)
        return outcome

    def _deliver_one(self, delivery_id: int, at: datetime) -> str | None:
        with self.database.transaction() as session:
            delivery = renew_claim(session=session, delivery_id=delivery_id, claimant=self.claimant)
            if delivery is None:
                return None  # held past its lease and taken over: no longer ours to send
            message = self._message(session, delivery, at)
            if message is None or isinstance(message, Skip):
                reason = message.reason if message else "no longer relevant"
                finish(session=session, delivery_id=delivery_id, status=SKIPPED, error=reason)
                return SKIPPED
        if isinstance(message, Email):
            return self._send_email(delivery, at, message)
        message = {**message, "metadata": delivery_metadata(delivery.key)}
        posting_from = utc_now()
        try:
            response = self._post(delivery, message)
        except _TakenOver:
            logger.warning(
                "delivery %s: its lease (ENGAGEBOT_SENDING_LEASE_SECONDS) ran out before its "
                "post, and another sender took it over",
                delivery.key,
            )
            return None
        except SlackApiError as error:
            return self._refused(delivery, at, error)
        except (URLError, OSError) as error:  # includes timeouts and refused connections
            return self._unanswered(delivery, at, posting_from, error)
        with self.database.transaction() as session:
            finish(
                session=session,
                delivery_id=delivery_id,
                status=SENT,
                message_channel=response.get("channel"),
                message_ts=response.get("ts"),
            )
        return SENT

    def _message(
        self, session: Session, delivery: Delivery, at: datetime
    ) -> Message | Email | Skip | None:
        """What `delivery` says as of `at` (an email, to an email target), or why it is
        skipped: its kind no longer known, email off, or a record it cannot be worded from
        (`RECORD_FAULTS`, logged)."""
        kind = self.kinds.get(delivery.kind)
        if kind is None:
            return Skip(f"unknown kind {delivery.kind}")
        emailed = is_emailed(delivery.target)
        if emailed and (self.mail is None or kind.email is None):
            return Skip("email is off" if self.mail is None else "not a kind that is emailed")
        try:
            zone = self._zone(session, delivery)
            if emailed:
                assert kind.email is not None and self.mail is not None
                return kind.email(session, delivery, zone, at, self.mail)
            return kind.render(session, delivery, zone, at)
        except RECORD_FAULTS as fault:
            logger.warning(
                "delivery %s cannot be worded (%s): skipped", delivery.key, fault_text(fault)
            )
            return Skip(f"it could not be worded from its record ({fault_text(fault)})")

    def _send_email(self, delivery: Delivery, at: datetime, email: Email) -> str | None:
        """Send `email` while the claim holds; a refusal fails it for good or retries it
        with the back-off, as Slack's errors do."""
        assert delivery.id is not None and self.mail is not None
        with self.database.transaction() as session:
            held = hold_claim(session=session, delivery_id=delivery.id, claimant=self.claimant)
        if not held:
            return None  # taken over meanwhile: no longer ours to send
        try:
            self.mail.mailer.send(email, delivery.key)
        except MailRefused as refused:
            code = "mail_refused" if refused.permanent else "mail_error"
            return self._failed(delivery, at, code, str(refused), final=refused.permanent)
        with self.database.transaction() as session:
            finish(session=session, delivery_id=delivery.id, status=SENT)
        return SENT

    def _refused(self, delivery: Delivery, at: datetime, error: SlackApiError) -> str | None:
        """Slack answered the post with an error: a 429 waits in the queue, the rest fail."""
        status_code = error.response.status_code
        if status_code == 429:
            return self._rate_limited(delivery, at, error)
        code = str(error.response.get("error") or "unknown_error")
        detail = code if status_code == 200 else f"{code} (HTTP {status_code})"
        return self._failed(delivery, at, code, detail)

    def _rate_limited(self, delivery: Delivery, at: datetime, error: SlackApiError) -> str | None:
        """Slack asked to wait longer than a post may (RATE_LIMIT_WAIT_SHARE of the lease):
        the delivery goes back to the queue until then, this attempt not counted, as nothing
        failed; the first tick after that sends it."""
        assert delivery.id is not None
        wait = retry_after(error.response.headers)
        # From now, as Slack means it, or from `at` if later (a tick as of a moment ahead);
        # a second at least, so that this tick never claims it again.
        until = max(at, utc_now()) + timedelta(seconds=max(wait, 1))
        with self.database.transaction() as session:
            postponed = postpone(
                session=session,
                delivery_id=delivery.id,
                claimant=self.claimant,
                until=until,
                reason=f"ratelimited (HTTP 429): Slack asked to wait {wait} s",
            )
        if not postponed:
            return None  # taken over meanwhile: no longer ours
        logger.info(
            "delivery %s to %s: Slack asked to wait %s s; it waits in the queue until %s",
            delivery.key,
            delivery.target,
            wait,
            until.isoformat(timespec="seconds"),
        )
        return PENDING

    def _unanswered(
        self, delivery: Delivery, at: datetime, posting_from: datetime, error: Exception
    ) -> str | None:
        """A post that got no answer may still have reached Slack (the connection dropped
        after it, or timed out): look for it in the conversation before sending it again."""
        if _never_connected(error):  # refused, or no such host: nothing left for Slack
            return self._failed(delivery, at, "connection_error", f"connection failed: {error}")
        try:
            posted = find_posted(
                self.client, target=delivery.target, key=delivery.key, since=posting_from
            )
        except (SlackApiError, URLError, OSError) as unread:
            # Resending without knowing could post it twice: it stays sending, and recover()
            # looks again once the lease has passed, as after a crash.
            logger.warning(
                "delivery %s to %s got no answer (%s), and the conversation could not be read "
                "(%s): it stays unconfirmed for now",
                delivery.key,
                delivery.target,
                error,
                unread,
            )
            return None
        if posted is None:
            return self._failed(delivery, at, "connection_error", f"connection failed: {error}")
        channel, ts = posted
        with self.database.transaction() as session:
            finish(
                session=session,
                delivery_id=flushed_id(delivery),
                status=SENT,
                message_channel=channel,
                message_ts=ts,
            )
        logger.warning(
            "delivery %s got no answer (%s), but it had been posted", delivery.key, error
        )
        return SENT

    def _zone(self, session: Session, delivery: Delivery) -> ZoneInfo:
        team = session.get(ProducerTeam, delivery.team_id) if delivery.team_id else None
        return zone_named(team.timezone if team else None, self.timezone)

    def _post(self, delivery: Delivery, message: Message) -> Any:
        message, uploaded = self._with_image(message)
        try:
            return self._post_while_held(delivery, message)
        except SlackApiError as error:
            code = error.response.get("error")
            if uploaded and code == "invalid_blocks":
                self._sleep(IMAGE_SETTLE_SECONDS)
            elif code != "not_in_channel" or not self._join(delivery.target):
                raise
        return self._post_while_held(delivery, message)

    def _post_while_held(self, delivery: Delivery, message: Message) -> Any:
        """One post (paced), made only while the claim holds, renewed just before it: so
        whatever came before (an upload, the pacing, joining), the post and its 429 waits
        end inside the lease. Raises _TakenOver if the claim was lost meanwhile."""
        assert delivery.id is not None
        self._pacer.wait(delivery.target)
        with self.database.transaction() as session:
            held = hold_claim(session=session, delivery_id=delivery.id, claimant=self.claimant)
        if not held:
            raise _TakenOver(delivery.key)
        # Never retried blind after a dropped connection: see _unanswered.
        return self._poster.chat_postMessage(channel=delivery.target, **message)

    def _with_image(self, message: Message) -> tuple[Message, bool]:
        """The message with its `Image` uploaded and shown; whether there was one."""
        image: Image | None = message.get(IMAGE)
        if image is None:
            return message, False
        (uploaded,) = upload_files(self.client, [Upload(image.png, image.filename, image.title)])
        shown = {"slack_file": {"id": uploaded["id"]}}
        blocks = [
            {**block, **shown} if block.get("block_id") == image.block_id else block
            for block in message.get("blocks", [])
        ]
        rest = {key: value for key, value in message.items() if key != IMAGE}
        return {**rest, "blocks": blocks}, True

    def _join(self, channel: str) -> bool:
        """Join a public channel the bot is not in; False for a private one."""
        try:
            info = self.client.conversations_info(channel=channel)["channel"]
            if info.get("is_private"):
                return False
            self.client.conversations_join(channel=channel)
        except (SlackApiError, URLError, OSError):
            logger.warning("could not join %s", channel, exc_info=True)
            return False
        return True

    def _failed(
        self, delivery: Delivery, at: datetime, code: str, detail: str, *, final: bool = False
    ) -> str:
        assert delivery.id is not None
        final = final or code in PERMANENT or delivery.attempts >= self.max_attempts
        status = FAILED if final else PENDING
        retry_at = None if final else at + _backoff(delivery.attempts)
        with self.database.transaction() as session:
            finish(
                session=session,
                delivery_id=delivery.id,
                status=status,
                error=detail,
                retry_at=retry_at,
            )
            teams = {delivery.team_id} if delivery.team_id else set()
            if code in CHANNEL_GONE:
                teams.update(
                    end_subscriptions_in(session=session, channel_id=delivery.target, reason=code)
                )
            homes = _home_channels(session, teams, but_not=delivery.target)
        logger.warning("delivery %s to %s failed: %s", delivery.key, delivery.target, detail)
        notice = self._failure_notice(delivery, code, detail, final)
        if notice is not None:
            for home in homes:
                self._tell(home, notice)
        return status

    def _failure_notice(
        self, delivery: Delivery, code: str, detail: str, final: bool
    ) -> str | None:
        """What the team is told about a failed delivery, if this failure is news: nothing
        of an email's (whether one person's address works is theirs: the log says)."""
        if is_emailed(delivery.target):
            return None
        where = _mention(delivery.target)
        label = self.kinds[delivery.kind].label if delivery.kind in self.kinds else "a message"
        if code in CHANNEL_GONE:
            return (
                f":warning: {where} {CHANNEL_GONE[code]}, so I could not post {label} there. "
                "I have ended its subscriptions; subscribe another channel with "
                "`/engage subscribe`."
            )
        if code == "not_in_channel" and delivery.attempts == 1:
            return (
                f":warning: I could not post {label} to {where}: it is private and I am not "
                "a member. Invite me there (`/invite @engagebot`) and I will try again."
            )
        if final:
            return (
                f":warning: I gave up posting {label} to {where} after {delivery.attempts} "
                f"attempts ({detail}). `engagebot deliveries --failed` lists what was not sent."
            )
        return None

    def _tell(self, channel: str, text: str) -> None:
        try:
            self._pacer.wait(channel)
            self.client.chat_postMessage(channel=channel, text=text)
        except (SlackApiError, URLError, OSError):
            logger.warning("could not tell %s about a failed delivery", channel, exc_info=True)


class _TakenOver(Exception):
    """A delivery's claim was taken over by another sender before its post."""


def _never_connected(error: Exception) -> bool:
    reason = error.reason if isinstance(error, URLError) else error
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


def _backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 2, 4, 8, ... minutes, at most an hour."""
    return timedelta(minutes=min(2**attempts, 60))


def _home_channels(session: Session, team_ids: Iterable[int | None], but_not: str) -> list[str]:
    homes = []
    for team_id in sorted({team_id for team_id in team_ids if team_id is not None}):
        team = session.get(ProducerTeam, team_id)
        if team is not None and team.home_channel_id and team.home_channel_id != but_not:
            homes.append(team.home_channel_id)
    return homes


def _mention(target: str) -> str:
    return f"<@{target}>" if target[:1] in ("U", "W") else f"<#{target}>"
