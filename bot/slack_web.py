"""The WebClient every part of the app makes (`slack_client`), whose file uploads are
retried like its API calls, and narrower copies of a client: one that never retries a
dropped connection, one whose 429 waits are bounded. Here, not in bot/app.py, so that a
command that only asks Slack for names (`engagebot export`, `audit`) loads no Bolt app.

slack_sdk's retry handlers cover every Web API method, but `files_upload_v2` POSTs the
bytes to the upload URL Slack gives it with plain urllib, outside them: one 5xx or dropped
connection there would fail a whole export or chart. Here that POST is retried too.
"""

from __future__ import annotations

import logging
import time
import urllib.error
from collections.abc import Mapping
from ssl import SSLContext
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

if TYPE_CHECKING:
    from bot.config import Settings

_logger = logging.getLogger(__name__)  # `logger` is slack_sdk's argument below

UPLOAD_RETRIES = 2
LONGEST_WAIT_SECONDS = 30.0
# slack_sdk's rate-limit handler sleeps Retry-After and up to a second more (its jitter).
JITTER_SECONDS = 1.0
WAITED = "waited_seconds"  # in a call's RetryState.custom_values: its 429 waits so far


class RetryingWebClient(WebClient):
    @classmethod
    def copy_of(cls, client: WebClient) -> RetryingWebClient:
        """`client` (Bolt makes a plain one for each request) with its uploads retried."""
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

    def _upload_file(  # type: ignore[override]
        self,
        *,
        url: str,
        data: bytes,
        logger: logging.Logger,
        timeout: int,
        proxy: str | None,
        ssl: SSLContext | None,
    ) -> Any:
        """The upload POST, again after a 429 (waiting Retry-After), a 5xx or a connection
        failure, at most UPLOAD_RETRIES times; what still fails raises as before."""

        def upload() -> Any:
            return super(RetryingWebClient, self)._upload_file(
                url=url, data=data, logger=logger, timeout=timeout, proxy=proxy, ssl=ssl
            )

        for attempt in range(1, UPLOAD_RETRIES + 1):
            try:
                return upload()
            except urllib.error.HTTPError as error:
                if error.code != 429 and error.code < 500:
                    raise
                wait = _retry_after(error) if error.code == 429 else 0.5 * attempt
            except (urllib.error.URLError, ConnectionError):
                wait = 0.5 * attempt
            _logger.info("file upload failed (attempt %s); trying again in %.1f s", attempt, wait)
            time.sleep(wait)
        return upload()


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
    retried with backoff, file uploads' bytes included. What still fails raises, for the
    caller to report.
    """
    return RetryingWebClient(
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
    them slack_sdk's retry handlers see), or 1 when it gives none that can be read."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            seconds = value[0] if isinstance(value, list) and value else value
            return int(seconds) if isinstance(seconds, str) and seconds.isdigit() else 1
    return 1


class RateLimitRetryWithin(RateLimitErrorRetryHandler):
    """slack_sdk's handler that waits out a 429 and tries again, as long as one call's
    waits add up to at most `budget_seconds`; past that, the 429 is raised (SlackApiError,
    its Retry-After in the response's headers) for the caller to try again when Slack said.

    Counted through the call's `RetryState.custom_values`, so every call has its own budget.
    """

    def __init__(self, max_retry_count: int, budget_seconds: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.budget_seconds = budget_seconds

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        limited = super()._can_retry(state=state, request=request, response=response, error=error)
        return limited and _waited(state) + _sleep_for(response) <= self.budget_seconds

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        waited = _waited(state) + _sleep_for(response)
        state.custom_values = {**(state.custom_values or {}), WAITED: waited}
        super().prepare_for_next_attempt(
            state=state, request=request, response=response, error=error
        )


def _waited(state: RetryState) -> float:
    return float((state.custom_values or {}).get(WAITED, 0.0))


def _sleep_for(response: HttpResponse | None) -> float:
    """The longest the rate-limit handler sleeps on this 429."""
    return (retry_after(response.headers) if response else 1) + JITTER_SECONDS


def waiting_at_most(client: WebClient, seconds: float) -> RetryingWebClient:
    """`client` with its 429 waits in any one call kept to `seconds` in all (the same number
    of retries, each on `RateLimitRetryWithin`); a call asked to wait longer raises."""
    bounded = RetryingWebClient.copy_of(client)
    bounded.retry_handlers = [
        RateLimitRetryWithin(handler.max_retry_count, seconds)
        if isinstance(handler, RateLimitErrorRetryHandler)
        else handler
        for handler in bounded.retry_handlers
    ]
    return bounded


def without_connection_retries(client: WebClient) -> RetryingWebClient:
    """`client` for a call that must not be made twice, such as a post: a connection that
    dropped before the answer may have reached Slack, so it raises rather than tries again
    (an answer asking to try again, a 429 or a 5xx, is still retried)."""
    once = RetryingWebClient.copy_of(client)
    once.retry_handlers = [
        handler
        for handler in once.retry_handlers
        if not isinstance(handler, ConnectionErrorRetryHandler)
    ]
    return once
