"""A stage batch's output records, sent through aiokafka's batch API.

Faust's ``topic.send`` costs a future message, a callback chain and a call of aiokafka's own
``send`` per record, and a stage batch sends hundreds of records at once (measurements:
docs/benchmarks.md, Design decisions, app/streaming/batch_send.py). Here a batch's records go
into one ``BatchBuilder`` per partition and each builder is handed to the producer once. The
records are the same: the same producer (Faust's,
so its flush before each offset commit covers them), the same default partitioner on the same
key bytes (keyed tables stay co-partitioned), the producer's compression, and per-partition
order as added.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aiokafka.partitioner import DefaultPartitioner, murmur2
from faust import TopicT
from faust.types import AppT

from app.errors import HeadwaterError
from app.streaming.current import kafka_producer


@lru_cache(maxsize=65536)
def _murmur2(key: bytes) -> int:
    return int(murmur2(key)) & 0x7FFFFFFF


class RecordTooLarge(HeadwaterError):
    """One record does not fit an empty batch: raise ``producer_max_request_size``."""


@dataclass(frozen=True)
class Shipped:
    """One batch handed to the producer; ``ack`` resolves to its first record's metadata."""

    topic: str
    partition: int
    count: int
    ack: asyncio.Future[Any]

    @property
    def last_offset(self) -> int:
        """The offset of the batch's last record (its records have consecutive offsets)."""
        return int(self.ack.result().offset) + self.count - 1


class BatchSend:
    """Collect records with :meth:`add`, then :meth:`finish` once: it returns when the broker
    has acknowledged every record (what awaiting each ``topic.send`` future did), or
    :meth:`ship` to hand them over without waiting."""

    def __init__(self, app: AppT) -> None:
        self._producer: Any = kafka_producer(app)
        self._open: dict[tuple[str, int], Any] = {}
        self._sent: list[Shipped] = []

    async def add(
        self, topic: TopicT, key: bytes | None, value: bytes, *, partition: int | None = None
    ) -> None:
        """Add one record; ``partition`` None means the producer's partitioner on ``key``."""
        producer = self._producer
        name = topic.get_topic_name()
        await producer.client._wait_on_metadata(name)  # returns at once once known
        if partition is None:
            partition = self._default_partition(name, key, value)
        else:
            partition = producer._partition(name, partition, None, None, key, value)
        tp = (name, partition)
        batch = self._open.get(tp)
        if batch is None:
            batch = self._open[tp] = producer.create_batch()
        if batch.append(key=key, value=value, timestamp=None) is not None:
            return
        await self._ship(tp, self._open.pop(tp))
        batch = self._open[tp] = producer.create_batch()
        if batch.append(key=key, value=value, timestamp=None) is None:
            raise RecordTooLarge(f"a {len(value)}-byte record for {name} fits no batch")

    def _default_partition(self, name: str, key: bytes | None, value: bytes) -> int:
        producer = self._producer
        if not key or not isinstance(getattr(producer, "_partitioner", None), DefaultPartitioner):
            return int(producer._partition(name, None, None, None, key, value))
        # DefaultPartitioner's own arithmetic on a cached hash: aiokafka's murmur2 is pure
        # Python, and a stage sees the same users' keys batch after batch (measurements:
        # docs/benchmarks.md, Design decisions, app/streaming/batch_send.py).
        partitions = list(producer._metadata.partitions_for_topic(name))
        return int(partitions[_murmur2(key) % len(partitions)])

    async def ship(self) -> list[Shipped]:
        """Hand every open batch to the producer; return all batches shipped since the last
        call, without waiting for their acknowledgements."""
        for tp in list(self._open):
            await self._ship(tp, self._open.pop(tp))
        shipped, self._sent = self._sent, []
        return shipped

    async def finish(self) -> None:
        shipped = await self.ship()
        await asyncio.gather(*(s.ack for s in shipped))

    async def _ship(self, tp: tuple[str, int], batch: Any) -> None:
        count = batch.record_count()
        if count:
            # Closed, it leaves at once (no linger) and no other send can add to it.
            batch.close()
            ack = await self._producer.send_batch(batch, tp[0], partition=tp[1])
            self._sent.append(Shipped(tp[0], tp[1], count, ack))
