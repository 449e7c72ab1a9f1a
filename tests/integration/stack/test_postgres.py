"""The real PostgreSQL through asyncpg, via the same service the worker uses."""

from __future__ import annotations

from app.services.postgres import Postgres
from app.settings import Settings
from tests.integration.harness import unique


async def test_query_through_the_pool(settings: Settings) -> None:
    pg = Postgres(settings.database_url, min_size=1, max_size=2)
    await pg.start()
    try:
        table = unique("it_pg").replace("-", "_")
        async with pg.acquire() as con, con.transaction():
            await con.execute(f"CREATE TEMP TABLE {table} (id int PRIMARY KEY, name text)")
            await con.executemany(
                f"INSERT INTO {table} VALUES ($1, $2)", [(1, "a"), (2, "b"), (3, "c")]
            )
            rows = await con.fetch(f"SELECT name FROM {table} WHERE id >= $1 ORDER BY id", 2)
        assert [r["name"] for r in rows] == ["b", "c"]
        assert await pg.ping(2) is None
        async with pg.acquire() as con:
            version = await con.fetchval("SHOW server_version_num")
        assert int(version) >= 150000
    finally:
        await pg.stop()
