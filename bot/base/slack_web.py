"""The WebClient every part of the app makes (`slack_client`), narrower copies of a client
(one that never retries a dropped connection, one whose 429 waits are bounded and shared
between its threads: `MethodGate`), and file uploads (`upload_files`). Here, not in
bot/runtime/app.py, so that a command that only asks Slack for names (`engagebot export`,
`audit`) loads no Bolt app.

slack_sdk's retry handlers cover every Web API method, but an upload's bytes go to the URL
Slack gives for them, outside the Web API: one 5xx or dropped connection there would fail a
whole export or chart. `upload_files` retries that POST too.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

if TYPE_CHECKING:
    from bot.base.config import Settings

_logger = logging.getLogger(__name__)  # `logger` is slack_sdk's argument below

UPLOAD_RETRIES = 2
# Slack asks for seconds, a minute or two at most; a longer wait is taken as an hour, so a
# message postponed by a wrong header is not put off for ever (or past the last date).
LONGEST_RETRY_AFTER = 3600
LONGEST_WAIT_SECONDS = 30.0
WAITED = "waited_seconds"  # in a call's RetryState.custom_values: its 429 waits so far


class GatedWebClient(WebClient):
    """A WebClient whose calls of a method wait while a 429 holds that method back
    (`waiting_at_most`, which makes them)."""

    @classmethod
    def copy_of(cls, client: WebClient) -> GatedWebClient:
        """A copy of `client`, to be narrowed (`waiting_at_most`, `without_connection_retries`)."""
        return cls(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            headers=client.headers,
            team_id=client.default_params.get("team_id"),
            logger=client.logger,
            retry_handlers=list(client.retry_handlers),
        )

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        """The call, once the method's `MethodGate` (if this client has one) lets it through."""
        bounded = _bounded_by(self)
        if bounded is not None:
            bounded.gate.wait(api_method, at_most=bounded.budget_seconds)
        return super().api_call(api_method, **kwargs)

    @property
    def rate_limits(self) -> MethodGate | None:
        """The gate this client's calls wait at, when its 429 waits are bounded and shared
        (`waiting_at_most`)."""
        bounded = _bounded_by(self)
        return bounded.gate if bounded is not None else None


@dataclass(frozen=True)
class Upload:
    """A file to share: its bytes, the name it is saved under and the title shown."""

    content: bytes
    filename: str
    title: str


def upload_files(
    client: WebClient,
    files: Sequence[Upload],
    *,
    channel: str | None = None,
    initial_comment: str | None = None,
) -> list[dict[str, Any]]:
    """Share `files` in `channel` (or nowhere: files a message then shows), through Slack's
    external upload flow, each step a public call: files.getUploadURLExternal for each file,
    its bytes POSTed to the URL that gives (`_post_bytes`: retried), then one
    files.completeUploadExternal. The files Slack describes in its answer, in order.

    A refusal raises SlackApiError; bytes the upload URL still refuses, HTTPError (an
    OSError); a connection that still fails, URLError (an OSError too)."""
    shared = []
    for file in files:
        given = client.files_getUploadURLExternal(filename=file.filename, length=len(file.content))
        _post_bytes(client, str(given["upload_url"]), file.content)
        shared.append({"id": given["file_id"], "title": file.title})
    completed = client.files_completeUploadExternal(
        files=shared, channel_id=channel, initial_comment=initial_comment
    )
    return list(completed["files"])


def _post_bytes(client: WebClient, url: str, data: bytes) -> None:
    """POST a file's bytes to its upload URL, through `client`'s proxy and SSL context, again
    after a 429 (waiting Retry-After), a 5xx or a connection failure, at most UPLOAD_RETRIES
    times; what still fails raises."""
    handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPSHandler(context=client.ssl)]
    if client.proxy:
        handlers.append(urllib.request.ProxyHandler({"http": client.proxy, "https": client.proxy}))
    opener = urllib.request.build_opener(*handlers)

    def post() -> None:
        request = urllib.request.Request(url, data=data, method="POST")
        with opener.open(request, timeout=client.timeout) as answer:
            answer.read()

    for attempt in range(1, UPLOAD_RETRIES + 1):
        try:
            return post()
        except urllib.error.HTTPError as error:
            if error.code != 429 and error.code < 500:
                raise
            wait = _retry_after(error) if error.code == 429 else 0.5 * attempt
        except (urllib.error.URLError, ConnectionError):
            wait = 0.5 * attempt
        _logger.info("file upload failed (attempt %s); trying again in %.1f s", attempt, wait)
        time.sleep(wait)
    post()


