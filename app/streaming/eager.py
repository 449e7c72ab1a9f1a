"""Run a coroutine's first step in the caller's task; only a coroutine that blocks gets a Task.

Faust's consumer hands every fetched message to the conductor through
``Service.wait_first(callback(message), suspend_flow.wait())``: four Tasks, an
``asyncio.wait`` and three cancellations per message, though the callback almost never blocks
(it decodes and puts on a queue with room). ``step`` runs that first step directly; when the
coroutine does block (a full queue, flow control during a rebalance), the caller gets back a
coroutine that continues it and waits on it the way Faust does.
"""

from __future__ import annotations

import types
from collections.abc import Coroutine, Generator
from typing import Any, TypeVar

T = TypeVar("T")


def step(coro: Coroutine[Any, Any, T]) -> Coroutine[Any, Any, T] | None:
    """Run ``coro`` until it first blocks: None if it finished, else its continuation.

    An exception raised in the first step propagates here, as it would from awaiting ``coro``.
    """
    try:
        yielded = coro.send(None)
    except StopIteration:
        return None
    return _finish(coro, yielded)


async def _finish(coro: Coroutine[Any, Any, T], yielded: Any) -> T:
    return await _delegate(coro, yielded)


@types.coroutine
def _delegate(coro: Coroutine[Any, Any, T], yielded: Any) -> Generator[Any, Any, T]:
    # PEP 380's expansion of ``yield from coro`` for a coroutine already past its first
    # step: hand the future it is blocked on to the Task running us, then pass back whatever
    # the Task sends or throws (a result, a cancellation) until the coroutine returns.
    while True:
        try:
            sent = yield yielded
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:
            try:
                yielded = coro.throw(exc)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
        else:
            try:
                yielded = coro.send(sent)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
