"""The product read model's one query against the seeded PostgreSQL catalog."""

from __future__ import annotations

import asyncpg

from app.catalog.queries import product_summary
from app.catalog.read_model import ProductReadModel


async def test_start_loads_every_active_product_as_enrichment_and_the_engine_see_it(
    pool: asyncpg.Pool,
) -> None:
    model = ProductReadModel(pool)
    catalog = await model.start()
    active = await pool.fetchval("SELECT count(*) FROM products WHERE active")
    assert len(catalog) == active > 0
    rx = await pool.fetchrow(
        "SELECT product_id, power_min, power_max FROM prescription_attributes LIMIT 1"
    )
    views = await model.get_many(sorted(catalog))
    assert model.misses == 0  # every active product was loaded at start
    for pid, view in views.items():
        assert view is not None
        async with pool.acquire() as con:
            summary = await product_summary(con, pid)  # the HTTP view's query agrees
        assert summary is not None
        assert (view.name, view.brand, view.category_path, view.stock) == (
            summary["name"],
            summary["brand"],
            summary["category_path"],
            summary["stock"],
        )
        assert str(view.price) == summary["price"]["amount"]
        engine = catalog.get(pid)
        assert engine is not None
        assert engine.brand == view.brand
        assert engine.category == tuple(view.category_path.split("/"))
        assert engine.in_stock == view.in_stock
    with_rx = views[rx["product_id"]]
    assert with_rx is not None
    assert with_rx.power_range == (rx["power_min"], rx["power_max"])
    assert catalog.get(rx["product_id"]).prescription == (  # type: ignore[union-attr]
        float(rx["power_min"]),
        float(rx["power_max"]),
    )


async def test_a_new_product_is_read_on_a_miss_and_leaves_the_engine_when_deactivated(
    pool: asyncpg.Pool,
) -> None:
    model = ProductReadModel(pool)
    await model.start()
    category = await pool.fetchval("SELECT category_id FROM products LIMIT 1")
    await pool.execute(
        "INSERT INTO products (product_id, name, brand, category_id) VALUES ($1, $2, $3, $4)",
        "RM-NEW-1",
        "Read model frame",
        "Nova",
        category,
    )
    got = await model.get_many(["RM-NEW-1", "RM-NO-SUCH"])
    assert got["RM-NO-SUCH"] is None
    new = got["RM-NEW-1"]
    assert new is not None
    assert (new.brand, new.price, new.stock, new.active) == ("Nova", None, 0, True)
    assert "RM-NEW-1" in model.catalog
    await pool.execute("UPDATE products SET active = false WHERE product_id = 'RM-NEW-1'")
    await model.apply({"entity": "products", "entity_id": "RM-NEW-1"})
    assert "RM-NEW-1" not in model.catalog
    gone = await model.get("RM-NEW-1")
    assert gone is not None
    assert not gone.active
