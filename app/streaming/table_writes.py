"""A stage batch's table writes: each stored at once, their changelog records sent in batches.

``table[key] = value`` makes Faust send one changelog record through ``send_soon`` (a future
message, the producer buffer, aiokafka's ``send``) and, when the broker acknowledges it, write
the persisted offset into RocksDB: per write, and a stage batch writes every key it touched
(measurements: docs/benchmarks.md, Design decisions, app/streaming/table_writes.py). Here the
same records go through :class:`app.streaming.batch_send.BatchSend` and the persisted offset is
written once per acknowledged batch.

What stays as Faust does it:

- the store write happens when the value is set, into the store of the current event's
  partition (:func:`app.streaming.current.as_current_event` per key, as before);
- the changelog record has the store's key and value bytes and goes to that same partition;
- nothing waits for the acknowledgement, and Faust's producer flush before every offset commit
  covers these batches, so a source offset is committed only after its state's changelog;
- the persisted offset is the offset of the last acknowledged record (in the commit under
  exactly-once, as Faust's ``Collection._on_changelog_sent`` does).

A table with expiring keys (windowed) is written through Faust, which keeps its key TTLs.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from faust import EventT
from faust.stores.base import SerializedStore
from faust.tables.base import Collection
from faust.types import TP, AppT

from app.streaming.batch_send import BatchSend, Shipped
from app.streaming.current import as_current_event

log = logging.getLogger(__name__)


class TableWrites:
    """Call :meth:`set` per key, then :meth:`ship` once per batch."""

    def __init__(self, app: AppT) -> None:
        self._app = app
        self._send = BatchSend(app)
        self._tables: dict[str, Collection] = {}

    async def set(self, table: Any, event: EventT, key: Any, value: Any) -> None:
        """``table[key] = value`` in ``event``'s partition; its changelog record is queued."""
        as_current_event(event)
        if table._should_expire_keys():  # type: ignore[attr-defined]
            table[key] = value  # type: ignore[index]
            return
        serializers = self._app.serializers
        key_bytes = serializers.dumps_key(table.key_type, key, serializer=table.key_serializer)
        value_bytes = serializers.dumps_value(
            table.value_type, value, serializer=table.value_serializer
        )
        if key_bytes is None or value_bytes is None:
            raise TypeError(f"table {table.name!r}: a key or value serialized to None")
        data = table.data
        if isinstance(data, SerializedStore):
            data._set(key_bytes, value_bytes)  # what data[key] = value does, encoded once
        else:
            data[key] = value
        changelog = table.changelog_topic
        self._tables[changelog.get_topic_name()] = table
        await self._send.add(changelog, key_bytes, value_bytes, partition=event.message.partition)

    async def ship(self) -> None:
        """Hand the changelog batches to the producer; persisted offsets follow their acks."""
        for shipped in await self._send.ship():
            table = self._tables[shipped.topic]
            shipped.ack.add_done_callback(partial(self._on_sent, table, shipped))

    def _on_sent(self, table: Collection, shipped: Shipped, _: object) -> None:
        if shipped.ack.cancelled() or shipped.ack.exception() is not None:
            # As with Faust's own changelog send (its callback raises into the loop's
            # exception handler): logged, the store keeps the value, the offset stays.
            log.warning(
                "changelog batch for %s[%d] not acknowledged: %r",
                shipped.topic,
                shipped.partition,
                None if shipped.ack.cancelled() else shipped.ack.exception(),
            )
            return
        tp = TP(shipped.topic, shipped.partition)
        if self._app.in_transaction:
            self._app.tables.persist_offset_on_commit(table.data, tp, shipped.last_offset)
        else:
            table.data.set_persisted_offset(tp, shipped.last_offset)
