"""A stand-in for Slack's Socket Mode endpoint (stdlib only): the WebSocket handshake, pongs
to the client's pings, envelopes sent to the bot and its acknowledgements, and a way to
drop the connection and come back on the same port, as Slack's end does when it restarts."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def _frame(opcode: int, payload: bytes) -> bytes:
    """A server frame: final, unmasked."""
    head = bytes([0x80 | opcode])
    if len(payload) < 126:
        return head + bytes([len(payload)]) + payload
    if len(payload) < 1 << 16:
        return head + bytes([126]) + struct.pack("!H", len(payload)) + payload
    return head + bytes([127]) + struct.pack("!Q", len(payload)) + payload


def _read_exact(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _read_frame(connection: socket.socket) -> tuple[int, bytes]:
    first, second = _read_exact(connection, 2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", _read_exact(connection, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", _read_exact(connection, 8))
    mask = _read_exact(connection, 4) if second & 0x80 else b"\0\0\0\0"
    data = _read_exact(connection, length)
    return first & 0x0F, bytes(byte ^ mask[index % 4] for index, byte in enumerate(data))


class SocketModeServer:
    """Listens on 127.0.0.1; `url` is what apps.connections.open should answer."""

    def __init__(self) -> None:
        self.port = 0
        self.received: list[dict[str, Any]] = []  # the bot's text frames (acknowledgements)
        self.connections = 0  # handshakes completed so far
        self._lock = threading.Condition()
        self._listener: socket.socket | None = None
        self._current: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/?ticket=test"

    def listen(self) -> None:
        """Accept connections (again, on the same port, after `drop`)."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def drop(self) -> None:
        """Cut the connection without a goodbye, and stop accepting new ones."""
        if self._listener is not None:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() under way
            self._listener.close()
            self._listener = None
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            current.shutdown(socket.SHUT_RDWR)
            current.close()

    def send(self, envelope: dict[str, Any]) -> None:
        """Send an envelope (events_api, slash_commands, interactive) to the bot."""
        with self._lock:
            assert self._current is not None, "the bot is not connected"
            self._current.sendall(_frame(TEXT, json.dumps(envelope).encode()))

    def wait_for_connections(self, count: int, timeout: float = 30) -> None:
        with self._lock:
            assert self._lock.wait_for(lambda: self.connections >= count, timeout), (
                f"expected {count} connection(s), saw {self.connections}"
            )

    def wait_for_ack(self, envelope_id: str, timeout: float = 30) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next((m for m in self.received if m.get("envelope_id") == envelope_id), None)

        with self._lock:
            ack = self._lock.wait_for(found, timeout)
        assert ack is not None, f"no acknowledgement of {envelope_id}: {self.received}"
        return ack

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed by drop()
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            request += connection.recv(1024)
        headers = dict(
            line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line
        )
        accept = hashlib.sha1((headers["Sec-WebSocket-Key"] + _GUID).encode()).digest()
        connection.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: "
            + base64.b64encode(accept)
            + b"\r\n\r\n"
        )
        with self._lock:
            self._current = connection
            self.connections += 1
            self._lock.notify_all()
        try:
            while True:
                opcode, data = _read_frame(connection)
                if opcode == PING:
                    with self._lock:
                        connection.sendall(_frame(PONG, data))
                elif opcode == TEXT:
                    with self._lock:
                        self.received.append(json.loads(data))
                        self._lock.notify_all()
                elif opcode == CLOSE:
                    return
        except OSError:  # dropped, by either end
            return
