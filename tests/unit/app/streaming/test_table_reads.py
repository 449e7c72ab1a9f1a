"""read(): one store lookup, the decoded value or None."""

from __future__ import annotations

from typing import Any

from faust.stores.base import SerializedStore

from app.streaming.table_reads import read


class _Store(SerializedStore):
    def __init__(self, rows: dict[bytes, bytes]) -> None:  # no Service.__init__ needed here
        self.rows = rows
        self.gets: list[bytes] = []

    def _encode_key(self, key: Any) -> bytes:
        return str(key).encode()

    def _decode_value(self, value: bytes | None) -> Any:
        return {"v": value}

    def _get(self, key: bytes) -> bytes | None:
        self.gets.append(key)
        return self.rows.get(key)


_Store.__abstractmethods__ = frozenset()  # the rest of the Store API is not used here


class _Table:
    def __init__(self, data: Any) -> None:
        self.data = data


def test_a_stored_value_is_decoded_after_one_lookup() -> None:
    store = _Store({b"u1": b"x"})
    assert read(_Table(store), "u1") == {"v": b"x"}
    assert store.gets == [b"u1"]


def test_a_missing_key_reads_none() -> None:
    store = _Store({})
    assert read(_Table(store), "u2") is None
    assert store.gets == [b"u2"]


def test_other_stores_are_read_through_the_table() -> None:
    class _Memory(dict[str, int]):
        pass

    class _MemoryTable(_Table):
        def get(self, key: str) -> int | None:
            return {"u3": 3}.get(key)

    assert read(_MemoryTable(_Memory()), "u3") == 3
    assert read(_MemoryTable(_Memory()), "nope") is None
