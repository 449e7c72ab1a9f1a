"""The worker's one in-process copy of the product catalog, for enrichment and the engine.

Both read the rows of :mod:`app.catalog.product_rows`, and every row read updates both the
entry enrichment sees (:meth:`ProductReadModel.get_many`) and the engine's
:class:`~app.recommend.model.Catalog` (:attr:`ProductReadModel.catalog`, active products
only), so the two never disagree about a product.

:meth:`~ProductReadModel.start` loads every active product (the engine needs all of them);
a product created since is read on its first miss, and "does not exist" is remembered too.
:meth:`~ProductReadModel.apply` takes each decoded ``catalog.changes`` record: a change to a
product-scoped table re-reads that product, a change to the taxonomy or an attribute
definition reloads everything (it can touch any product). ``ttl`` bounds staleness should
the stream ever stall.

A read that started before an invalidation must not store what it read: each product has a
generation, bumped when a change names it, and a full reload bumps the epoch; a read stores
its rows only when both are unchanged since it started.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer

from app.catalog.changes import Decoder
from app.catalog.db import Database
from app.catalog.product_rows import ProductView, fetch_views
from app.errors import ServiceUnavailable
from app.recommend.model import Catalog

log = logging.getLogger(__name__)

#: Entities whose ``entity_id`` is a product id (see the triggers in 0002_audit_outbox.sql).
PRODUCT_ENTITIES = frozenset(
    {"products", "variants", "inventory", "prices", "media_assets", "prescription_attributes"}
)
#: Entities a change of which can alter any product (category paths, attribute rules).
CATALOG_WIDE_ENTITIES = frozenset({"taxonomy", "attribute_definitions"})
#: What PostgreSQL being down or restarting looks like from here.
UNAVAILABLE = (ServiceUnavailable, OSError, asyncpg.InterfaceError, asyncpg.PostgresError)


class ProductReadModel:
    def __init__(
        self,
        db: Database,
        *,
        catalog: Catalog | None = None,
        currency: str = "EUR",
        max_entries: int = 100_000,
        ttl: float = 300.0,
    ) -> None:
        self.db = db
        #: The engine's catalog: every active product this model has read.
        self.catalog = catalog if catalog is not None else Catalog()
        self.currency = currency
        self.max_entries = max_entries
        self.ttl = ttl
        self._entries: OrderedDict[str, tuple[float, ProductView | None]] = OrderedDict()
        self._generation: dict[str, int] = {}
        self._epoch = 0  # bumped by a full reload
        self._loaded_epoch = -1
        self._reload_lock = asyncio.Lock()
        self.hits = self.misses = self.invalidations = 0

    async def start(self, catalog: Catalog | None = None) -> Catalog:
        """Keep ``catalog`` (the engine's, when given) filled from now on and load every active
        product into it. Raises when PostgreSQL is unavailable."""
        if catalog is not None:
            self.catalog = catalog
        await self.reload()
        return self.catalog

    async def get_many(self, ids: Iterable[str]) -> dict[str, ProductView | None]:
        """Each product, or None when it does not exist. Never raises for PostgreSQL: when it is
        down, one warning, and None for the products not already held."""
        found, missing = self._held(ids)
        if missing:
            try:
                found.update(await self._read(missing))
            except UNAVAILABLE as err:
                log.warning("catalog unavailable, %d products without data: %s", len(missing), err)
                found.update(dict.fromkeys(missing))
        return found

    async def get(self, product_id: str) -> ProductView | None:
        """One product, or None when it does not exist; raises when PostgreSQL is down."""
        found, missing = self._held([product_id])
        if missing:
            found.update(await self._read(missing))
        return found[product_id]

    async def apply(self, change: Mapping[str, Any]) -> None:
        """Apply one decoded ``catalog.changes`` record. Delivery is at-least-once: applying a
        change twice only reads again. With PostgreSQL down the product is dropped, and read
        again on its next miss, or by the next change or restart for the engine."""
        entity, entity_id = str(change["entity"]), str(change["entity_id"])
        try:
            if entity in PRODUCT_ENTITIES:
                await self.refresh(entity_id)
            elif entity in CATALOG_WIDE_ENTITIES:
                await self.reload()
        except UNAVAILABLE as err:
            log.warning("catalog change to %s %s not read back: %s", entity, entity_id, err)

    async def refresh(self, product_id: str) -> None:
        """Forget one product and read it again (removed from the engine when gone or inactive)."""
        self.invalidations += 1
        self._entries.pop(product_id, None)
        self._generation[product_id] = self._generation.get(product_id, 0) + 1
        await self._read([product_id])

    async def reload(self) -> None:
        """Forget everything and load every active product. Concurrent reloads share one read
        when they can: each returns once a read that started after its own call has landed."""
        self.invalidations += 1
        self._epoch += 1
        self._entries.clear()
        self._generation.clear()
        wanted = self._epoch
        async with self._reload_lock:
            while self._loaded_epoch < wanted:
                epoch, seen = self._epoch, dict(self._generation)
                async with self.db.acquire() as con:
                    views = await fetch_views(con, self.currency)
                if epoch != self._epoch:
                    continue  # another reload was asked for during the read
                fresh = {
                    v.product_id: v
                    for v in views
                    if self._generation.get(v.product_id, 0) == seen.get(v.product_id, 0)
                }
                for view in fresh.values():
                    self._store(view.product_id, view)
                for gone in [i for i in self.catalog if i not in fresh]:
                    if self._generation.get(gone, 0) == seen.get(gone, 0):
                        self.catalog.remove(gone)
                self._loaded_epoch = epoch
                log.info("product read model: %d active products", len(self.catalog))

    def __len__(self) -> int:
        return len(self._entries)

    def _held(self, ids: Iterable[str]) -> tuple[dict[str, ProductView | None], list[str]]:
        found: dict[str, ProductView | None] = {}
        missing: list[str] = []
        now = time.monotonic()
        for pid in dict.fromkeys(ids):
            entry = self._entries.get(pid)
            if entry is not None and now - entry[0] < self.ttl:
                self._entries.move_to_end(pid)
                found[pid] = entry[1]
                self.hits += 1
            else:
                missing.append(pid)
                self.misses += 1
        return found, missing

    async def _read(self, ids: list[str]) -> dict[str, ProductView | None]:
        """Read ``ids`` in one query; store each unless invalidated meanwhile."""
        epoch = self._epoch
        seen = {pid: self._generation.get(pid, 0) for pid in ids}
        async with self.db.acquire() as con:
            rows = {v.product_id: v for v in await fetch_views(con, self.currency, ids)}
        out = {pid: rows.get(pid) for pid in ids}
        if epoch == self._epoch:
            for pid, view in out.items():
                if self._generation.get(pid, 0) == seen[pid]:
                    self._store(pid, view)
        return out

    def _store(self, product_id: str, view: ProductView | None) -> None:
        self._entries[product_id] = (time.monotonic(), view)
        self._entries.move_to_end(product_id)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)  # the engine's catalog keeps its copy
        if view is not None and view.active:
            self.catalog.put(view.engine_product())
        else:
            self.catalog.remove(product_id)


async def follow(model: ProductReadModel, consumer: AIOKafkaConsumer, decode: Decoder) -> None:
    """Apply every message of a started consumer to ``model`` until cancelled (tests, bench;
    the worker uses the faust agent in agents/catalog.py)."""
    async for message in consumer:
        try:
            change = decode(message.value)
        except Exception as err:  # a poison message must not stop the model following
            log.warning("catalog.changes offset %s undecodable: %s", message.offset, err)
            continue
        await model.apply(change)
