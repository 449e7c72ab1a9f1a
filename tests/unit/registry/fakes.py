"""An in-memory stand-in for the Kafka log: applies records at once and keeps them."""

from __future__ import annotations

from collections.abc import Sequence

from registry.store import Record, Store


class MemoryLog:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.records: list[Record] = []

    async def write(self, records: Sequence[Record]) -> None:
        for key, value in records:
            self.records.append((key, value))
            self.store.apply(key, value)

    async def catch_up(self) -> None:
        return None

    def compacted(self) -> list[Record]:
        """What Kafka keeps after compaction: the last value per key, tombstones removed."""
        last: dict[bytes, bytes | None] = {}
        for key, value in self.records:
            last.pop(key, None)
            last[key] = value
        return [(k, v) for k, v in last.items() if v is not None]
