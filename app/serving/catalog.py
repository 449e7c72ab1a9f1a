"""The engine's catalog (category path, brand, stock, price, prescription range per product),
read from PostgreSQL in one query and refreshed when ``catalog.changes`` says so."""

from __future__ import annotations

import logging
from typing import Any

from app.recommend.model import Catalog, Product

log = logging.getLogger(__name__)

_QUERY = """
SELECT p.product_id, p.brand, t.path AS category_path,
       (SELECT min(amount) FROM prices pr WHERE pr.product_id = p.product_id
          AND pr.valid_from <= now() AND (pr.valid_to IS NULL OR pr.valid_to > now())) AS price,
       (SELECT coalesce(sum(greatest(quantity - reserved, 0)), 0) FROM inventory i
          WHERE i.product_id = p.product_id) AS stock,
       rx.power_min, rx.power_max
  FROM products p
  JOIN taxonomy t USING (category_id)
  LEFT JOIN prescription_attributes rx USING (product_id)
 WHERE p.active
"""


def product_from_row(row: Any) -> Product:
    path = [c for c in str(row["category_path"] or "").strip("/").split("/") if c]
    rx = None
    if row["power_min"] is not None and row["power_max"] is not None:
        rx = (float(row["power_min"]), float(row["power_max"]))
    return Product(
        item_id=row["product_id"],
        category=tuple(path),
        brand=row["brand"],
        in_stock=int(row["stock"] or 0) > 0,
        price=None if row["price"] is None else float(row["price"]),
        prescription=rx,
    )


async def load_catalog(postgres: Any, catalog: Catalog | None = None) -> Catalog:
    """Fill ``catalog`` (or a new one) with every active product."""
    catalog = catalog if catalog is not None else Catalog()
    async with postgres.acquire() as con:
        rows = await con.fetch(_QUERY)
    seen = set()
    for row in rows:
        catalog.put(product_from_row(row))
        seen.add(row["product_id"])
    for gone in [i for i in list(catalog._items) if i not in seen]:
        catalog.remove(gone)
    log.info("engine catalog: %d products", len(catalog))
    return catalog


async def refresh_product(postgres: Any, catalog: Catalog, product_id: str) -> None:
    """Re-read one product after a catalog change (stock, price, category, deletion)."""
    async with postgres.acquire() as con:
        row = await con.fetchrow(_QUERY + " AND p.product_id = $1", product_id)
    if row is None:
        catalog.remove(product_id)
    else:
        catalog.put(product_from_row(row))
