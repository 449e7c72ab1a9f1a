"""Blocking calls run inline when they are short, on an executor when they are not.

An executor hop hands the loop back while the call runs. The cleaning stage's calls (the
anomaly model on a few dozen rows, Presidio's pattern recognizers) hold the GIL throughout, so
the hop buys no parallelism; what it costs is the wait to be resumed, because the loop first
runs whatever else is ready, other stages' whole batches included, and under load that wait is
many times a short call's own cost (measurements: docs/benchmarks.md, Design decisions,
app/process/offload.py).

:class:`Offload` keeps a moving average of a call's cost per item, measured where it ran, and
runs a call inline when the average says it will finish within ``inline_below``. The first call,
with nothing measured yet, goes to the executor: a model that turns out slow (a spaCy pipeline
instead of patterns) never blocks the loop to find out. With ``exclusive``, while a call is on
the executor the next ones queue behind it there, so an object that is not thread-safe
(Presidio's clean-text cache) is never used by two threads at once, given a one-thread executor.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TypeVar

T = TypeVar("T")

#: Longest a call may hold the loop. A stage's own batch holds it longer under load, and on the
#: executor the call would take the GIL for as long anyway (measurements: docs/benchmarks.md,
#: Design decisions, app/process/offload.py).
INLINE_BELOW_SECONDS = 0.010
#: Weight of the newest measurement in the moving average.
SMOOTHING = 0.2


class Offload:
    def __init__(
        self,
        executor: Executor | None,
        *,
        inline_below: float = INLINE_BELOW_SECONDS,
        smoothing: float = SMOOTHING,
        exclusive: bool = False,
    ) -> None:
        self.executor = executor
        self.exclusive = exclusive
        self.inline_below = inline_below
        self.smoothing = smoothing
        #: Seconds per item, None until the first call has been measured.
        self.per_item: float | None = None
        self.inline_calls = 0
        self.executor_calls = 0
        self._in_flight = 0

    def runs_inline(self, items: int) -> bool:
        if self.per_item is None or (self.exclusive and self._in_flight):
            return False
        return self.per_item * max(items, 1) < self.inline_below

    async def run(self, fn: Callable[[], T], items: int) -> T:
        """``fn()``, inline or on the executor; ``items`` is how many things it works on."""
        if self.runs_inline(items):
            self.inline_calls += 1
            return self._timed(fn, items)
        self.executor_calls += 1
        self._in_flight += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self.executor, self._timed, fn, items)
        finally:
            self._in_flight -= 1

    def _timed(self, fn: Callable[[], T], items: int) -> T:
        # CPU time of this thread: on the executor, wall time would count the wait for the GIL
        # (up to the 5 ms switch interval while the loop's thread is busy), and the average
        # would keep every call on the executor.
        started = time.thread_time()
        result = fn()
        self._learn((time.thread_time() - started) / max(items, 1))
        return result

    def _learn(self, per_item: float) -> None:
        # Written from the executor's thread too: a lost update only delays the average.
        old = self.per_item
        self.per_item = per_item if old is None else old + self.smoothing * (per_item - old)
