"""The public site's page cache (handlers/web/caching.py): one body an ETag, made once; a
slow page made anew answered, meanwhile, with the body before it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from werkzeug.exceptions import NotFound

from handlers.web.caching import Made, PageCache

PAGE = "http://site/prices/users-and-uses"


def page(
    text: str, made: list[str] | None = None, gate: threading.Event | None = None
) -> Callable[[], Made]:
    """A page's maker: `text`, once `gate` is open, noted in `made`."""

    def make() -> Made:
        if gate is not None:
            assert gate.wait(10)
        if made is not None:
            made.append(text)
        return text.encode(), "text/html"

    return make


def test_a_body_is_made_once_an_etag_and_kept() -> None:
    cache = PageCache(patience=0.05)
    made: list[str] = []
    assert cache.body("v1", page("first", made), PAGE) == ("v1", (b"first", "text/html"))
    assert cache.body("v1", page("again", made), PAGE) == ("v1", (b"first", "text/html"))
    assert made == ["first"]


def test_a_page_made_anew_slowly_is_answered_meanwhile_with_the_one_before() -> None:
    cache = PageCache(patience=0.05)
    cache.body("v1", page("first"), PAGE)
    gate = threading.Event()
    # After a write: the new body takes longer than the reader's patience.
    assert cache.body("v2", page("second", gate=gate), PAGE) == ("v1", (b"first", "text/html"))
    assert cache.body("v2", page("not made"), PAGE)[0] == "v1"  # still making: once
    gate.set()
    deadline = time.monotonic() + 10
    etag, (body, _type) = cache.body("v2", page("not made either"), PAGE)
    while etag != "v2" and time.monotonic() < deadline:  # made on the cache's thread
        etag, (body, _type) = cache.body("v2", page("not made either"), PAGE)
    assert (etag, body) == ("v2", b"second")


def test_a_page_made_anew_quickly_is_answered_new_and_a_new_page_is_waited_for() -> None:
    cache = PageCache(patience=5)
    cache.body("v1", page("first"), PAGE)
    assert cache.body("v2", page("second"), PAGE) == ("v2", (b"second", "text/html"))
    gate = threading.Event()
    threading.Timer(0.1, gate.set).start()
    other = "http://site/prices/changes"
    assert cache.body("c1", page("changes", gate=gate), other) == ("c1", (b"changes", "text/html"))


def test_what_making_raises_is_raised_to_the_reader_and_nothing_is_kept() -> None:
    cache = PageCache()

    def gone() -> Made:
        raise NotFound()

    with pytest.raises(NotFound):
        cache.body("v1", gone, PAGE)
    assert cache.body("v1", page("back"), PAGE) == ("v1", (b"back", "text/html"))


def test_the_addresses_remembered_are_bounded() -> None:
    cache = PageCache(pages=2)
    for number in range(5):
        cache.body(f"v{number}", page(str(number)), f"{PAGE}?x={number}")
    assert len(cache._latest) == 2
