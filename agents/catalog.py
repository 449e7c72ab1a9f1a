"""catalog.changes → the worker's product cache: a committed change invalidates the entry, the
next read reloads it from PostgreSQL. Delivery is at-least-once; invalidating twice is harmless.
"""

from __future__ import annotations

import logging

from faust import StreamT

from app.catalog.cache import PRODUCT_ENTITIES
from app.core import app
from app.serving.catalog import refresh_product
from app.wire.codecs import decoder
from app.wire.topics import CATALOG_CHANGES

log = logging.getLogger(__name__)


@app.agent(app.pipeline[CATALOG_CHANGES], name="catalog-cache-invalidation")
async def invalidate_product_cache(stream: StreamT) -> None:
    decode = decoder(CATALOG_CHANGES)
    components = app.components
    async for value in stream:
        change = decode(value)
        await components.products.apply(change)
        # The engine's catalog drives the in-stock, price and prescription rules.
        if change["entity"] in PRODUCT_ENTITIES:
            try:
                await refresh_product(
                    components.postgres, components.engine.catalog, str(change["entity_id"])
                )
            except Exception as err:  # PostgreSQL down: the next change or restart catches up
                log.warning("engine catalog not refreshed for %s: %s", change["entity_id"], err)
