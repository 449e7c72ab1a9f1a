"""How busy this process is: the share of one core it used lately (batch waits read it)."""

from __future__ import annotations

import time


class CpuLoad:
    """The process's share of one core over the last ``period`` seconds, read lazily."""

    def __init__(self, period: float = 0.5) -> None:
        self.period = period
        self._wall = time.monotonic()
        self._cpu = time.process_time()
        self.value = 1.0  # start as if busy: large batches until measured

    def __call__(self) -> float:
        wall = time.monotonic()
        if wall - self._wall >= self.period:
            cpu = time.process_time()
            self.value = min(1.0, max(0.0, (cpu - self._cpu) / (wall - self._wall)))
            self._wall, self._cpu = wall, cpu
        return self.value


#: One meter for every stage: they share the process, and so its one core.
cpu_load = CpuLoad()
