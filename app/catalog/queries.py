"""Catalog reads for the HTTP views: product detail, pages of summaries, the taxonomy.

They read PostgreSQL on every request, so a write is visible to the next GET; the worker's
in-process product reads (enrichment, the engine) go through app/catalog/read_model.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg

from app.catalog.db import loads

#: A price is current when now() falls inside its validity window.
CURRENT_PRICE = "valid_from <= now() AND (valid_to IS NULL OR valid_to > now())"

_PRODUCT = f"""
SELECT p.product_id, p.name, p.brand, p.description, p.category_id, t.path AS category_path,
       p.attributes, p.requires_prescription, p.active, p.version, p.updated_at,
       (SELECT min(amount) FROM prices pr
         WHERE pr.product_id = p.product_id AND pr.currency = $1 AND {CURRENT_PRICE}) AS price,
       (SELECT coalesce(sum(greatest(quantity - reserved, 0)), 0) FROM inventory i
         WHERE i.product_id = p.product_id) AS stock
  FROM products p JOIN taxonomy t USING (category_id)
"""


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _summary(row: asyncpg.Record, currency: str) -> dict[str, Any]:
    return {
        "product_id": row["product_id"],
        "name": row["name"],
        "brand": row["brand"],
        "category_id": row["category_id"],
        "category_path": row["category_path"],
        "price": None
        if row["price"] is None
        else {"amount": _money(row["price"]), "currency": currency},
        "stock": int(row["stock"]),
        "in_stock": int(row["stock"]) > 0,
        "active": row["active"],
        "version": row["version"],
    }


async def product_summary(
    con: asyncpg.Connection, product_id: str, currency: str = "EUR"
) -> dict[str, Any] | None:
    """Price (lowest current of its SKUs), available stock and category path of a product."""
    row = await con.fetchrow(_PRODUCT + " WHERE p.product_id = $2", currency, product_id)
    return None if row is None else _summary(row, currency)


async def product_detail(
    con: asyncpg.Connection, product_id: str, currency: str = "EUR"
) -> dict[str, Any] | None:
    """The summary plus attributes, variants with their prices and stock, media, optics."""
    row = await con.fetchrow(_PRODUCT + " WHERE p.product_id = $2", currency, product_id)
    if row is None:
        return None
    body = _summary(row, currency)
    body["description"] = row["description"]
    body["attributes"] = loads(row["attributes"])
    body["requires_prescription"] = row["requires_prescription"]
    body["updated_at"] = row["updated_at"].isoformat()
    variants = await con.fetch(
        f"""
        SELECT v.sku, v.color, v.size, v.barcode, v.active,
               (SELECT amount FROM prices pr WHERE pr.sku = v.sku AND pr.currency = $2
                  AND {CURRENT_PRICE}) AS price,
               coalesce((SELECT jsonb_object_agg(location_id, quantity) FROM inventory i
                          WHERE i.sku = v.sku), '{{}}') AS stock
          FROM variants v WHERE v.product_id = $1 ORDER BY v.sku
        """,
        product_id,
        currency,
    )
    body["variants"] = [
        {
            "sku": v["sku"],
            "color": v["color"],
            "size": v["size"],
            "barcode": v["barcode"],
            "active": v["active"],
            "price": _money(v["price"]),
            "stock": loads(v["stock"]),
        }
        for v in variants
    ]
    media = await con.fetch(
        "SELECT kind, url, alt_text FROM media_assets WHERE product_id = $1 ORDER BY position",
        product_id,
    )
    body["media"] = [dict(m) for m in media]
    rx = await con.fetchrow(
        "SELECT lens_type, power_min, power_max, cylinder_min, cylinder_max, base_curve_mm, "
        "diameter_mm FROM prescription_attributes WHERE product_id = $1",
        product_id,
    )
    body["prescription"] = (
        None
        if rx is None
        else {k: (str(v) if isinstance(v, Decimal) else v) for k, v in dict(rx).items()}
    )
    return body


async def list_products(
    con: asyncpg.Connection,
    *,
    category: str | None,
    in_stock: bool | None,
    page: int,
    page_size: int,
    currency: str = "EUR",
) -> dict[str, Any]:
    """A page of product summaries; ``category`` includes its sub-categories."""
    where = ["TRUE"]
    args: list[Any] = [currency]
    if category is not None:
        args.append(category)
        where.append(
            f"(t.category_id = ${len(args)} OR t.path LIKE "
            f"(SELECT path FROM taxonomy WHERE category_id = ${len(args)}) || '/%')"
        )
    query = f"SELECT * FROM ({_PRODUCT} WHERE {' AND '.join(where)}) s"
    if in_stock is not None:
        query += " WHERE (stock > 0) = " + ("TRUE" if in_stock else "FALSE")
    total = await con.fetchval(f"SELECT count(*) FROM ({query}) c", *args)
    rows = await con.fetch(
        f"{query} ORDER BY product_id LIMIT {int(page_size)} OFFSET {int((page - 1) * page_size)}",
        *args,
    )
    return {
        "items": [_summary(r, currency) for r in rows],
        "page": page,
        "page_size": page_size,
        "total": total,
    }


async def category_exists(con: asyncpg.Connection, category_id: str) -> bool:
    return bool(await con.fetchval("SELECT 1 FROM taxonomy WHERE category_id = $1", category_id))


async def taxonomy_tree(con: asyncpg.Connection) -> list[dict[str, Any]]:
    """The taxonomy as nested nodes, each with its stable path and product count."""
    rows = await con.fetch(
        "SELECT t.category_id, t.parent_id, t.name, t.path, t.depth, "
        "(SELECT count(*) FROM products p WHERE p.category_id = t.category_id) AS products "
        "FROM taxonomy t ORDER BY t.path"
    )
    nodes = {
        r["category_id"]: {
            "category_id": r["category_id"],
            "name": r["name"],
            "path": r["path"],
            "products": r["products"],
            "children": [],
        }
        for r in rows
    }
    roots: list[dict[str, Any]] = []
    for r in rows:
        node = nodes[r["category_id"]]
        parent = nodes.get(r["parent_id"]) if r["parent_id"] else None
        (parent["children"] if parent else roots).append(node)
    return roots
