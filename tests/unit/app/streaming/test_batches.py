"""take_batches: batches hand over at once when the worker idles, wait when it is loaded, never
exceed ``max_``, and ack only after the caller has consumed them."""

from __future__ import annotations

import asyncio
import time
import uuid

import faust
import pytest

from app.process.cpu import CpuLoad
from app.streaming import batches as faust_compat
from app.streaming.batches import take_batches


@pytest.fixture
def offline_app() -> faust.App:
    # No broker is contacted (see tests/unit/app/serialization/test_codec.py).
    app = faust.App(
        f"take-test-{uuid.uuid4().hex[:8]}",
        broker="kafka://127.0.0.1:1",
        store="memory://",
        autodiscover=False,
    )
    app.finalize()
    app.flow_control.resume()
    return app


def _collecting_agent(app: faust.App, max_: int, within: float) -> tuple[faust.types.AgentT, list]:
    topic = app.topic(f"t-{uuid.uuid4().hex[:8]}", value_serializer="raw")
    batches: list[tuple[float, list[bytes], list[bool]]] = []

    async def collect(stream: faust.StreamT) -> None:
        async for events in take_batches(stream, max_, within):
            # Acked after the batch is consumed, never while the caller holds it.
            batches.append(
                (time.monotonic(), [e.value for e in events], [e.message.acked for e in events])
            )

    agent = app.agent(topic, name=f"collect-{uuid.uuid4().hex[:8]}")(collect)
    return agent, batches


async def _wait_for(batches: list, n: int) -> None:
    async def arrived() -> None:
        while sum(len(b[1]) for b in batches) < n:  # noqa: ASYNC110 - the agent has no hook
            await asyncio.sleep(0.005)

    try:
        await asyncio.wait_for(arrived(), timeout=5)
    except TimeoutError:
        got = [len(b[1]) for b in batches]
        raise AssertionError(
            f"expected {n} events in batches within 5 s, got sizes {got}"
        ) from None


async def test_an_event_on_an_idle_worker_goes_through_without_the_batch_wait(
    offline_app: faust.App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(faust_compat, "cpu_load", lambda: 0.0)
    agent, batches = _collecting_agent(offline_app, max_=100, within=2.0)
    async with agent.test_context() as ctx:
        sent_at = time.monotonic()
        await ctx.put(b"one")
        await _wait_for(batches, 1)
    (at, values, acked), *_ = batches
    assert values == [b"one"]
    assert at - sent_at < 1.0, f"an idle worker held the event {at - sent_at:.3f} s"
    assert acked == [False]


async def test_a_worker_under_half_a_core_does_not_wait(
    offline_app: faust.App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(faust_compat, "cpu_load", lambda: 0.45)
    agent, batches = _collecting_agent(offline_app, max_=100, within=2.0)
    async with agent.test_context() as ctx:
        sent_at = time.monotonic()
        await ctx.put(b"one")
        await _wait_for(batches, 1)
    assert batches[0][0] - sent_at < 1.0, "a worker at 0.45 of a core waited for a batch"


async def test_a_loaded_worker_waits_up_to_within_and_batches(
    offline_app: faust.App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(faust_compat, "cpu_load", lambda: 1.0)
    agent, batches = _collecting_agent(offline_app, max_=100, within=0.3)
    async with agent.test_context() as ctx:
        sent_at = time.monotonic()
        for i in range(5):
            # wait=False: put would otherwise wait for each event to enter a batch alone
            await ctx.put(str(i).encode(), wait=False)
        await _wait_for(batches, 5)
    assert [v for _, vs, _ in batches for v in vs] == [b"0", b"1", b"2", b"3", b"4"]
    assert len(batches) == 1, f"expected one batch, got sizes {[len(b[1]) for b in batches]}"
    assert batches[0][0] - sent_at >= 0.25, "the batch did not wait for more events"


async def test_a_batch_never_holds_more_than_max(
    offline_app: faust.App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(faust_compat, "cpu_load", lambda: 1.0)
    agent, batches = _collecting_agent(offline_app, max_=3, within=0.2)
    async with agent.test_context() as ctx:
        for i in range(7):
            await ctx.put(str(i).encode(), wait=False)
        await _wait_for(batches, 7)
    sizes = [len(vs) for _, vs, _ in batches]
    assert max(sizes) <= 3, f"batch sizes {sizes}"
    assert [v for _, vs, _ in batches for v in vs] == [str(i).encode() for i in range(7)]


def test_cpu_load_is_the_share_of_one_core_since_the_last_reading() -> None:
    load = CpuLoad(period=0.05)
    assert load() == 1.0  # before a first reading: assume busy (large batches)
    time.sleep(0.06)  # sleeping uses no CPU
    assert load() < 0.5
    end = time.monotonic() + 0.06
    while time.monotonic() < end:  # spinning uses a whole core
        pass
    assert load() > 0.5


async def test_a_batch_is_acked_when_the_caller_asks_for_the_next(
    offline_app: faust.App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(faust_compat, "cpu_load", lambda: 0.0)
    agent, batches = _collecting_agent(offline_app, max_=100, within=1.0)
    async with agent.test_context() as ctx:
        first = await ctx.put(b"first")
        await _wait_for(batches, 1)
        await ctx.put(b"second")
        await _wait_for(batches, 2)
        assert first.message.acked, "the first batch was not acked when the next was asked for"


async def test_events_of_an_earlier_consumer_generation_are_skipped_and_acked(
    offline_app: faust.App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(faust_compat, "cpu_load", lambda: 0.0)
    agent, batches = _collecting_agent(offline_app, max_=100, within=1.0)
    async with agent.test_context() as ctx:
        offline_app.consumer_generation_id = 7  # a rebalance happened after these were read
        stale = await ctx.put(b"stale", wait=False)
        stale.message.generation_id = 6
        fresh = await ctx.put(b"fresh", wait=False)
        fresh.message.generation_id = 7
        await _wait_for(batches, 1)
    assert [v for _, vs, _ in batches for v in vs] == [b"fresh"]
    assert stale.message.acked, "a skipped event must be acked, as Faust's stream does"


async def test_a_batch_whose_caller_fails_stays_unacked(
    offline_app: faust.App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(faust_compat, "cpu_load", lambda: 0.0)
    topic = offline_app.topic(f"t-{uuid.uuid4().hex[:8]}", value_serializer="raw")
    seen: list[faust.EventT] = []

    async def failing(stream: faust.StreamT) -> None:
        async for events in take_batches(stream, 100, 1.0):
            seen.extend(events)
            raise RuntimeError("the batch failed")

    agent = offline_app.agent(topic, name=f"fail-{uuid.uuid4().hex[:8]}")(failing)
    async with agent.test_context() as ctx:
        with pytest.raises(RuntimeError, match="the batch failed"):
            await ctx.put(b"one")
    assert [e.value for e in seen] == [b"one"]
    assert not seen[0].message.acked, "a failed batch was acked: a restart would not replay it"
