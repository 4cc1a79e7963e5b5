"""The tests' fake Slack: the console's stand-in for Slack's Web API
(`bot/runtime/console/slack_standin.py`), which Slack fails now and then, as the tests ask:
an error or an HTTP status in place of an answer (`fail_next`), a rate limit (`limit_rate`),
an answer lost after the call was done (`lose_answer`) or held back (`hold`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.runtime.console.slack_standin import DROP, Refusal, SlackStandIn

__all__ = ["DROP", "FakeSlack", "RateRule"]

# A call's args -> the seconds of Retry-After to refuse it with (HTTP 429), or None to answer.
RateRule = Callable[[dict[str, Any]], int | None]


@dataclass
class _Failure:
    refusal: Refusal
    remaining: int
    channel: str | None  # only calls to this channel fail, when set


class FakeSlack(SlackStandIn):
    """The stand-in, with failures injected for tests (and bench/scheduler_bench.py)."""

    def __init__(self) -> None:
        super().__init__()
        self._failures: dict[str, list[_Failure]] = {}
        self._rate_rules: dict[str, RateRule] = {}
        self._lost_answers: dict[str, int] = {}
        self._holds: dict[str, list[tuple[str | None, threading.Event]]] = {}

    def fail_next(
        self,
        method: str,
        error: str = "internal_error",
        status: int = 200,
        headers: dict[str, str] | None = None,
        times: int = 1,
        channel: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with {"ok": false, "error": error}.

        With ``channel``, only calls whose ``channel`` argument is that one fail.
        A 429 without explicit headers gets ``Retry-After: 1`` as Slack sends; ``status=DROP``
        closes the connection without an answer, as a network failure would. Also works for
        methods "response_url" and "file_upload" (answers a plain-text ``error`` body with
        ``status``).
        """
        if headers is None:
            headers = {"Retry-After": "1"} if status == 429 else {}
        failure = _Failure(Refusal(error, status, dict(headers)), times, channel)
        with self._lock:
            self._failures.setdefault(method, []).append(failure)

    def limit_rate(self, method: str, rule: RateRule) -> None:
        """Refuse calls of ``method`` as Slack's rate limits do: ``rule`` sees each call's
        args, in turn, and says how many seconds of Retry-After to answer HTTP 429 with,
        or None to answer as usual (see bench/slack_limits.py)."""
        with self._lock:
            self._rate_rules[method] = rule

    def lose_answer(self, method: str, times: int = 1) -> None:
        """Do the next ``times`` calls of ``method`` (a post goes into the history), then
        close the connection without answering: the network failing after Slack acted."""
        with self._lock:
            self._lost_answers[method] = self._lost_answers.get(method, 0) + times

    def hold(self, method: str, channel: str | None = None) -> threading.Event:
        """Keep back the answer to the next ``method`` call (to ``channel``, when given)
        until the returned event is set.

        The call is recorded and done at once (a post is in the history), but its caller
        waits for the answer: a test can kill the caller meanwhile, then set the event.
        """
        released = threading.Event()
        with self._lock:
            self._holds.setdefault(method, []).append((channel, released))
        return released

    def _refusal(self, method: str, args: Mapping[str, Any]) -> Refusal | None:
        channel = str(args.get("channel"))
        with self._lock:
            queue = self._failures.get(method, [])
            failure = next((f for f in queue if f.channel in (None, channel)), None)
            if failure is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    queue.remove(failure)
                return failure.refusal
            rule = self._rate_rules.get(method)
            wait = rule(dict(args)) if rule is not None else None
        if wait is None:
            return None
        return Refusal("ratelimited", 429, {"Retry-After": str(wait)})

    def _answering(self, method: str, args: Mapping[str, Any]) -> bool:
        channel = str(args.get("channel"))
        with self._lock:
            holds = self._holds.get(method, [])
            held = next((h for h in holds if h[0] in (None, channel)), None)
            if held is not None:
                holds.remove(held)
            lost = self._lost_answers.get(method, 0) > 0
            if lost:
                self._lost_answers[method] -= 1
        if held is not None:
            held[1].wait(timeout=60)
        return not lost
