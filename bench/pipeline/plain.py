"""The ceiling: plain aiokafka consume → decode → encode → produce, chained three times in one
process, batched the way a careful hand-written loop would be (getmany, one gather per batch,
commit after the batch is acknowledged). Same Avro codecs as the worker."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from app.wire.codecs import decoder, encoder
from app.wire.topics import RAW
from bench.pipeline.hops import HOPS, family_of, hop_topic

SYSTEM = "plain"


class _Progress:
    def __init__(self) -> None:
        self.first_seen: float | None = None
        self.last_done = 0.0
        self.done = 0
        self.expected: int | None = None
        self.finished = asyncio.Event()


async def _hop(
    bootstrap: str, prefix: str, hop: int, producer: AIOKafkaProducer, progress: _Progress
) -> None:
    sources = [hop_topic(prefix, SYSTEM, f, hop - 1) for f in RAW]
    consumer = AIOKafkaConsumer(
        *sources,
        bootstrap_servers=bootstrap,
        group_id=f"{prefix}plain-hop{hop}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=200, max_records=2000)
            if batches and progress.first_seen is None:
                progress.first_seen = time.perf_counter()
            futures = []
            for tp, records in batches.items():
                family = family_of(prefix, tp.topic)
                decode, encode = decoder(RAW[family]), encoder(RAW[family])
                target = hop_topic(prefix, SYSTEM, family, hop)
                for r in records:
                    value = encode(decode(r.value))
                    futures.append(await producer.send(target, value=value, key=r.key))
            if futures:
                await asyncio.gather(*futures)
                await consumer.commit()
                progress.done += len(futures)
                progress.last_done = time.perf_counter()
                if progress.expected is not None and progress.done >= progress.expected:
                    progress.finished.set()
    finally:
        await consumer.stop()


async def run_plain(bootstrap: str, prefix: str, expected: int, timeout: float) -> float:
    """Events/s through three hops: ``expected`` events over first to last batch of hop 3."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=2, acks="all")
    await producer.start()
    per_hop = [_Progress() for _ in range(HOPS)]
    per_hop[-1].expected = expected
    tasks = [
        asyncio.create_task(_hop(bootstrap, prefix, h + 1, producer, per_hop[h]))
        for h in range(HOPS)
    ]
    try:
        async with asyncio.timeout(timeout):
            await per_hop[-1].finished.wait()
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await producer.stop()
    first = per_hop[0].first_seen or 0.0
    return expected / max(per_hop[-1].last_done - first, 1e-6)
