"""Lanes: many channels at once, each channel's work in order and one at a time."""

from __future__ import annotations

import threading
import time

import pytest

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
