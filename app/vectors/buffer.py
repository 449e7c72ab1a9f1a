"""The write buffer: rows per target collection, flushed when large or old enough.

Milvus answers a 500-row upsert in about the time of a 1-row one, so the stream batches.
Within a batch the last write of an id wins, as it would in Milvus.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

Row = dict[str, Any]


class WriteBuffer:
    def __init__(
        self, max_rows: int = 500, max_age: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_rows = max_rows
        self.max_age = max_age
        self._clock = clock
        self._rows: dict[str, dict[str, Row]] = {}
        self._since: float | None = None

    def __len__(self) -> int:
        return sum(len(rows) for rows in self._rows.values())

    def add(self, target: str, rows: list[Row]) -> None:
        if not rows:
            return
        if self._since is None:
            self._since = self._clock()
        bucket = self._rows.setdefault(target, {})
        for row in rows:
            bucket[row["id"]] = row

    def due(self) -> bool:
        if not self._rows:
            return False
        assert self._since is not None
        return len(self) >= self.max_rows or self._clock() - self._since >= self.max_age

    def drain(self) -> dict[str, list[Row]]:
        out = {target: list(rows.values()) for target, rows in self._rows.items()}
        self._rows.clear()
        self._since = None
        return out

    def restore(self, target: str, rows: list[Row]) -> None:
        """Put back rows whose write failed, without overwriting newer rows for the same id."""
        if self._since is None:
            self._since = self._clock()
        bucket = self._rows.setdefault(target, {})
        for row in rows:
            bucket.setdefault(row["id"], row)
