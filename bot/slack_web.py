"""A WebClient whose file uploads are retried like its API calls.

slack_sdk's retry handlers cover every Web API method, but `files_upload_v2` POSTs the
bytes to the upload URL Slack gives it with plain urllib, outside them: one 5xx or dropped
connection there would fail a whole export or chart. Here that POST is retried too.
"""

from __future__ import annotations

import logging
import time
import urllib.error
from ssl import SSLContext
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

_logger = logging.getLogger(__name__)  # `logger` is slack_sdk's argument below

UPLOAD_RETRIES = 2
LONGEST_WAIT_SECONDS = 30.0


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


def _retry_after(error: urllib.error.HTTPError) -> float:
    value = error.headers.get("Retry-After", "1")
    return min(float(value), LONGEST_WAIT_SECONDS) if value.isdigit() else 1.0


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
