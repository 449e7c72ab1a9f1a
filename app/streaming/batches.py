"""Batches of events taken from an agent's stream queue in bulk."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from typing import Any, cast

from faust import EventT, StreamT
from mode.utils.futures import maybe_async

from app.process.cpu import cpu_load

log = logging.getLogger(__name__)


async def take_batches(
    stream: StreamT, max_: int, within: float
) -> AsyncGenerator[list[EventT], None]:
    """Batches of up to ``max_`` events from an agent's stream, taken from its queue in bulk.

    Faust's ``Stream.take_events`` feeds a buffer one event at a time: the stream's iterator
    and a processor run per event, under a passive-drainer task, machinery paid per event for
    nothing a batch needs. Here the batch is taken straight from the channel's queue (``get``
    for the first event, ``get_nowait`` for the rest), with the per-event bookkeeping of
    Faust's stream iterator kept: events of an earlier consumer generation, or read while flow
    control is off (a rebalance), are acked and skipped; the others are tracked as unacked and
    pass the message sensors.

    The batch wait starts at a batch's first event. It is nothing while the process uses under
    half a core and grows to ``within`` as it nears a whole one; it is skipped when ``max_``
    events are already queued. Under load the stages share one core, so a batch only grows by
    waiting, and large batches are what keep the CPU per event down; below half a core a
    stage would wait for events that are not coming (measurements: docs/benchmarks.md, Design
    decisions, app/streaming/batches.py).

    A batch's events are acked when the caller asks for the next batch, never before; if the
    caller fails or is cancelled mid-batch they stay unacked and are replayed.
    """
    s = cast(Any, stream)
    chan = s.channel
    if not getattr(chan, "is_iterator", False):
        raise RuntimeError(f"take_batches needs an agent's stream; {stream!r} has no channel queue")
    queue = chan.queue
    app = s.app
    consumer = app.consumer
    flow_control = app.flow_control
    acking_topics = app.topics.acking_topics
    add_unacked = consumer.unacked.add
    on_message_in = app.sensors.on_message_in
    on_message_out = app.sensors.on_message_out
    processors = s._processors

    def ack(event: EventT) -> None:
        message = event.message
        if event.ack():
            on_message_out(message.tp, message.offset, message)

    started_here = await s.maybe_start()
    try:
        while not s.should_stop:
            taken = [await queue.get()]
            if within > 0 and queue.qsize() + 1 < max_:
                linger = within * max(0.0, 2 * cpu_load() - 1)  # 0 below half a core
                if linger > 0:
                    await asyncio.sleep(linger)
            while len(taken) < max_ and not queue.empty():
                taken.append(queue.get_nowait())
            events: list[EventT] = []
            generation = app.consumer_generation_id
            active = flow_control.is_active()
            for event in taken:
                message = event.message
                if not active or message.generation_id != generation:
                    ack(event)  # as Faust's stream does with a stale event
                    continue
                if message.topic in acking_topics and not message.tracked:
                    message.tracked = True
                    add_unacked(message)
                    on_message_in(message.tp, message.offset, message)
                events.append(event)
                for processor in processors:  # none in production; agent.test_context adds one
                    await maybe_async(processor(event.value))
            if not events:
                continue
            yield events
            for event in events:
                ack(event)
    except StopAsyncIteration:
        # Thrown into the channel when it stops; as in Faust's iterator, that ends the stream
        # (re-raised from a generator it would become a RuntimeError).
        return
    finally:
        if started_here:
            await s.stop()
            s.service_reset()
