"""In-process product cache for enrichment: price, stock and category path per product.

Filled from PostgreSQL on a miss, emptied per product by the ``catalog.changes`` stream
(:meth:`ProductCache.apply`, called by a faust agent on the worker, or :func:`follow`).
A change to a taxonomy or attribute definition clears everything: it can touch any product.

A load that started before an invalidation must not refill the entry with what it read: each
key has a generation, bumped by :meth:`invalidate`, and a load only stores its result when the
generation is unchanged. ``ttl`` bounds staleness should the stream ever stall.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aiokafka import AIOKafkaConsumer

from app.catalog import queries
from app.catalog.changes import Decoder
from app.catalog.db import Database

log = logging.getLogger(__name__)

#: Entities whose ``entity_id`` is a product id (see the triggers in 0002_audit_outbox.sql).
PRODUCT_ENTITIES = frozenset(
    {"products", "variants", "inventory", "prices", "media_assets", "prescription_attributes"}
)


@dataclass(frozen=True)
class CachedProduct:
    product_id: str
    name: str
    category_path: str
    price: Decimal | None
    currency: str
    stock: int
    active: bool


class ProductCache:
    def __init__(
        self,
        db: Database,
        *,
        currency: str = "EUR",
        max_entries: int = 100_000,
        ttl: float = 300.0,
    ) -> None:
        self.db = db
        self.currency = currency
        self.max_entries = max_entries
        self.ttl = ttl
        self._entries: OrderedDict[str, tuple[float, CachedProduct | None]] = OrderedDict()
        self._generation: dict[str, int] = {}
        self._epoch = 0  # bumped by a full clear
        self.hits = self.misses = self.invalidations = 0

    async def get(self, product_id: str) -> CachedProduct | None:
        """The product, or None when it does not exist (that answer is cached too)."""
        entry = self._entries.get(product_id)
        if entry is not None and time.monotonic() - entry[0] < self.ttl:
            self._entries.move_to_end(product_id)
            self.hits += 1
            return entry[1]
        self.misses += 1
        seen = (self._epoch, self._generation.get(product_id, 0))
        async with self.db.acquire() as con:
            row = await queries.product_summary(con, product_id, self.currency)
        value = None if row is None else _cached(row, self.currency)
        if seen == (self._epoch, self._generation.get(product_id, 0)):
            self._entries[product_id] = (time.monotonic(), value)
            self._entries.move_to_end(product_id)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    async def invalidate(self, entity: str, entity_id: str) -> None:
        self.invalidations += 1
        if entity in PRODUCT_ENTITIES:
            self._entries.pop(entity_id, None)
            self._generation[entity_id] = self._generation.get(entity_id, 0) + 1
        elif entity in ("taxonomy", "attribute_definitions"):
            self._entries.clear()
            self._generation.clear()
            self._epoch += 1

    async def apply(self, change: Mapping[str, Any]) -> None:
        """Invalidate from one decoded ``catalog.changes`` message."""
        await self.invalidate(str(change["entity"]), str(change["entity_id"]))

    def __len__(self) -> int:
        return len(self._entries)


def _cached(row: Mapping[str, Any], currency: str) -> CachedProduct:
    price = row["price"]
    return CachedProduct(
        product_id=row["product_id"],
        name=row["name"],
        category_path=row["category_path"],
        price=None if price is None else Decimal(price["amount"]),
        currency=currency,
        stock=row["stock"],
        active=row["active"],
    )


async def follow(cache: ProductCache, consumer: AIOKafkaConsumer, decode: Decoder) -> None:
    """Apply every message of a started consumer to ``cache`` until cancelled (tests, bench;
    the worker uses a faust agent calling :meth:`ProductCache.apply`)."""
    async for message in consumer:
        try:
            change = decode(message.value)
        except Exception as err:  # a poison message must not stop invalidation
            log.warning("catalog.changes offset %s undecodable: %s", message.offset, err)
            continue
        await cache.apply(change)
