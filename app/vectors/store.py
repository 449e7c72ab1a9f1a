"""``VectorStore``: validated, batched writes and reads of the vector collections in Milvus.

Every pymilvus call goes through :class:`app.services.milvus.Milvus`, which runs it on its
thread pool, so nothing here blocks the event loop. Writes are validated when they are
submitted (a bad vector raises at once, counted, and is never buffered) and then buffered until
``batch_size`` rows or ``flush_interval`` seconds; ``flush()`` forces them out and ``stop()``
flushes. Writes without a version go through the alias, so the stream always feeds the live
model; backfills name their version explicitly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from mode import Service
from pymilvus import MilvusClient

from app.services.milvus import Milvus
from app.vectors import schema
from app.vectors.buffer import Row, WriteBuffer
from app.vectors.errors import VectorError
from app.vectors.metrics import VECTORS_WRITTEN
from app.vectors.schema import Names, Spec, VectorRecord
from app.vectors.validation import check_batch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    fields: Mapping[str, Any]


class WriteListener(Protocol):
    """Told about every row written (the hot index), after Milvus accepted it."""

    def written(self, kind: str, collection: str, via_alias: bool, rows: Sequence[Row]) -> None: ...


class VectorStore(Service):
    def __init__(
        self,
        milvus: Milvus,
        *,
        prefix: str = schema.DEFAULT_PREFIX,
        dims: Mapping[str, int] | None = None,
        batch_size: int = 500,
        flush_interval: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.milvus = milvus
        self.names = Names(prefix)
        self.specs = {k: Spec(k, (dims or {}).get(k, schema.DEFAULT_DIM)) for k in schema.KINDS}
        self.flush_interval = flush_interval
        self._buffer = WriteBuffer(batch_size, flush_interval)
        self._flush_lock = asyncio.Lock()
        self._listeners: list[WriteListener] = []
        # target collection/alias -> (kind, via_alias)
        self._targets: dict[str, tuple[str, bool]] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    @Service.task
    async def _flusher(self) -> None:
        while not self.should_stop:
            await self.sleep(self.flush_interval / 2)
            if self._buffer.due():
                try:
                    await self.flush()
                except Exception as err:  # rows were put back; the next tick retries
                    log.warning("vector flush failed, retrying: %s", err)

    async def on_stop(self) -> None:
        await self.flush()

    def add_listener(self, listener: WriteListener) -> None:
        self._listeners.append(listener)

    # -- collections -------------------------------------------------------------------------

    async def ensure(self, kind: str, version: str) -> str:
        """Create the physical collection of ``kind`` at ``version`` (and its index) if missing."""
        name = self.names.physical(kind, version)
        spec = self.specs[kind]

        def create(c: MilvusClient) -> None:
            if c.has_collection(name):
                return
            index = c.prepare_index_params()
            index.add_index("vector", **schema.INDEX_PARAMS)
            c.create_collection(name, schema=schema.milvus_schema(c, spec), index_params=index)

        await self.milvus.run(create)
        return name

    async def drop(self, kind: str, version: str) -> None:
        """Drop one version; the live and the previous version are refused."""
        name = self.names.physical(kind, version)
        for alias in (self.names.alias(kind), self.names.previous_alias(kind)):
            if await self.resolve(alias) == name:
                raise VectorError(
                    f"{name} is the target of alias {alias}; promote another version first"
                )
        await self.milvus.run(lambda c: c.drop_collection(name))

    async def collections(self) -> list[str]:
        """Physical collections under this prefix."""
        names = await self.milvus.run(lambda c: c.list_collections())
        return sorted(n for n in names if n.startswith(self.names.prefix))

    async def resolve(self, alias: str) -> str | None:
        """The collection ``alias`` points at, or None when there is no such alias."""
        return await self.milvus.run(describe_alias, alias)

    def target(self, kind: str, version: str | None) -> str:
        """The alias (live version) when ``version`` is None, else the physical collection."""
        return self.names.alias(kind) if version is None else self.names.physical(kind, version)

    # -- writes ------------------------------------------------------------------------------

    async def upsert(
        self, kind: str, records: Sequence[VectorRecord], *, version: str | None = None
    ) -> None:
        """Validate and buffer ``records``; any bad vector refuses the whole call (and counts)."""
        spec = self.specs[self.names.kind(kind)]
        vectors = check_batch(kind, [(r.id, r.vector) for r in records], spec.bounds)
        target = self.target(kind, version)
        self._targets[target] = (kind, version is None)
        self._buffer.add(
            target, [r.row(v, spec.filtered) for r, v in zip(records, vectors, strict=True)]
        )
        if len(self._buffer) >= self._buffer.max_rows:
            await self.flush()

    async def flush(self) -> int:
        """Write every buffered row now; returns how many were written."""
        async with self._flush_lock:
            written = 0
            for target, rows in self._buffer.drain().items():
                try:
                    await self.milvus.run(lambda c, t=target, r=rows: c.upsert(t, r))
                except Exception:
                    self._buffer.restore(target, rows)
                    raise
                kind, via_alias = self._targets[target]
                VECTORS_WRITTEN.labels(kind).inc(len(rows))
                written += len(rows)
                for listener in self._listeners:
                    listener.written(kind, target, via_alias, rows)
            return written

    async def delete(self, kind: str, ids: Sequence[str], *, version: str | None = None) -> None:
        target = self.target(kind, version)
        await self.milvus.run(lambda c: c.delete(target, ids=list(ids)))

    async def seal(self, kind: str, *, version: str | None = None) -> None:
        """Flush Milvus segments: unflushed rows are brute-forced by Milvus Lite at search."""
        target = await self.collection(kind, version)
        await self.milvus.run(lambda c: c.flush(target))

    # -- reads -------------------------------------------------------------------------------

    async def search(
        self,
        kind: str,
        vector: npt.ArrayLike,
        k: int = 10,
        *,
        version: str | None = None,
        category: str | None = None,
        in_stock: bool | None = None,
        price_band: str | None = None,
        output_fields: Sequence[str] = (),
    ) -> list[Hit]:
        target = self.target(kind, version)
        query = np.asarray(vector, dtype=np.float32).tolist()
        expr = schema.filter_expr(category, in_stock, price_band)
        res = await self.milvus.run(
            lambda c: c.search(
                target,
                [query],
                limit=k,
                filter=expr,
                search_params=schema.SEARCH_PARAMS,
                output_fields=list(output_fields),
            )
        )
        return [Hit(str(h["id"]), float(h["distance"]), h.get("entity", {})) for h in res[0]]

    async def get(
        self,
        kind: str,
        ids: Sequence[str],
        *,
        version: str | None = None,
        fields: Sequence[str] = ("id", "updated_at", "model_version"),
    ) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        target = self.target(kind, version)
        rows = await self.milvus.run(
            lambda c: c.get(target, ids=list(ids), output_fields=list(fields))
        )
        return {str(r["id"]): dict(r) for r in rows}

    async def count(self, kind: str, *, version: str | None = None) -> int:
        target = self.target(kind, version)
        res = await self.milvus.run(
            lambda c: c.query(target, filter="", output_fields=["count(*)"])
        )
        return int(res[0]["count(*)"])

    async def scan(
        self,
        kind: str,
        *,
        version: str | None = None,
        fields: Sequence[str] = ("id", "updated_at"),
        batch: int = 2000,
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every row of a collection in batches (a query iterator, paged off the loop)."""
        target = await self.collection(kind, version)
        it = await self.milvus.run(
            lambda c: c.query_iterator(
                target, batch_size=batch, filter="", output_fields=list(fields)
            )
        )
        try:
            while True:
                rows = await self.milvus.run(lambda _c: it.next())
                if not rows:
                    return
                yield [dict(r) for r in rows]
        finally:
            await self.milvus.run(lambda _c: it.close())

    async def collection(self, kind: str, version: str | None = None) -> str:
        """The physical collection of ``version``, or the live one when None."""
        if version is not None:
            return self.names.physical(kind, version)
        live = await self.resolve(self.names.alias(kind))
        if live is None:
            raise VectorError(
                f"no live version of {self.names.alias(kind)}: run "
                "`faust -A app embeddings promote VERSION --kind " + kind + "` first"
            )
        return live


def records_from(
    kind: str,
    ids: Iterable[str],
    vectors: npt.NDArray[np.float32],
    model_version: str,
    updated_at: Iterable[int],
    attrs: Iterable[Mapping[str, Any]] | None = None,
) -> list[VectorRecord]:
    """Zip encoder output into records (``attrs`` carries category/in_stock/price_band)."""
    extra: Iterable[Mapping[str, Any]] = attrs if attrs is not None else iter(dict, None)
    return [
        VectorRecord(i, v, model_version, int(t), **dict(a))
        for i, v, t, a in zip(ids, vectors, updated_at, extra, strict=False)
    ]


def describe_alias(client: MilvusClient, alias: str) -> str | None:
    """Listing first: pymilvus logs a traceback for every describe of a missing alias."""
    if alias not in client.list_aliases()["aliases"]:
        return None
    return str(client.describe_alias(alias)["collection_name"])
