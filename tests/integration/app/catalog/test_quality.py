"""Data-quality checks find what plain SQL broke."""

from __future__ import annotations

import asyncpg

from app.catalog.quality import as_metrics, run_checks


async def test_checks_count_and_show_examples(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as con:
        before = await run_checks(con)
        async with con.transaction():
            await con.execute(
                "UPDATE inventory SET quantity = -2 WHERE (sku, location_id) IN "
                "(SELECT sku, location_id FROM inventory ORDER BY sku LIMIT 1)"
            )
            sku = await con.fetchval("SELECT sku FROM variants ORDER BY sku DESC LIMIT 1")
            await con.execute("UPDATE prices SET valid_to = now() WHERE sku = $1", sku)
            pid = await con.fetchval(
                "SELECT product_id FROM products WHERE category_id = 'optical-frames' LIMIT 1"
            )
            await con.execute(
                'UPDATE products SET attributes = attributes || \'{"frame_shape": "blob"}\' '
                "WHERE product_id = $1",
                pid,
            )
        after = await run_checks(con)
    assert after["negative_stock"].count == before["negative_stock"].count + 1
    assert any("=-2" in e for e in after["negative_stock"].examples)
    assert after["missing_prices"].count == before["missing_prices"].count + 1
    assert sku in after["missing_prices"].examples or after["missing_prices"].count > 5
    assert after["attribute_violations"].count == before["attribute_violations"].count + 1
    assert as_metrics(after)["catalog_quality_negative_stock"] == after["negative_stock"].count
