"""catalog.changes → the worker's product read model (enrichment and the engine's catalog): a
committed change re-reads the product it names, a taxonomy or attribute change everything.
Delivery is at-least-once; applying a change twice only reads again.
"""

from __future__ import annotations

from faust import StreamT

from app.core import app
from app.wire.codecs import decoder
from app.wire.topics import CATALOG_CHANGES


@app.agent(app.pipeline[CATALOG_CHANGES], name="catalog-cache-invalidation")
async def apply_catalog_changes(stream: StreamT) -> None:
    decode = decoder(CATALOG_CHANGES)
    products = app.components.products
    async for value in stream:
        await products.apply(decode(value))
