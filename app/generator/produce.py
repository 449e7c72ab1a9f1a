"""Produce generated traffic to the raw topics, as an outside producer would (plain aiokafka,
Confluent wire format)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from app.generator.traffic import Generated
from app.serialization import warm_up
from app.settings import Settings
from app.wire.codecs import encoder
from app.wire.contracts import value_codec
from app.wire.topics import RAW


async def _prepare(settings: Settings) -> None:
    """Raw topics with the configured partitions (not the broker's auto-created single one),
    and the raw contracts registered before the first encode."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                settings.topic(t), settings.topic_partitions, settings.topic_replication_factor
            )
            for t in RAW.values()
            if settings.topic(t) not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()
    await warm_up([value_codec(t) for t in RAW.values()])


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
    await _prepare(settings)
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
