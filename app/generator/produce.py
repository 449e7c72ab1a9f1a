"""Produce generated traffic to the raw topics, as an outside producer would (plain aiokafka,
Confluent wire format)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer

from app.generator.traffic import Generated
from app.settings import Settings
from app.topics import RAW
from app.wire import encoder


def encode_all(events: Sequence[Generated]) -> list[tuple[str, bytes, bytes]]:
    """(topic logical name, key, value) per event; malformed garbage kept as is."""
    out = []
    for g in events:
        value = g.garbage if g.event is None else encoder(RAW[g.family])(g.event)
        out.append((RAW[g.family], g.key, value))
    return out


async def produce(
    settings: Settings, events: Sequence[Generated], rate: float | None = None
) -> float:
    """Send every event (at ``rate`` events/s when given); return the seconds it took."""
    encoded = await asyncio.to_thread(encode_all, events)
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        linger_ms=5,
        acks="all",
        max_batch_size=256 * 1024,
    )
    await producer.start()
    started = time.perf_counter()
    try:
        futures = []
        for i, (topic, key, value) in enumerate(encoded):
            if rate:
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            futures.append(await producer.send(settings.topic(topic), value=value, key=key))
        await producer.flush()
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return time.perf_counter() - started
