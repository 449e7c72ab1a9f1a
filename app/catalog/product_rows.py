"""One product as every in-process reader sees it, and the one query that reads it.

Enrichment (category path, brand, price, stock) and the recommendation engine (the same plus
the prescription range) read the same row, so they cannot disagree about a product. The price
is the lowest current price of the product's SKUs in one currency; stock is what is available
(quantity less reserved, never below zero per location) over all SKUs and locations.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg

from app.catalog.queries import CURRENT_PRICE
from app.recommend.model import Product

_SELECT = f"""
SELECT p.product_id, p.name, p.brand, t.path AS category_path, p.active,
       (SELECT min(amount) FROM prices pr
         WHERE pr.product_id = p.product_id AND pr.currency = $1 AND {CURRENT_PRICE}) AS price,
       (SELECT coalesce(sum(greatest(quantity - reserved, 0)), 0) FROM inventory i
         WHERE i.product_id = p.product_id) AS stock,
       rx.power_min, rx.power_max
  FROM products p
  JOIN taxonomy t USING (category_id)
  LEFT JOIN prescription_attributes rx USING (product_id)
"""
#: Two spellings of one query rather than ``$2 IS NULL OR ...``, which would keep a generic
#: plan from using the primary key.
_ACTIVE = _SELECT + " WHERE p.active"
_BY_ID = _SELECT + " WHERE p.product_id = ANY($2::text[])"


@dataclass(frozen=True, slots=True)
class ProductView:
    product_id: str
    name: str
    brand: str | None
    #: Slash-separated category ids from the root, e.g. ``eyewear/frames/sunglasses``.
    category_path: str
    price: Decimal | None
    currency: str
    stock: int
    #: False for draft and discontinued products: enrichment still describes them, the
    #: engine never recommends them.
    active: bool
    #: (min sphere, max sphere) in dioptres; None unless made to a prescription.
    power_range: tuple[Decimal, Decimal] | None = None

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    def engine_product(self) -> Product:
        """The engine's :class:`Product` for this row."""
        rx = self.power_range
        return Product(
            item_id=self.product_id,
            category=tuple(c for c in self.category_path.strip("/").split("/") if c),
            brand=self.brand,
            in_stock=self.in_stock,
            price=None if self.price is None else float(self.price),
            prescription=None if rx is None else (float(rx[0]), float(rx[1])),
        )


def view_from_row(row: Mapping[str, Any], currency: str) -> ProductView:
    low, high = row["power_min"], row["power_max"]
    return ProductView(
        product_id=row["product_id"],
        name=row["name"],
        brand=row["brand"],
        category_path=str(row["category_path"] or ""),
        price=row["price"],
        currency=currency,
        stock=int(row["stock"] or 0),
        active=bool(row["active"]),
        power_range=None if low is None or high is None else (low, high),
    )


async def fetch_views(
    con: asyncpg.Connection, currency: str, ids: Collection[str] | None = None
) -> list[ProductView]:
    """The products named by ``ids`` whatever their state, or every active product."""
    if ids is None:
        rows = await con.fetch(_ACTIVE, currency)
    else:
        rows = await con.fetch(_BY_ID, currency, list(ids))
    return [view_from_row(r, currency) for r in rows]
