"""Timeouts without a timer per call: route timeouts (the RPC dispatcher) and waits for a pooled
connection (database/connection_pool.py).

`asyncio.timeout` arms and disarms a loop timer for every call, a measurable share of a cheap
request. Here one ticker per event loop, running only while some request is watched, cancels the
handlers whose deadline has passed; a timeout fires up to `RESOLUTION_SECONDS` late.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

# The running task of a loop, without a Python frame: Python 3.12 made asyncio.current_task C;
# 3.11's is a Python wrapper around this C-owned dict's lookup.
_current_task: Callable[[asyncio.AbstractEventLoop], asyncio.Task[object] | None]
if sys.version_info >= (3, 12):
    _current_task = asyncio.current_task
else:
    _current_task = asyncio.tasks._current_tasks.get  # pyright: ignore[reportAttributeAccessIssue]

RESOLUTION_SECONDS = 0.05


class Deadlines:
    __slots__ = ("_expired", "_ticking", "_watched")

    def __init__(self) -> None:
        # task -> (deadline, how many cancellations it had pending when watching began)
        self._watched: dict[asyncio.Task[object], tuple[float, int]] = {}
        self._expired: dict[asyncio.Task[object], int] = {}
        # Loops with a ticker scheduled (a plain set: a WeakSet's lookup costs more than the rest
        # of `watch`; a loop leaves it when its ticker stops).
        self._ticking: set[asyncio.AbstractEventLoop] = set()

    def watch(self, seconds: float) -> asyncio.Task[object]:
        """Cancel the current task if it is still watched `seconds` from now; pass the returned
        task to `expired` when the watched work ends, however it ends."""
        loop = asyncio.get_running_loop()
        task = _current_task(loop)
        assert task is not None, "deadlines watch tasks"
        self._watched[task] = (loop.time() + seconds, task.cancelling())
        if loop not in self._ticking:
            self._ticking.add(loop)
            loop.call_later(RESOLUTION_SECONDS, self._tick, loop)
        return task

    def expired(self, task: asyncio.Task[object]) -> bool:
        """Stop watching `task`; True when its deadline, and nothing else, cancelled it (that
        cancellation is then consumed, so the caller can answer instead of unwinding). A task
        also cancelled from outside (a server shutting down) gets False: let it unwind."""
        if self._watched.pop(task, None) is not None:
            return False
        baseline = self._expired.pop(task, None)
        if baseline is None:
            return False
        return task.uncancel() <= baseline

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        overdue = [task for task, (deadline, _) in self._watched.items() if deadline <= now and task.get_loop() is loop]
        for task in overdue:
            _, baseline = self._watched.pop(task)
            self._expired[task] = baseline
            task.cancel()
        if any(task.get_loop() is loop for task in self._watched):
            loop.call_later(RESOLUTION_SECONDS, self._tick, loop)
        else:
            self._ticking.discard(loop)
