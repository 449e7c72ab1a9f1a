"""Data-quality checks of the catalog: counts and a few examples per check.

Run by ``faust -A app catalog quality``; :func:`as_metrics` flattens the result into gauges.
The database prevents much (foreign keys, one open price per SKU), so these checks look for
what it allows and a shop should not have: active SKUs without a current price, negative stock
(allowed for back-orders), SKUs orphaned from sale (active SKU of an inactive product, or no
stock row anywhere), and attributes that break their category's definitions (written by plain
SQL or by a feed, which the service layer would have refused).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg

from app.catalog import attributes as attrs
from app.catalog.db import loads

_SQL_CHECKS = {
    "missing_prices": """
        SELECT v.sku FROM variants v JOIN products p USING (product_id)
         WHERE v.active AND p.active AND NOT EXISTS (
               SELECT 1 FROM prices pr WHERE pr.sku = v.sku
                  AND pr.valid_from <= now() AND (pr.valid_to IS NULL OR pr.valid_to > now()))
         ORDER BY v.sku
    """,
    "negative_stock": """
        SELECT sku || '@' || location_id || '=' || quantity FROM inventory
         WHERE quantity < 0 ORDER BY sku, location_id
    """,
    "orphan_skus": """
        SELECT v.sku FROM variants v JOIN products p USING (product_id)
         WHERE v.active AND (NOT p.active
               OR NOT EXISTS (SELECT 1 FROM inventory i WHERE i.sku = v.sku))
         ORDER BY v.sku
    """,
}


@dataclass(frozen=True)
class CheckResult:
    count: int
    examples: list[str] = field(default_factory=list)


async def _sql_check(con: asyncpg.Connection, sql: str, examples: int) -> CheckResult:
    count = await con.fetchval(f"SELECT count(*) FROM ({sql}) q")
    rows = await con.fetch(f"{sql} LIMIT {int(examples)}")
    return CheckResult(int(count), [str(r[0]) for r in rows])


async def _attribute_check(con: asyncpg.Connection, examples: int) -> CheckResult:
    defs: dict[str, list[attrs.AttributeDefinition]] = {}
    for category in await con.fetch("SELECT category_id FROM taxonomy"):
        cid = category["category_id"]
        defs[cid] = [attrs.from_row(r) for r in await con.fetch(attrs.DEFINITIONS_SQL, cid)]
    count, found = 0, list[str]()
    async with con.transaction():  # a cursor needs one
        cursor = con.cursor(
            "SELECT product_id, category_id, attributes FROM products ORDER BY product_id"
        )
        async for row in cursor:
            problems = attrs.violations(defs.get(row["category_id"], []), loads(row["attributes"]))
            if problems:
                count += 1
                if len(found) < examples:
                    name, problem = problems[0]
                    found.append(f"{row['product_id']}: {name} {problem}")
    return CheckResult(count, found)


async def run_checks(con: asyncpg.Connection, examples: int = 5) -> dict[str, CheckResult]:
    """Every check, by name."""
    results = {name: await _sql_check(con, sql, examples) for name, sql in _SQL_CHECKS.items()}
    results["attribute_violations"] = await _attribute_check(con, examples)
    return results


def as_metrics(results: dict[str, CheckResult]) -> dict[str, int]:
    return {f"catalog_quality_{name}": r.count for name, r in results.items()}


def report(results: dict[str, CheckResult]) -> dict[str, Any]:
    return {
        "ok": all(r.count == 0 for r in results.values()),
        "checks": {n: {"count": r.count, "examples": r.examples} for n, r in results.items()},
    }
