"""Posting signed, Slack-shaped requests to the bot's real HTTP server."""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.runtime.console.payloads import FORM, encode, signed_headers


@dataclass
class Response:
    """What the app answered; ``json`` is the parsed body, or None if it isn't JSON."""

    status: int
    body: str
    json: Any | None
    headers: dict[str, str]


class SlackRequester:
    """Signs and POSTs Slack-shaped requests to ``base_url + path``; never raises on 4xx/5xx."""

    def __init__(self, base_url: str, signing_secret: str, path: str = "/slack/events") -> None:
        self.url = base_url.rstrip("/") + path
        self.signing_secret = signing_secret
        self.timeout = 10.0

    def send(self, payload: Mapping[str, Any] | str, **options: Any) -> Response:
        """Encode ``payload`` (see :func:`encode`), sign and POST it; options as :meth:`raw`."""
        return self.raw(*encode(payload), **options)

    def raw(
        self,
        body: bytes,
        content_type: str = FORM,
        *,
        timestamp: int | str | None = None,
        tamper: bool = False,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Sign and POST a pre-encoded body.

        ``timestamp`` overrides the signed time (stale-signature tests), ``tamper=True`` sends
        a signature of a different body, ``extra_headers`` e.g. {"X-Slack-Retry-Num": "1"}.
        """
        headers = signed_headers(
            self.signing_secret, body, content_type, timestamp=timestamp, tamper=tamper
        )
        headers.update(extra_headers or {})
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                status, raw, got = resp.status, resp.read(), dict(resp.headers.items())
        except urllib.error.HTTPError as err:
            with err:
                status, raw, got = err.code, err.read(), dict(err.headers.items())
        text, parsed = raw.decode("utf-8", errors="replace"), None
        with contextlib.suppress(ValueError):  # not JSON: leave json=None
            parsed = json.loads(text)
        return Response(status, text, parsed, got)
