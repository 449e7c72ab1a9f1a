"""Offload: the first call goes to the executor, short calls then run inline, long ones do not."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from app.process.offload import Offload


def _spin(seconds: float) -> str:
    """Busy for ``seconds`` of this thread's CPU time (sleeping would not count)."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass
    return threading.current_thread().name


async def test_measured_short_calls_run_inline() -> None:
    with ThreadPoolExecutor(1, thread_name_prefix="off") as pool:
        off = Offload(pool, inline_below=0.005)
        first = await off.run(lambda: _spin(0.0001), items=10)
        assert first.startswith("off"), "nothing measured yet: the first call must not block"
        assert off.per_item is not None
        assert off.per_item < 0.005 / 10
        again = await off.run(lambda: _spin(0.0001), items=10)
        assert again == threading.current_thread().name
        assert (off.inline_calls, off.executor_calls) == (1, 1)


async def test_a_call_expected_to_be_long_goes_to_the_executor() -> None:
    with ThreadPoolExecutor(1, thread_name_prefix="off") as pool:
        off = Offload(pool, inline_below=0.005)
        await off.run(lambda: _spin(0.002), items=1)  # measured: ~2 ms per item
        assert off.runs_inline(1)
        assert not off.runs_inline(10), "10 items x 2 ms is over the 5 ms limit"
        where = await off.run(lambda: _spin(0.002), items=10)
        assert where.startswith("off")


async def test_the_average_follows_a_call_that_became_slow() -> None:
    with ThreadPoolExecutor(1) as pool:
        off = Offload(pool, inline_below=0.005, smoothing=0.5)
        await off.run(lambda: _spin(0.0005), items=1)
        assert off.runs_inline(1)
        for _ in range(6):
            await off.run(lambda: _spin(0.008), items=1)
        assert not off.runs_inline(1), off.per_item


async def test_exclusive_never_runs_inline_while_a_call_is_on_the_executor() -> None:
    with ThreadPoolExecutor(1, thread_name_prefix="off") as pool:
        off = Offload(pool, inline_below=0.5, exclusive=True)
        await off.run(lambda: "measured", items=1)
        release = threading.Event()
        off.per_item = None  # the next call goes to the executor and holds it
        slow = asyncio.create_task(off.run(lambda: release.wait(5) and "slow", items=1))
        await asyncio.sleep(0.05)
        off.per_item = 0.0  # every call would be inline now, but one is in flight
        assert not off.runs_inline(1)
        release.set()
        assert await slow == "slow"
        assert off.runs_inline(1)


async def test_shared_mode_runs_inline_beside_a_call_in_flight() -> None:
    with ThreadPoolExecutor(1) as pool:
        off = Offload(pool, inline_below=0.5)
        release = threading.Event()
        slow = asyncio.create_task(off.run(lambda: release.wait(5), items=1))
        await asyncio.sleep(0.05)
        off.per_item = 0.0
        assert off.runs_inline(1)
        release.set()
        await slow
