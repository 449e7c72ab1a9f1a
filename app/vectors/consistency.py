"""Is the product collection in step with the catalog, and how fresh is each collection?

``missing``: a catalog product has no vector; ``stale``: its vector is older than the product's
last change; ``orphaned``: a vector names a product the catalog does not have. The catalog
source is any iterable of ``(product_id, updated_at)`` so this works without the catalog
package; :func:`catalog_rows` reads it from PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from app.vectors.metrics import VECTOR_AGE_SECONDS, VECTOR_COUNT, VECTORS_INCONSISTENT
from app.vectors.schema import KINDS
from app.vectors.store import VectorStore

CatalogRows = Iterable[tuple[str, Any]] | AsyncIterable[tuple[str, Any]]


@dataclass
class Consistency:
    collection: str
    catalog: int = 0
    vectors: int = 0
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)

    def summary(self, examples: int = 5) -> dict[str, Any]:
        return {
            "collection": self.collection,
            "catalog": self.catalog,
            "vectors": self.vectors,
            **{
                name: {"count": len(ids), "examples": sorted(ids)[:examples]}
                for name, ids in (
                    ("missing", self.missing),
                    ("stale", self.stale),
                    ("orphaned", self.orphaned),
                )
            },
        }


@dataclass(frozen=True)
class Freshness:
    collection: str
    count: int
    newest_age_s: float | None
    oldest_age_s: float | None


def epoch_ms(value: Any) -> int:
    """``updated_at`` as epoch milliseconds, from a datetime or a number of milliseconds."""
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    return int(value)


async def catalog_rows(dsn: str, batch: int = 5000) -> AsyncIterator[tuple[str, datetime]]:
    """``(product_id, updated_at)`` of every catalog product, streamed with a cursor."""
    con = await asyncpg.connect(dsn)
    try:
        async with con.transaction():
            sql = "SELECT product_id, updated_at FROM products"
            async for row in con.cursor(sql, prefetch=batch):
                yield row["product_id"], row["updated_at"]
    finally:
        await con.close()


async def _rows(source: CatalogRows) -> AsyncIterator[tuple[str, Any]]:
    if isinstance(source, AsyncIterable):
        async for row in source:
            yield row
    else:
        for row in source:
            yield row


async def check_products(
    store: VectorStore, catalog: CatalogRows, *, kind: str = "products", version: str | None = None
) -> Consistency:
    """Compare ``catalog`` with the (live) vectors of ``kind``; updates the gauges."""
    vectors: dict[str, int] = {}
    async for rows in store.scan(kind, version=version, fields=("id", "updated_at")):
        vectors.update((r["id"], int(r["updated_at"])) for r in rows)
    report = Consistency(collection=store.names.alias(kind), vectors=len(vectors))
    seen: set[str] = set()
    async for product_id, updated_at in _rows(catalog):
        report.catalog += 1
        seen.add(product_id)
        at = vectors.get(product_id)
        if at is None:
            report.missing.append(product_id)
        elif at < epoch_ms(updated_at):
            report.stale.append(product_id)
    report.orphaned = [i for i in vectors if i not in seen]
    for name, ids in (
        ("missing", report.missing),
        ("stale", report.stale),
        ("orphaned", report.orphaned),
    ):
        VECTORS_INCONSISTENT.labels(report.collection, name).set(len(ids))
    return report


async def freshness(
    store: VectorStore, kinds: Sequence[str] = KINDS, *, now_ms: int | None = None
) -> list[Freshness]:
    """Age of the newest and oldest vector of each live collection; updates the gauges."""
    now = now_ms if now_ms is not None else int(time.time() * 1000)
    out = []
    for kind in kinds:
        alias = store.names.alias(kind)
        if await store.resolve(alias) is None:
            continue  # never promoted: nothing is served from it
        newest: int | None = None
        oldest: int | None = None
        count = 0
        async for rows in store.scan(kind, fields=("id", "updated_at")):
            stamps = [int(r["updated_at"]) for r in rows]
            count += len(stamps)
            newest = max([*stamps, newest] if newest is not None else stamps)
            oldest = min([*stamps, oldest] if oldest is not None else stamps)
        fresh = Freshness(
            alias,
            count,
            None if newest is None else (now - newest) / 1000,
            None if oldest is None else (now - oldest) / 1000,
        )
        VECTOR_COUNT.labels(alias).set(count)
        for end, age in (("newest", fresh.newest_age_s), ("oldest", fresh.oldest_age_s)):
            if age is not None:
                VECTOR_AGE_SECONDS.labels(alias, end).set(age)
        out.append(fresh)
    return out
