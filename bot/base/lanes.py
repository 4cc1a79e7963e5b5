"""Work for many keys at once, each key's in order: one lane a key, on a pool of threads.

The scheduler sends to many channels at once, each channel's messages one at a time
(`bot/deliveries/lanes.py`); the inbox does many people's commands at once, each person's
in the order they came (`handlers/inbox.py`).
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Executor

logger = logging.getLogger(__name__)

Task = Callable[[], object]


class LaneExecutor:
    """Run tasks on `pool`, a lane's one at a time in the order submitted, different lanes'
    side by side. Each task runs in the context it was submitted from (its request id),
    even one that waited in its lane. A task that raises is logged, and its lane goes on."""

    def __init__(self, pool: Executor) -> None:
        self._pool = pool
        self._lock = threading.Lock()
        # A lane running: the tasks that follow, each with the context it came from.
        self._waiting: dict[Hashable, deque[tuple[contextvars.Context, Task]]] = {}

    def submit(self, lane: Hashable, task: Task) -> None:
        """Run `task` once the lane's earlier tasks are done. Raises RuntimeError if the
        pool is shutting down and the lane is not running (what waits in it is dropped)."""
        queued = (contextvars.copy_context(), task)
        with self._lock:
            if lane in self._waiting:
                self._waiting[lane].append(queued)
                return
            self._waiting[lane] = deque()
        try:
            self._pool.submit(self._run, lane, queued)
        except RuntimeError:
            with self._lock:
                del self._waiting[lane]
            raise

    def _run(self, lane: Hashable, queued: tuple[contextvars.Context, Task]) -> None:
        while True:
            context, task = queued
            try:
                context.run(task)
            except Exception:
                logger.exception("a task of lane %s failed", lane)
            with self._lock:
                following = self._waiting[lane]
                if not following:
                    del self._waiting[lane]
                    return
                queued = following.popleft()
