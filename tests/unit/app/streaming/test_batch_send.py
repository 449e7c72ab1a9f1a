"""BatchSend: one builder per partition, a new one when full, every record acknowledged by
finish(), a record too large for any batch named."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.partitioner import DefaultPartitioner

from app.streaming import batch_send
from app.streaming.batch_send import BatchSend, RecordTooLarge


class _Builder:
    def __init__(self, room: int) -> None:
        self.room = room
        self.records: list[tuple[bytes, bytes]] = []

    def append(self, *, key: bytes, value: bytes, timestamp: None) -> object | None:
        if len(value) > self.room:
            return None
        self.room -= len(value)
        self.records.append((key, value))
        return object()

    def close(self) -> None:
        self.room = -1

    def record_count(self) -> int:
        return len(self.records)


class _Client:
    async def _wait_on_metadata(self, topic: str) -> set[int]:
        return {0, 1}


class _Producer:
    """aiokafka's producer as BatchSend uses it; partitions by the key's first byte."""

    def __init__(self, room: int = 10) -> None:
        self.client = _Client()
        self.room = room
        self.shipped: list[tuple[str, int, list[tuple[bytes, bytes]]]] = []
        self.acks: list[asyncio.Future[None]] = []

    def _partition(
        self, topic: str, p: int | None, k: None, v: None, key: bytes, value: bytes
    ) -> int:
        return p if p is not None else key[0] % 2

    def create_batch(self) -> _Builder:
        return _Builder(self.room)

    async def send_batch(self, batch: _Builder, topic: str, *, partition: int) -> Any:
        self.shipped.append((topic, partition, batch.records))
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.acks.append(ack)
        return ack


class _Topic:
    def __init__(self, name: str) -> None:
        self.name = name

    def get_topic_name(self) -> str:
        return self.name


@pytest.fixture
def producer(monkeypatch: pytest.MonkeyPatch) -> _Producer:
    fake = _Producer()
    monkeypatch.setattr(batch_send, "kafka_producer", lambda app: fake)
    return fake


async def test_records_go_in_one_batch_per_partition_in_order(producer: _Producer) -> None:
    out = BatchSend(app=None)  # type: ignore[arg-type]
    topic = _Topic("cleaned.clickstream")
    for key, value in [(b"\x00", b"a"), (b"\x01", b"b"), (b"\x02", b"c"), (b"\x03", b"d")]:
        await out.add(topic, key, value)  # type: ignore[arg-type]
    assert producer.shipped == []  # nothing leaves before finish()
    done = asyncio.ensure_future(out.finish())
    await asyncio.sleep(0)
    assert sorted(producer.shipped) == [
        ("cleaned.clickstream", 0, [(b"\x00", b"a"), (b"\x02", b"c")]),
        ("cleaned.clickstream", 1, [(b"\x01", b"b"), (b"\x03", b"d")]),
    ]
    assert not done.done(), "finish() returned before the broker acknowledged"
    for ack in producer.acks:
        ack.set_result(None)
    await asyncio.wait_for(done, timeout=1)


async def test_a_full_batch_is_shipped_and_a_new_one_started(producer: _Producer) -> None:
    out = BatchSend(app=None)  # type: ignore[arg-type]
    topic = _Topic("enriched.events")
    for value in (b"12345", b"67890", b"abc"):  # room 10: the third does not fit
        await out.add(topic, b"\x00", value)  # type: ignore[arg-type]
    assert producer.shipped == [("enriched.events", 0, [(b"\x00", b"12345"), (b"\x00", b"67890")])]
    for ack in producer.acks:
        ack.set_result(None)
    task = asyncio.ensure_future(out.finish())
    await asyncio.sleep(0)
    producer.acks[-1].set_result(None)
    await asyncio.wait_for(task, timeout=1)
    assert producer.shipped[-1] == ("enriched.events", 0, [(b"\x00", b"abc")])


async def test_a_record_larger_than_any_batch_is_named(producer: _Producer) -> None:
    out = BatchSend(app=None)  # type: ignore[arg-type]
    await out.add(_Topic("t"), b"\x00", b"ok")  # type: ignore[arg-type]
    with pytest.raises(RecordTooLarge, match="11-byte record for t"):
        await out.add(_Topic("t"), b"\x00", b"x" * 11)  # type: ignore[arg-type]


async def test_an_explicit_partition_wins_and_ship_reports_last_offsets(
    producer: _Producer,
) -> None:
    out = BatchSend(app=None)  # type: ignore[arg-type]
    topic = _Topic("hw-sessions-changelog")
    for value in (b"a", b"b", b"c"):
        await out.add(topic, b"\x00", value, partition=1)  # type: ignore[arg-type]
    shipped = await out.ship()
    assert [(s.topic, s.partition, s.count) for s in shipped] == [("hw-sessions-changelog", 1, 3)]
    assert producer.shipped == [
        ("hw-sessions-changelog", 1, [(b"\x00", b"a"), (b"\x00", b"b"), (b"\x00", b"c")])
    ]
    producer.acks[0].set_result(type("Meta", (), {"offset": 40})())
    assert shipped[0].last_offset == 42  # base offset 40, three records
    assert await out.ship() == []  # ship() returns each batch once


class _Metadata:
    def __init__(self, partitions: int) -> None:
        self.partitions = partitions

    def partitions_for_topic(self, topic: str) -> set[int]:
        return set(range(self.partitions))


async def test_keys_land_where_aiokafkas_default_partitioner_puts_them(
    producer: _Producer,
) -> None:
    producer._partitioner = DefaultPartitioner()  # type: ignore[attr-defined]
    producer._metadata = _Metadata(4)  # type: ignore[attr-defined]
    producer.room = 10_000
    out = BatchSend(app=None)  # type: ignore[arg-type]
    keys = [f"user-{i}".encode() for i in range(200)]
    for key in keys + keys:  # the second pass hits the cache
        await out.add(_Topic("t"), key, b"v")  # type: ignore[arg-type]
    shipped = await out.ship()
    placed = {key: s.partition for s in shipped for key, _ in producer.shipped[shipped.index(s)][2]}
    expected = {k: DefaultPartitioner()(k, [0, 1, 2, 3], [0, 1, 2, 3]) for k in keys}
    assert placed == expected
    assert len(set(expected.values())) == 4
