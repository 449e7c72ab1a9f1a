"""Expand/contract: migration 0004 adds products.lifecycle while old workers keep writing
products.active. Both versions run against the same database before and after the expand."""

from __future__ import annotations

import asyncpg

from app.catalog import queries, seed
from app.db.migrate import migrate
from app.db.testing import scratch_database
from app.settings import Settings

EXPAND = 4


# The "blue" (old) worker's SQL: knows only `active`.
async def old_create(con: asyncpg.Connection, pid: str, active: bool) -> None:
    await con.execute(
        "INSERT INTO products (product_id, name, category_id, active) "
        "VALUES ($1, $1, 'cleaning', $2)",
        pid,
        active,
    )


async def old_active_ids(con: asyncpg.Connection) -> set[str]:
    return {r[0] for r in await con.fetch("SELECT product_id FROM products WHERE active")}


# The "green" (new) worker's SQL: knows `lifecycle`.
async def new_create(con: asyncpg.Connection, pid: str, lifecycle: str) -> None:
    await con.execute(
        "INSERT INTO products (product_id, name, category_id, lifecycle) "
        "VALUES ($1, $1, 'cleaning', $2)",
        pid,
        lifecycle,
    )


async def new_lifecycle(con: asyncpg.Connection, pid: str) -> str:
    value: str = await con.fetchval("SELECT lifecycle FROM products WHERE product_id = $1", pid)
    return value


async def test_old_and_new_workers_share_the_expanded_schema(settings: Settings) -> None:
    async with scratch_database(settings.database_url, target=EXPAND - 1) as dsn:
        blue = await asyncpg.connect(dsn)
        green = await asyncpg.connect(dsn)
        try:
            await seed.load(blue, seed.generate(5, seed=1))
            await old_create(blue, "OLD-BEFORE-ON", True)
            await old_create(blue, "OLD-BEFORE-OFF", False)

            # Expand while blue stays connected and keeps its prepared statements.
            assert [m.version for m in await migrate(dsn, target=EXPAND)] == [EXPAND]

            # Existing rows were backfilled.
            assert await new_lifecycle(green, "OLD-BEFORE-ON") == "active"
            assert await new_lifecycle(green, "OLD-BEFORE-OFF") == "discontinued"

            # Blue writes `active`: green reads the matching lifecycle.
            await old_create(blue, "OLD-AFTER-OFF", False)
            assert await new_lifecycle(green, "OLD-AFTER-OFF") == "discontinued"
            await blue.execute(
                "UPDATE products SET active = true WHERE product_id = 'OLD-AFTER-OFF'"
            )
            assert await new_lifecycle(green, "OLD-AFTER-OFF") == "active"

            # Green writes `lifecycle`: blue reads the matching active flag.
            await new_create(green, "NEW-DRAFT", "draft")
            await new_create(green, "NEW-LIVE", "active")
            active = await old_active_ids(blue)
            assert "NEW-LIVE" in active
            assert "NEW-DRAFT" not in active
            await green.execute(
                "UPDATE products SET lifecycle = 'discontinued' WHERE product_id = 'NEW-LIVE'"
            )
            assert "NEW-LIVE" not in await old_active_ids(blue)

            # The shared read path of the service layer works for both.
            for con in (blue, green):
                body = await queries.product_summary(con, "OLD-AFTER-OFF")
                assert body is not None
                assert body["active"] is True
        finally:
            await blue.close()
            await green.close()
