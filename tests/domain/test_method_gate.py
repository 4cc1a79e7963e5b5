"""The method gate: a 429 holds back every caller of that method, and only that method."""

from __future__ import annotations

import pytest
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState

from bot.base.slack_web import MethodGate, RateLimitRetryWithin, retry_after


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_closed_method_is_waited_for_and_other_methods_are_not() -> None:
    time = FakeTime()
    gate = MethodGate(time.monotonic, time.sleep)
    gate.close("chat.postMessage", 3)
    assert gate.wait("conversations.history", at_most=60) == 0
    assert gate.wait("chat.postMessage", at_most=60) == 3
    assert gate.remaining("chat.postMessage") == 0
    assert gate.wait("chat.postMessage", at_most=60) == 0


def test_a_shorter_429_never_shortens_a_longer_one_and_waits_are_bounded() -> None:
    time = FakeTime()
    gate = MethodGate(time.monotonic, time.sleep)
    gate.close("chat.postMessage", 30)
    gate.close("chat.postMessage", 1)
    assert gate.remaining("chat.postMessage") == 30
    assert gate.wait("chat.postMessage", at_most=5) == 5  # the caller's limit
    assert gate.remaining("chat.postMessage") == 25


def refused(handler: RateLimitRetryWithin, state: RetryState, retry_after: str = "1") -> None:
    """The handler hears a 429 to a chat.postMessage and prepares the retry."""
    request = HttpRequest(method="POST", url="https://slack.com/api/chat.postMessage", headers={})
    response = HttpResponse(status_code=429, headers={"Retry-After": retry_after})
    assert handler.can_retry(state=state, request=request, response=response)
    handler.prepare_for_next_attempt(state=state, request=request, response=response)


def test_a_429_in_the_burst_another_thread_was_refused_in_is_not_counted_again() -> None:
    time = FakeTime()
    gate = MethodGate(time.monotonic, time.sleep)
    handler = RateLimitRetryWithin(max_retry_count=3, budget_seconds=60, gate=gate)
    alone = RetryState()
    refused(handler, alone)
    assert alone.current_attempt == 1 and time.slept == [1]  # waited out the Retry-After
    # Another thread's call, made alongside, is refused while the gate is closed.
    gate.close("chat.postMessage", 1)
    in_the_burst = RetryState()
    refused(handler, in_the_burst)
    assert in_the_burst.current_attempt == 0
    assert in_the_burst.custom_values == {"waited_seconds": 1}


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("2", 2),
        (["30"], 30),
        ("", 1),
        ("soon", 1),
        ("-5", 1),
        ("²", 1),  # a digit to str.isdigit, not to int()
        ("999999999999", 3600),  # a day past the calendar's end, were it believed
    ],
)
def test_retry_after_reads_whole_seconds_and_at_most_an_hour(
    header: str | list[str], seconds: int
) -> None:
    assert retry_after({"Retry-After": header}) == seconds
