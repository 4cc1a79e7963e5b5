"""Requests no Slack would send, written byte by byte to the real server: a body announced
over the cap, a chunked body that never ends, a body that trickles in; and a poller that
keeps asking /healthz meanwhile."""

from __future__ import annotations

import select
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from bot.runtime.serving import HEALTH_PATH, SLACK_PATH

# Long enough for a busy machine; a server stalled by a request would not answer in it.
PATIENCE_SECONDS = 20.0


def _connect(url: str) -> socket.socket:
    address = urlsplit(url)
    return socket.create_connection(
        (address.hostname, address.port or 80), timeout=PATIENCE_SECONDS
    )


def _head(**headers: str | int) -> bytes:
    lines = [f"POST {SLACK_PATH} HTTP/1.1", "Host: engagebot"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _status_line(connection: socket.socket) -> str:
    received = b""
    while b"\r\n" not in received:
        part = connection.recv(4096)
        if not part:
            break
        received += part
    return received.partition(b"\r\n")[0].decode()


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> int:
    """POST `body` to /slack/events (unsigned unless `headers` sign it): the status."""
    request = urllib.request.Request(
        url + SLACK_PATH, data=body, headers=headers or {}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=PATIENCE_SECONDS) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        with refused:
            return refused.code


def answer_to_an_announced_body(url: str, length: int) -> str:
    """The status line answered to a POST that announces `length` bytes and sends none."""
    with _connect(url) as connection:
        connection.sendall(_head(Content_Type="application/json", Content_Length=length))
        return _status_line(connection)


def answer_to_an_endless_chunked_body(url: str, most: int) -> str:
    """The status line answered to a chunked POST whose chunks keep coming (up to `most`
    bytes) and never end; it stops sending once an answer arrives."""
    chunk = b"a" * 65536
    with _connect(url) as connection:
        connection.sendall(_head(Content_Type="application/json", Transfer_Encoding="chunked"))
        for _ in range(most // len(chunk)):
            connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            if select.select([connection], [], [], 0.01)[0]:
                break
        return _status_line(connection)


@contextmanager
def trickling_body(url: str, pause: float = 0.2) -> Iterator[None]:
    """A POST announcing 1,000 bytes that sends one every `pause` seconds, for as long as
    the block runs (or until the server closes the connection)."""
    stop = threading.Event()
    connection = _connect(url)
    connection.sendall(_head(Content_Type="application/json", Content_Length=1000))

    def trickle() -> None:
        while not stop.wait(pause):
            try:
                connection.sendall(b"{")
            except OSError:  # the server closed it: a stop closes every connection
                return

    dripping = threading.Thread(target=trickle, daemon=True)
    dripping.start()
    try:
        yield
    finally:
        stop.set()
        dripping.join(timeout=5)
        connection.close()


class HealthPoller:
    """Asks /healthz again and again on a thread of its own, each time with a generous
    timeout, and keeps what went wrong (a server stalled by a request fails it) and how long
    each answer took (for bench/hostile_bench.py; the tests time nothing)."""

    def __init__(self, url: str) -> None:
        self.url = url + HEALTH_PATH
        self.answered = 0
        self.failures: list[str] = []
        self.latencies_ms: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> HealthPoller:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=PATIENCE_SECONDS + 5)

    def _poll(self) -> None:
        while not self._stop.wait(0.02):
            asked = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url, timeout=PATIENCE_SECONDS) as answer:
                    answer.read()
            except OSError as error:
                self.failures.append(repr(error))
                continue
            self.latencies_ms.append((time.perf_counter() - asked) * 1000)
            self.answered += 1

    def wait_for_answers(self, count: int) -> None:
        """Until `count` more polls have been answered (or one has failed)."""
        target = self.answered + count
        while self.answered < target and not self.failures and not self._stop.wait(0.05):
            assert self._thread.is_alive()
