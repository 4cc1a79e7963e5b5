"""The load bench's client: sends signed slash commands as Slack does, `concurrency` at a
time, each on a connection of its own, and times each acknowledgement.

    python bench/load_client.py URL CONCURRENCY SIGNING_SECRET < commands.json > acks.json

The commands are a JSON list of `[name, fields]` (a slash command's form fields, as
`bot/runtime/console/payloads.py: slash_command` makes them); each is signed as it is sent, so a
long run's signatures stay fresh. Its answer is a JSON list of `[name, status, sent,
answered]`, the moments `time.monotonic()` (one clock for every process on Linux, so the
bench compares them with when the replies reached the Slack stand-in); status 0 when the
connection failed (a server killed mid-run).

A process of its own, on asyncio: the bench's own process serves the Slack stand-in, and a
client sharing its interpreter would slow both.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from bot.runtime.console.payloads import encode, signed_headers

TIMEOUT_SECONDS = 30.0


async def send_all(
    url: str, concurrency: int, secret: str, commands: list[tuple[str, dict[str, Any]]]
) -> list[tuple[str, int, float, float]]:
    """Send every command, `concurrency` at a time; each one's [name, status, sent, answered]."""
    parts = urlsplit(url)
    host, port, path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path
    queue = iter(commands)
    answers: list[tuple[str, int, float, float]] = []

    async def sender() -> None:
        for name, fields in queue:  # one shared iterator: each command is sent once
            body, content_type = encode(fields)
            headers = signed_headers(secret, body, content_type)
            sent = time.monotonic()
            status = await _post(host, port, path, headers, body)
            answers.append((name, status, sent, time.monotonic()))

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return answers


async def _post(host: str, port: int, path: str, headers: dict[str, str], body: bytes) -> int:
    """POST on a new connection, read the whole answer; its status, or 0 if it failed."""
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            reader, writer = await asyncio.open_connection(host, port)
            try:
                head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
                writer.write(
                    f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
                    f"Content-Length: {len(body)}\r\n{head}\r\n".encode()
                    + body
                )
                await writer.drain()
                answer = await reader.read()  # to the end: the server closes
            finally:
                writer.close()
    except (OSError, TimeoutError):
        return 0
    status_line = answer.split(b"\r\n", 1)[0].split()
    return int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 0


def main() -> None:
    url, concurrency, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    commands = [(name, fields) for name, fields in json.load(sys.stdin)]
    json.dump(asyncio.run(send_all(url, concurrency, secret, commands)), sys.stdout)


if __name__ == "__main__":
    main()
