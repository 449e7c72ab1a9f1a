"""TableWrites: the store gets the value at once, the changelog the same bytes in the event's
partition, the persisted offset the last acknowledged record's."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from faust.stores.base import SerializedStore
from faust.types import TP

from app.streaming import batch_send
from app.streaming.table_writes import TableWrites
from tests.unit.app.streaming.test_batch_send import _Producer, _Topic


class _Store(SerializedStore):
    """Only what TableWrites touches; built without Faust's service machinery."""

    def __init__(self) -> None:  # no Service.__init__: nothing runs here
        self.rows: dict[bytes, bytes | None] = {}
        self.persisted: dict[TP, int] = {}

    def _set(self, key: bytes, value: bytes | None) -> None:
        self.rows[key] = value

    def set_persisted_offset(self, tp: TP, offset: int) -> None:
        self.persisted[tp] = offset


_Store.__abstractmethods__ = frozenset()  # the rest of the Store API is not used here


class _Serializers:
    def dumps_key(self, typ: Any, key: bytes, *, serializer: Any) -> bytes:
        return key

    def dumps_value(self, typ: Any, value: Any, *, serializer: Any) -> bytes:
        return repr(value).encode()


class _App:
    serializers = _Serializers()
    in_transaction = False


class _Table:
    key_type = bytes
    value_type = None
    key_serializer = "raw"
    value_serializer = "json"

    def __init__(self, name: str, *, expires: bool = False) -> None:
        self.name = name
        self.data = _Store()
        self.changelog_topic = _Topic(f"hw-{name}-changelog")
        self.expires = expires
        self.through_faust: dict[bytes, Any] = {}

    def _should_expire_keys(self) -> bool:
        return self.expires

    def __setitem__(self, key: bytes, value: Any) -> None:
        self.through_faust[key] = value


class _Message:
    def __init__(self, partition: int) -> None:
        self.partition = partition


class _Event:
    def __init__(self, partition: int) -> None:
        self.message = _Message(partition)


@pytest.fixture
def producer(monkeypatch: pytest.MonkeyPatch) -> _Producer:
    fake = _Producer(room=1000)
    monkeypatch.setattr(batch_send, "kafka_producer", lambda app: fake)
    return fake


def _meta(offset: int) -> Any:
    return type("Meta", (), {"offset": offset})()


async def test_values_are_stored_and_their_changelog_goes_to_the_events_partition(
    producer: _Producer,
) -> None:
    table = _Table("sessions")
    writes = TableWrites(_App())  # type: ignore[arg-type]
    await writes.set(table, _Event(1), b"\x00u1", {"n": 1})  # type: ignore[arg-type]
    await writes.set(table, _Event(1), b"\x02u2", {"n": 2})  # type: ignore[arg-type]
    await writes.set(table, _Event(0), b"\x01u3", {"n": 3})  # type: ignore[arg-type]
    assert table.data.rows == {
        b"\x00u1": b"{'n': 1}",
        b"\x02u2": b"{'n': 2}",
        b"\x01u3": b"{'n': 3}",
    }
    assert producer.shipped == []  # queued until ship()
    await writes.ship()
    assert sorted(producer.shipped) == [
        ("hw-sessions-changelog", 0, [(b"\x01u3", b"{'n': 3}")]),
        ("hw-sessions-changelog", 1, [(b"\x00u1", b"{'n': 1}"), (b"\x02u2", b"{'n': 2}")]),
    ]


async def test_the_persisted_offset_follows_each_acknowledged_batch(producer: _Producer) -> None:
    table = _Table("profiles")
    writes = TableWrites(_App())  # type: ignore[arg-type]
    for i in range(3):
        await writes.set(table, _Event(1), bytes([i]), i)  # type: ignore[arg-type]
    await writes.ship()
    assert table.data.persisted == {}  # nothing before the broker's acknowledgement
    producer.acks[0].set_result(_meta(100))
    await asyncio.sleep(0)
    assert table.data.persisted == {TP("hw-profiles-changelog", 1): 102}


async def test_a_failed_batch_leaves_the_offset_and_is_logged(
    producer: _Producer, caplog: pytest.LogCaptureFixture
) -> None:
    table = _Table("profiles")
    writes = TableWrites(_App())  # type: ignore[arg-type]
    await writes.set(table, _Event(0), b"\x00", 1)  # type: ignore[arg-type]
    await writes.ship()
    with caplog.at_level(logging.WARNING):
        producer.acks[0].set_exception(ConnectionError("broker gone"))
        await asyncio.sleep(0)
    assert table.data.persisted == {}
    assert "hw-profiles-changelog[0] not acknowledged" in caplog.text


async def test_a_table_with_expiring_keys_is_written_through_faust(producer: _Producer) -> None:
    table = _Table("windowed", expires=True)
    writes = TableWrites(_App())  # type: ignore[arg-type]
    await writes.set(table, _Event(0), b"\x00", 5)  # type: ignore[arg-type]
    await writes.ship()
    assert table.through_faust == {b"\x00": 5}
    assert table.data.rows == {}
    assert producer.shipped == []
