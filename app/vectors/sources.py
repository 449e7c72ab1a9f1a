"""Where backfills read from: the catalog in PostgreSQL and session histories.

The filter fields written with product vectors come from the catalog: ``in_stock`` is any
location holding unreserved stock, ``price_band`` is the band of the lowest open price.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from app.vectors.consistency import epoch_ms
from app.vectors.encoders import CooccurrenceEncoder, TfidfSvdEncoder
from app.vectors.schema import VectorRecord

PRICE_BANDS = ((25.0, "lt25"), (100.0, "25_100"), (250.0, "100_250"))

_PRODUCTS = """
SELECT p.product_id, p.name, p.brand, p.description, p.category_id, p.attributes, p.updated_at,
       COALESCE((SELECT sum(i.quantity - i.reserved) > 0 FROM inventory i
                 WHERE i.product_id = p.product_id), false) AS in_stock,
       (SELECT min(pr.amount) FROM prices pr
         WHERE pr.product_id = p.product_id AND pr.valid_to IS NULL) AS price
FROM products p
ORDER BY p.product_id
"""


def price_band(amount: float | None) -> str:
    if amount is None:
        return "unknown"
    for limit, band in PRICE_BANDS:
        if amount < limit:
            return band
    return "gte250"


async def catalog_products(dsn: str) -> list[dict[str, Any]]:
    """Every product with its text, attributes and filter fields, by ascending id."""
    con = await asyncpg.connect(dsn)
    try:
        rows = await con.fetch(_PRODUCTS)
    finally:
        await con.close()
    out = []
    for r in rows:
        p = dict(r)
        attrs = p["attributes"]
        p["attributes"] = orjson.loads(attrs) if isinstance(attrs, str | bytes) else attrs
        p["price_band"] = price_band(None if p["price"] is None else float(p["price"]))
        out.append(p)
    return out


def _filters(p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "category": str(p.get("category_id") or ""),
        "in_stock": bool(p.get("in_stock")),
        "price_band": str(p.get("price_band") or "unknown"),
    }


def content_records(
    products: Sequence[Mapping[str, Any]], encoder: TfidfSvdEncoder
) -> list[VectorRecord]:
    """Content vectors of ``products`` (the encoder must be fitted), ids ascending."""
    vectors = encoder.transform(products)
    return sorted(
        (
            VectorRecord(
                str(p["product_id"]),
                v,
                encoder.version,
                epoch_ms(p["updated_at"]),
                **_filters(p),
            )
            for p, v in zip(products, vectors, strict=True)
        ),
        key=lambda r: r.id,
    )


def behavior_records(
    encoder: CooccurrenceEncoder, products: Sequence[Mapping[str, Any]] = ()
) -> list[VectorRecord]:
    """Behavioural vectors of every product the encoder has seen, ids ascending."""
    meta = {str(p["product_id"]): p for p in products}
    ids = sorted(encoder.items)
    now = int(time.time() * 1000)
    return [
        VectorRecord(i, v, encoder.version, now, **_filters(meta.get(i, {})))
        for i, v in zip(ids, encoder.transform(ids), strict=True)
    ]


def read_sessions(path: Path) -> Iterable[list[str]]:
    """Sessions as JSON lines, each a list of product ids in the order they were seen."""
    with path.open("rb") as f:
        for line in f:
            if line.strip():
                yield [str(i) for i in orjson.loads(line)]