class _AnyServerErrorRetryHandler(ServerErrorRetryHandler):
    """slack_sdk retries only 500 and 503; a 502 or 504 from a proxy is as passing."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code >= 500


def slack_client(settings: Settings, token: str | None) -> WebClient:
    """Every WebClient the app makes comes from here, so all use SLACK_API_URL.

    A 429 waits for Retry-After and tries again; 5xx answers and dropped connections are
    retried with backoff (`upload_files` retries an upload's bytes too). What still fails
    raises, for the caller to report.
    """
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            _AnyServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def _retry_after(error: urllib.error.HTTPError) -> float:
    return min(retry_after(dict(error.headers.items())), LONGEST_WAIT_SECONDS)


def retry_after(headers: Mapping[str, str | list[str]]) -> int:
    """The seconds a 429 asks to wait: its Retry-After header (one value, or the list of
    them slack_sdk's retry handlers see), at most LONGEST_RETRY_AFTER; or 1 when it gives
    none that can be read."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            seconds = value[0] if isinstance(value, list) and value else value
            if isinstance(seconds, str) and seconds.isascii() and seconds.isdecimal():
                return min(int(seconds), LONGEST_RETRY_AFTER)
            return 1
    return 1


class MethodGate:
    """When each Web API method may be called again. Slack's rate limits apply per method,
    app and workspace, not per call: a 429 on one thread holds back every thread's next call
    of that method (through this workspace's client) until its Retry-After has passed."""

    def __init__(
        self,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._monotonic = monotonic
        self._sleep = sleep
        self._opens_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def close(self, method: str, seconds: float) -> None:
        """No call of `method` for `seconds` from now (or longer, if already closed longer)."""
        with self._lock:
            opens_at = self._monotonic() + seconds
            self._opens_at[method] = max(opens_at, self._opens_at.get(method, opens_at))

    def remaining(self, method: str) -> float:
        """Seconds until `method` may be called again; 0 when it may now."""
        with self._lock:
            return max(0.0, self._opens_at.get(method, 0.0) - self._monotonic())

    def wait(self, method: str, at_most: float) -> float:
        """Wait until `method` may be called, or `at_most` seconds; the seconds waited."""
        waited = 0.0
        # Again after each sleep: another thread's 429 may have closed it for longer.
        while (remaining := min(self.remaining(method), at_most - waited)) > 0:
            self._sleep(remaining)
            waited += remaining
        return waited


class RateLimitRetryWithin(RateLimitErrorRetryHandler):
    """slack_sdk's handler that waits out a 429 and tries again, as long as one call's
    waits add up to at most `budget_seconds`; past that, the 429 is raised (SlackApiError,
    its Retry-After in the response's headers) for the caller to try again when Slack said.

    The wait goes through `gate`: the 429 closes it for the method, so every thread using
    the client waits with this one; a 429 to a call made alongside the one that closed it
    is not counted among the call's retries (it is the same refusal, of a burst). The
    waits are counted through the call's `RetryState.custom_values`, so every call has its
    own budget.
    """

    def __init__(self, max_retry_count: int, budget_seconds: float, gate: MethodGate) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.budget_seconds = budget_seconds
        self.gate = gate

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        limited = super()._can_retry(state=state, request=request, response=response, error=error)
        return limited and _waited(state) + _asked(response) <= self.budget_seconds

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        method = _method_of(request)
        # Held back already: this call was made alongside the one whose 429 closed the
        # gate, in the same burst Slack refused. It counts as one refusal, that one's.
        same_burst = self.gate.remaining(method) > 0
        self.gate.close(method, _asked(response))
        waited = _waited(state) + self.gate.wait(
            method, at_most=self.budget_seconds - _waited(state)
        )
        state.custom_values = {**(state.custom_values or {}), WAITED: waited}
        state.next_attempt_requested = True
        if not same_burst:
            state.increment_current_attempt()


def _waited(state: RetryState) -> float:
    return float((state.custom_values or {}).get(WAITED, 0.0))


def _asked(response: HttpResponse | None) -> float:
    """The seconds a 429 asks to wait."""
    return retry_after(response.headers) if response else 1


def _method_of(request: HttpRequest) -> str:
    """The Web API method a request calls: the last part of its URL's path."""
    return request.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _bounded_by(client: WebClient) -> RateLimitRetryWithin | None:
    """The handler bounding `client`'s 429 waits, whose gate its calls pass through."""
    found = (each for each in client.retry_handlers if isinstance(each, RateLimitRetryWithin))
    return next(found, None)


def waiting_at_most(client: WebClient, seconds: float) -> GatedWebClient:
    """`client` with its 429 waits in any one call kept to `seconds` in all (the same number
    of retries, each on `RateLimitRetryWithin`), shared by its threads through one
    `MethodGate`; a call asked to wait longer raises. Before a call, it waits for the gate
    `seconds` at most too: a call may wait twice `seconds` in all."""
    bounded = GatedWebClient.copy_of(client)
    gate = MethodGate()
    bounded.retry_handlers = [
        RateLimitRetryWithin(handler.max_retry_count, seconds, gate)
        if isinstance(handler, RateLimitErrorRetryHandler)
        else handler
        for handler in bounded.retry_handlers
    ]
    return bounded


def without_connection_retries(client: WebClient) -> GatedWebClient:
    """`client` for a call that must not be made twice, such as a post: a connection that
    dropped before the answer may have reached Slack, so it raises rather than tries again
    (an answer asking to try again, a 429 or a 5xx, is still retried)."""
    once = GatedWebClient.copy_of(client)
    once.retry_handlers = [
        handler
        for handler in once.retry_handlers
        if not isinstance(handler, ConnectionErrorRetryHandler)
    ]
    return once
