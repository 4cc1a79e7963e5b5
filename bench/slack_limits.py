"""Slack's rate limits on chat.postMessage, for the Slack stand-in (`limit_rate`), and the
least time they allow for a fan-out.

Three rules, checked in turn for each post:
- a channel takes one message a second (a second post within the second is refused);
- the workspace takes `per_second` posts a second: a bucket of that many, refilled at that
  rate (Slack publishes no figure; a few hundred a minute is what apps meet);
- of the posts those let through, every `every`-th is refused all the same (Slack's
  limits are not exact, and other apps share the workspace).
A refused post is answered HTTP 429 with Retry-After: the seconds until the rule that
refused it would let it through (at least 1, as Slack rounds up to whole seconds).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any


class SlackLimits:
    def __init__(
        self,
        per_second: float,
        every: int,
        channel_seconds: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_second = per_second
        self.every = every
        self.channel_seconds = channel_seconds
        self._monotonic = monotonic
        self._tokens = per_second
        self._filled_at = monotonic()
        self._last_in_channel: dict[str, float] = {}
        self._let_through = 0
        self._lock = threading.Lock()
        self.refused = {"channel": 0, "workspace": 0, "every": 0}

    def __call__(self, args: dict[str, Any]) -> int | None:
        """Seconds of Retry-After to refuse this post with, or None to accept it."""
        with self._lock:
            now = self._monotonic()
            channel = str(args.get("channel"))
            last = self._last_in_channel.get(channel)
            if last is not None and now - last < self.channel_seconds:
                return self._refuse("channel", self.channel_seconds - (now - last))
            self._refill(now)
            if self._tokens < 1:
                return self._refuse("workspace", (1 - self._tokens) / self.per_second)
            self._tokens -= 1
            self._let_through += 1
            if self._let_through % self.every == 0:
                return self._refuse("every", 1)
            self._last_in_channel[channel] = now
            return None

    def _refill(self, now: float) -> None:
        self._tokens = min(
            self.per_second, self._tokens + (now - self._filled_at) * self.per_second
        )
        self._filled_at = now

    def _refuse(self, rule: str, seconds: float) -> int:
        self.refused[rule] += 1
        return max(1, math.ceil(seconds))

    def least_seconds(self, channels: int) -> float:
        """The least time these limits allow for one post to each of `channels` channels:
        the posts the workspace must let through (every `every`-th of them refused) at
        `per_second` a second, the bucket full at the start."""
        let_through = channels + (channels - 1) // (self.every - 1)
        return max(0.0, (let_through - self.per_second) / self.per_second)
