"""step() runs a coroutine's first step inline and continues a blocked one in a Task."""

from __future__ import annotations

import asyncio

import pytest

from app.streaming.eager import step


async def test_a_coroutine_that_does_not_block_finishes_inline() -> None:
    ran: list[str] = []

    async def callback() -> None:
        ran.append("done")

    assert step(callback()) is None
    assert ran == ["done"]


async def test_an_error_in_the_first_step_propagates() -> None:
    async def callback() -> None:
        raise ValueError("bad message")

    with pytest.raises(ValueError, match="bad message"):
        step(callback())


async def test_a_blocked_coroutine_continues_with_its_result() -> None:
    queue: asyncio.Queue[int] = asyncio.Queue(maxsize=1)
    queue.put_nowait(1)
    order: list[str] = []

    async def callback() -> str:
        order.append("before")
        await queue.put(2)  # full: blocks until the get below
        order.append("after")
        return "delivered"

    rest = step(callback())
    assert rest is not None
    assert order == ["before"]
    task = asyncio.ensure_future(rest)
    await asyncio.sleep(0)
    assert not task.done()
    assert queue.get_nowait() == 1
    assert await asyncio.wait_for(task, 1.0) == "delivered"
    assert order == ["before", "after"]
    assert queue.get_nowait() == 2


async def test_cancelling_the_continuation_cancels_the_coroutine() -> None:
    never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    cleaned: list[str] = []

    async def callback() -> None:
        try:
            await never
        finally:
            cleaned.append("finally")

    rest = step(callback())
    assert rest is not None
    task = asyncio.ensure_future(rest)
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned == ["finally"]


async def test_an_exception_after_blocking_propagates() -> None:
    gate = asyncio.Event()

    async def callback() -> None:
        await gate.wait()
        raise RuntimeError("after the wait")

    rest = step(callback())
    assert rest is not None
    task = asyncio.ensure_future(rest)
    gate.set()
    with pytest.raises(RuntimeError, match="after the wait"):
        await asyncio.wait_for(task, 1.0)


async def test_a_coroutine_that_blocks_several_times_runs_to_the_end() -> None:
    async def callback() -> int:
        total = 0
        for i in range(5):
            await asyncio.sleep(0)
            total += i
        return total

    rest = step(callback())
    assert rest is not None
    assert await asyncio.wait_for(rest, 1.0) == 10
