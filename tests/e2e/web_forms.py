"""A browser's way with the public site's forms, over real HTTP: its cookies kept, the
form's token read from the page, redirects seen rather than followed."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

from tests.e2e.public_records import Answer

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


class _SeeRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None  # the 303 itself is the answer


class Visitor:
    """One browser: its cookie jar, and the token of the last form it was shown."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _SeeRedirects()
        )
        self.token = ""

    def get(self, url: str) -> Answer:
        answer = self._open(urllib.request.Request(url))
        found = TOKEN.search(answer.body)
        if found:
            self.token = found[1]
        return answer

    def post(
        self,
        url: str,
        fields: Mapping[str, str],
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> Answer:
        """POST the form `fields` with the token shown (or `token`; "" sends none)."""
        sent = dict(fields)
        token = self.token if token is None else token
        if token:
            sent["form_token"] = token
        data = body if body is not None else urllib.parse.urlencode(sent).encode()
        request = urllib.request.Request(
            url,
            data=data,
            headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        )
        answer = self._open(request)
        found = TOKEN.search(answer.body)
        if found:
            self.token = found[1]
        return answer

    def _open(self, request: urllib.request.Request) -> Answer:
        try:
            with self.opener.open(request, timeout=10) as response:
                return Answer(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read().decode())
