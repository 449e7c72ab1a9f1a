"""Each test module gets its own migrated database, seeded with a small catalog."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from app.catalog import seed
from app.db.testing import create_database, drop_database
from app.settings import Settings


@pytest.fixture(scope="module")
def catalog_dsn(settings: Settings) -> Iterator[str]:
    """A fresh database holding a 30-product catalog; dropped after the module."""

    async def up() -> str:
        dsn = await create_database(settings.database_url)
        con = await asyncpg.connect(dsn)
        try:
            await seed.load(con, seed.generate(30, seed=7))
        finally:
            await con.close()
        return dsn

    dsn = asyncio.run(up())
    yield dsn
    asyncio.run(drop_database(settings.database_url, dsn))


@pytest.fixture
async def pool(catalog_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(catalog_dsn, min_size=1, max_size=12)
    try:
        yield pool
    finally:
        await pool.close()
