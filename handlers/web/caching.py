"""Conditional GET and the page cache of the public site (site.py).

A page's ETag names everything its body depends on: the site's own code (its modules,
templates and catalogues), the address asked for (path, query, host: feeds hold absolute
links), the
team and its public version (one more at every write of its records:
storage/public_versions.py) and the team's day (pages say what is coming "from today").
So the ETag is worked out from one read, before anything else: a client that has the page
gets 304, and a body made once for an ETag is that page's body, kept in a bounded cache
(`PageCache`) for the next client without it.

Last-Modified is the later of the version's moment and the start of the team's day, and is
given only once that is two seconds past (HTTP dates are whole seconds: a second write in
the same second would otherwise go unseen by If-Modified-Since).
"""

from __future__ import annotations

import contextvars
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib.resources import files
from importlib.resources.abc import Traversable
from zoneinfo import ZoneInfo

from werkzeug.http import is_resource_modified
from werkzeug.wrappers import Request, Response

# Short: a shared cache (a proxy) may serve a page this long unasked, then must ask again.
CACHE_CONTROL = "public, max-age=60, must-revalidate"
CACHE_BYTES = 64 * 1024 * 1024  # the bodies one process keeps, at most
# How long a reader waits for a page made anew (after a write) when an older body of it is
# kept: past that it gets the older one. "Users and uses" of a team with a million
# engagements takes seconds to make; every other page, milliseconds.
PATIENCE_SECONDS = 0.5
PAGES = 4096  # addresses whose latest body is remembered (an LRU: any query is an address)
MAKERS = 4  # the threads that make pages
Made = tuple[bytes, str]  # a page's body, and its content type


def _site_code() -> str:
    """A digest of the site's modules, templates and catalogues, read once a process: a page
    made by other code is another page."""
    digest = hashlib.blake2b(digest_size=8)
    root = files("handlers.web")
    made_by = [entry for entry in root.iterdir() if entry.name.endswith(".py")]
    for folder in ("templates", "locale"):
        made_by.extend(_walk(root / folder))
    for path in sorted(made_by, key=str):
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _walk(folder: Traversable) -> Iterable[Traversable]:
    for entry in folder.iterdir():
        if entry.is_dir():
            yield from _walk(entry)
        else:
            yield entry


SITE_CODE = _site_code()


@dataclass(frozen=True)
class Freshness:
    """What tells a client whether its copy is current."""

    etag: str
    last_modified: datetime | None

    def answer(self, request: Request) -> Response | None:
        """304 Not Modified, if the request's copy is this one; else None."""
        if is_resource_modified(request.environ, self.etag, last_modified=self.last_modified):
            return None
        return self.stamped(Response(status=304))

    def stamped(self, response: Response) -> Response:
        """`response` with this page's validators and cache rules."""
        response.set_etag(self.etag)
        if self.last_modified is not None:
            response.last_modified = self.last_modified
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response


def freshness(
    request: Request,
    *parts: object,
    changed_at: datetime | None = None,
    today: date | None = None,
    zone: ZoneInfo | None = None,
    now: datetime,
) -> Freshness:
    """The validators of the page `request` asks for, whose body depends on `parts` (and,
    when given, on `today`, the day it is where the team is, in `zone`)."""
    digest = hashlib.blake2b(digest_size=12)
    for part in (SITE_CODE, request.root_url, request.full_path, today, *parts):
        digest.update(repr(part).encode())
        digest.update(b"\0")
    last_modified = None
    if changed_at is not None:
        last_modified = changed_at
        if today is not None and zone is not None:
            day_began = datetime.combine(today, time(), zone).astimezone(UTC)
            last_modified = max(changed_at, day_began)
        last_modified = last_modified.replace(microsecond=0)
        if now - last_modified < timedelta(seconds=2):
            last_modified = None  # not yet a whole second behind: not a strong validator
    return Freshness(digest.hexdigest(), last_modified)


class PageCache:
    """The bodies made for ETags, the least recently used dropped past `limit` bytes. One
    body an ETag is made at a time, on the cache's own threads: readers asking for it
    meanwhile wait for that one rather than each making it again (after a write, a slow
    page's every reader would). A reader waits at most `patience` for a page the cache
    holds an older body of (same address): past that, it gets the older one, with its own
    ETag, while the new one is finished for the next reader; a page with no older body is
    waited for."""

    def __init__(
        self, limit: int = CACHE_BYTES, patience: float = PATIENCE_SECONDS, pages: int = PAGES
    ) -> None:
        self.limit = limit
        self.patience = patience
        self.pages = pages
        self._bodies: OrderedDict[str, Made] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._making: dict[str, Future[Made]] = {}
        self._latest: OrderedDict[str, str] = OrderedDict()  # address -> its latest ETag
        self._makers = ThreadPoolExecutor(MAKERS, thread_name_prefix="page-maker")

    def body(self, etag: str, make: Callable[[], Made], address: str) -> tuple[str, Made]:
        """The ETag and the body (with its content type) to answer the page at `address`
        with: the body kept or made for `etag`, or, when that takes longer than `patience`,
        the latest one kept for `address`. Raise what `make` raises."""
        kept = self._kept(etag)
        if kept is not None:
            return etag, kept
        with self._lock:
            making = self._making.get(etag)
            if making is None:
                # In the request's context: what it logs keeps the request's id.
                run = contextvars.copy_context().run
                making = self._making[etag] = self._makers.submit(
                    run, self._make, etag, make, address
                )
            older = self._latest.get(address)
        stale = self._kept(older) if older is not None and older != etag else None
        if stale is None:
            return etag, making.result()
        try:
            return etag, making.result(timeout=self.patience)
        except TimeoutError:
            assert older is not None
            return older, stale

    def _make(self, etag: str, make: Callable[[], Made], address: str) -> Made:
        try:
            made = make()
            self._keep(etag, made)
            with self._lock:
                self._latest[address] = etag
                self._latest.move_to_end(address)
                while len(self._latest) > self.pages:
                    self._latest.popitem(last=False)
            return made
        finally:
            with self._lock:
                self._making.pop(etag, None)

    def _kept(self, etag: str) -> Made | None:
        with self._lock:
            found = self._bodies.get(etag)
            if found is not None:
                self._bodies.move_to_end(etag)
            return found

    def _keep(self, etag: str, made: Made) -> None:
        if len(made[0]) > self.limit:
            return
        with self._lock:
            self._bodies[etag] = made
            self._size += len(made[0])
            while self._size > self.limit:
                _, (dropped, _type) = self._bodies.popitem(last=False)
                self._size -= len(dropped)
