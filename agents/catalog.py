"""catalog.changes → the worker's product cache: a committed change invalidates the entry, the
next read reloads it from PostgreSQL. Delivery is at-least-once; invalidating twice is harmless.
"""

from __future__ import annotations

from faust import StreamT

from app.core import app, product_cache
from app.topics import CATALOG_CHANGES, catalog_changes_topic
from app.wire import decoder


@app.agent(catalog_changes_topic, name="catalog-cache-invalidation")
async def invalidate_product_cache(stream: StreamT) -> None:
    decode = decoder(CATALOG_CHANGES)
    async for value in stream:
        await product_cache.apply(decode(value))
