"""Lanes: many channels (or people) at once, each one's work in order and one at a time."""

from __future__ import annotations

import contextvars
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.base.lanes import LaneExecutor
from bot.deliveries.lanes import Lanes


def test_each_lanes_tasks_run_in_order_one_at_a_time_and_lanes_side_by_side() -> None:
    started = {lane: threading.Event() for lane in ("A", "B")}
    release = threading.Event()
    running: dict[str, int] = {"A": 0, "B": 0}
    most = {"A": 0, "B": 0}
    lock = threading.Lock()

    def task(lane: str, number: int) -> str:
        with lock:
            running[lane] += 1
            most[lane] = max(most[lane], running[lane])
        started[lane].set()
        release.wait(timeout=10)
        with lock:
            running[lane] -= 1
        return f"{lane}{number}"

    with Lanes[str](threads=4, backlog=10, name="test") as lanes:
        for number in range(3):
            for lane in ("A", "B"):
                lanes.add(lane, lambda lane=lane, number=number: task(lane, number))
        # Both lanes' first tasks run at once: neither waits for the other.
        assert started["A"].wait(timeout=10) and started["B"].wait(timeout=10)
        release.set()
    assert most == {"A": 1, "B": 1}
    assert [result for result in lanes.results if result[0] == "A"] == ["A0", "A1", "A2"]
    assert [result for result in lanes.results if result[0] == "B"] == ["B0", "B1", "B2"]


def test_adding_waits_while_the_backlog_is_full() -> None:
    release = threading.Event()
    added: list[int] = []
    with Lanes[int](threads=2, backlog=2, name="test") as lanes:

        def add_five() -> None:
            for number in range(5):
                lanes.add(f"L{number}", lambda number=number: release.wait(10) and number)
                added.append(number)

        adding = threading.Thread(target=add_five)
        adding.start()
        deadline = time.monotonic() + 10
        while len(added) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        adding.join(timeout=0.2)
        assert added == [0, 1]  # the third waits for room, however long
        release.set()
        adding.join(timeout=10)
    assert sorted(lanes.results) == [0, 1, 2, 3, 4]


def test_a_task_that_raises_stops_the_rest_and_is_raised_again() -> None:
    def boom() -> str:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"), Lanes[str](1, 10, "test") as lanes:
        lanes.add("A", boom)
        lanes.add("A", lambda: "never")
        lanes.add("B", lambda: "never")
    assert lanes.failed and lanes.results == []


def test_a_lane_executor_keeps_each_lanes_order_on_several_threads_and_its_context() -> None:
    """A person's requests (a lane) one at a time in order, while another's go past; each
    task in the context it was submitted from (its request id), even after waiting."""
    request = contextvars.ContextVar("request", default="none")
    first_running, release = threading.Event(), threading.Event()
    done: list[str] = []
    lock = threading.Lock()

    def task(name: str) -> None:
        if name == "A0":
            first_running.set()
            release.wait(timeout=10)
        with lock:
            done.append(f"{name}:{request.get()}")

    pool = ThreadPoolExecutor(max_workers=4)
    lanes = LaneExecutor(pool)
    for name in ("A0", "A1", "B0", "A2", "B1"):
        request.set(f"r-{name}")
        lanes.submit(name[0], lambda name=name: task(name))
    assert first_running.wait(timeout=10)
    deadline = time.monotonic() + 10
    while len(done) < 2 and time.monotonic() < deadline:  # B's go past A's first
        time.sleep(0.01)
    assert done == ["B0:r-B0", "B1:r-B1"]
    release.set()
    pool.shutdown(wait=True)
    assert [each for each in done if each.startswith("A")] == ["A0:r-A0", "A1:r-A1", "A2:r-A2"]


def test_a_task_that_raises_is_logged_and_its_lane_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    done: list[str] = []

    def boom() -> None:
        raise RuntimeError("the database went away")

    pool = ThreadPoolExecutor(max_workers=2)
    lanes = LaneExecutor(pool)
    lanes.submit("A", boom)
    lanes.submit("A", lambda: done.append("after"))
    pool.shutdown(wait=True)
    assert done == ["after"]
    assert "went away" in caplog.text
