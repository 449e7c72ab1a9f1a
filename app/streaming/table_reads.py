"""Read a table value with one store lookup.

``table[key]`` and ``table.get(key)`` in Faust ask the store twice (``key in data``, then
``data[key]``: two RocksDB gets) and call the sensors, for every key of every stage batch
(measurements: docs/benchmarks.md, Design decisions, app/streaming/table_reads.py). Stage code
reads each key once per batch, after :func:`app.streaming.current.as_current_event`, so the
store looks in that event's partition.
"""

from __future__ import annotations

from typing import Any

from faust.stores.base import SerializedStore


def read(table: Any, key: Any) -> Any:
    """The stored value of ``key``, or None (not the table's default) when there is none."""
    data = table.data
    if not isinstance(data, SerializedStore):
        return table.get(key)
    raw = data._get(data._encode_key(key))
    return None if raw is None else data._decode_value(raw)
