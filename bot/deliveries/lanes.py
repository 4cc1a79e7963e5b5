"""Work for many channels at once, each channel's in order: a bounded pool of threads with
one lane a channel (`bot/base/lanes.py`).

Slack takes about one message a second in a channel but many channels at once, so a
scheduler sends to different channels side by side while keeping each one's messages in
the order it claimed them, one at a time (an announcement before its update).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from types import TracebackType
from typing import Generic, TypeVar

from bot.base.lanes import LaneExecutor

_T = TypeVar("_T")


class Lanes(Generic[_T]):
    """Run tasks on `threads` threads, one lane at a time per key; hold back whoever adds
    more while `backlog` tasks are waiting or running (so a large queue is claimed as it is
    sent, not all at once). Leaving the `with` block waits for every task; the results are
    then in `results`, and the first exception a task raised is raised again."""

    def __init__(self, threads: int, backlog: int, name: str) -> None:
        self.results: list[_T] = []
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._lanes = LaneExecutor(self._pool)  # each task in its adder's context
        self._room = threading.BoundedSemaphore(backlog)
        self._lock = threading.Lock()
        self._failure: BaseException | None = None

    def __enter__(self) -> Lanes[_T]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._pool.shutdown(wait=True)
        if error is None and self._failure is not None:
            raise self._failure

    @property
    def failed(self) -> bool:
        """Whether a task has raised: the caller stops adding more."""
        return self._failure is not None

    def add(self, lane: str, task: Callable[[], _T]) -> None:
        """Run `task` after the lane's earlier ones, once there is room."""
        self._room.acquire()
        self._lanes.submit(lane, partial(self._run, task))

    def _run(self, task: Callable[[], _T]) -> None:
        try:
            if self._failure is None:
                result = task()
                with self._lock:
                    self.results.append(result)
        except BaseException as error:  # raised again on leaving, in the caller's thread
            with self._lock:
                self._failure = self._failure or error
        finally:
            self._room.release()
