"""A request to POST /slack/events, checked before Bolt reads any of it: its size, then
Slack's signature, then that it parses as Slack's requests do.

Bolt parses a body before its own signature check, and logs the whole body of a request
whose signature fails: anyone could make it parse and log megabytes. Here a request costs
its sender a 413 (too large), a 401 (not signed by Slack) or a 400 (signed, but not a
request Slack sends) before Bolt sees it, each refused with one line in the log.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from slack_bolt import BoltRequest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest

# The largest body admitted. Slack's largest requests are a modal's view_submission (the
# view, which Slack refuses over 250 kB in views.open's `view_too_large`, with the state of
# up to 100 inputs of up to 3,000 characters each) and a block_actions carrying the whole
# message (up to 50 blocks of 3,000 characters, and 40,000 of text) or modal, form-encoded,
# which takes a character to as many as 9 bytes ("€" is %E2%82%AC): about 3.5 MB at the
# very worst (a view of 250 kB tripled, 300,000 characters at 9 bytes), engagebot's own
# modals far less. 4 MiB is also Bolt for JavaScript's default cap (slackapi/bolt-js#3057:
# "legitimate requests from Slack should be well under this").
MAX_BODY_BYTES = 4 * 1024 * 1024
# Slack's rule: a request signed more than five minutes from now is refused (a replay).
FRESHNESS_SECONDS = 5 * 60
# A Unix time in whole seconds. int() alone would take " 12", "1_2" and "١٢" and raise on
# "abc" or 5,000 digits.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class Refused(Exception):
    """A request answered `status` without reaching Bolt, for `reason` (no secret and
    nothing of the body: it is logged and sent back)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status = status
        self.reason = reason


def admitted(request: WsgiHttpRequest, signing_secret: str) -> BoltRequest:
    """The request as Bolt takes it, or `Refused` if it is too large, not signed by Slack
    within the last five minutes, or signed but unreadable."""
    environ = request.environ
    body = read_body(environ)
    check_signature(
        signing_secret,
        body,
        environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
        environ.get("HTTP_X_SLACK_SIGNATURE"),
        now=time.time(),  # Slack signs by the real clock, whatever the process's says
    )
    return parsed(body, request.query_string, request.get_headers())


def read_body(environ: Mapping[str, Any]) -> bytes:
    """The body, refused (413) unread when its announced length is over the cap, or once
    more than the cap of a chunked one (its length not announced) has come.

    Both servers (cheroot in one process, gunicorn in several: `bot/runtime/serving.py`) hand
    the app a chunked body as it comes, to be read no further than the cap.
    """
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY_BYTES:
        raise Refused(413, f"a body over {MAX_BODY_BYTES} bytes")
    if not length and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        body = bytes(environ["wsgi.input"].read(MAX_BODY_BYTES + 1))
        if len(body) > MAX_BODY_BYTES:
            raise Refused(413, f"a body over {MAX_BODY_BYTES} bytes")
        return body
    return bytes(environ["wsgi.input"].read(length)) if length else b""


def check_signature(
    secret: str, body: bytes, timestamp: str | None, signature: str | None, *, now: float
) -> None:
    """Refused (401) unless Slack signed `body` at `timestamp`, within five minutes of
    `now` (https://api.slack.com/authentication/verifying-requests-from-slack).

    Not slack_sdk's SignatureVerifier: it decodes the body as UTF-8 first and reads the
    timestamp with int(), so a body that is not UTF-8 or a timestamp of "abc" raises there.
    """
    if timestamp is None or signature is None:
        raise Refused(401, "no signature")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise Refused(401, "a signature timestamp that is not a number")
    if abs(now - int(timestamp)) > FRESHNESS_SECONDS:
        raise Refused(401, "a signature more than five minutes old or ahead")
    signed = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    # A WSGI header is a str of latin-1 characters: compared as the bytes that came.
    if not hmac.compare_digest(expected.encode(), signature.encode("latin-1", "replace")):
        raise Refused(401, "a signature that does not match")


def parsed(body: bytes, query: str, headers: Mapping[str, str | Sequence[str]]) -> BoltRequest:
    """Bolt's request, or Refused (400) if Bolt could not read the body.

    BoltRequest only decodes the body, parses it (JSON, or a form with or without a JSON
    `payload`) and reads ids out of what it finds; any of these failing means the body is
    not a request Slack sends: not UTF-8, not JSON, JSON that is not an object (a list has
    no ids to read), or nested past the parser's depth.
    """
    try:
        return BoltRequest(body=body.decode(), query=query, headers=dict(headers))
    except (ValueError, TypeError, AttributeError, LookupError, RecursionError) as error:
        raise Refused(400, f"a body that is not a Slack request ({type(error).__name__})") from None
