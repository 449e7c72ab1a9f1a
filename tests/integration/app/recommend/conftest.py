"""A private migrated database for the module; a pool per test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from app.db.testing import create_database, drop_database
from app.settings import Settings


@pytest.fixture(scope="module")
def rec_dsn(settings: Settings) -> Iterator[str]:
    dsn = asyncio.run(create_database(settings.database_url, prefix="hw_rec"))
    yield dsn
    asyncio.run(drop_database(settings.database_url, dsn))


@pytest.fixture
async def pool(rec_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(rec_dsn, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()
