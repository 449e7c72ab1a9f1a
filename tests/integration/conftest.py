from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import ServiceUnavailable
from app.services.kafka import ping_kafka
from app.services.milvus import Milvus
from app.settings import Settings, get_settings
from tests.integration.harness import ISSUED, Worker


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session", autouse=True)
def stack(settings: Settings) -> None:
    """Fail fast, with the fix, when the stack from `make up` is not running."""
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)

    async def probe() -> None:
        await ping_kafka(settings.kafka_bootstrap, 5)
        m = Milvus(settings.milvus_uri)
        try:
            await m.ping(5)
        finally:
            m._executor.shutdown(wait=False)

    try:
        asyncio.run(probe())
    except ServiceUnavailable as err:
        pytest.fail(f"{err}: start the local stack with `make up` first", pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def delete_test_topics(stack: None, settings: Settings) -> Iterator[None]:
    """Delete the topics this session created (named after a ``unique()`` name).

    Each test works on its own topics; left behind, thousands of partitions accumulate on a
    dev broker over many runs until it fails with "Too many open files" (it did, at 19,859).
    """
    yield
    asyncio.run(delete_topics_named_after(settings.kafka_bootstrap, ISSUED))


async def delete_topics_named_after(bootstrap: str, names: set[str]) -> None:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        doomed = [t for t in await admin.list_topics() if any(n in t for n in names)]
        for i in range(0, len(doomed), 100):
            await admin.delete_topics(doomed[i : i + 100], timeout_ms=60_000)
    finally:
        await admin.close()


@pytest.fixture
def worker_factory(tmp_path: Path) -> Iterator[type[Worker]]:
    started: list[Worker] = []

    def make(**env: str) -> Worker:
        w = Worker(tmp_path, **env)
        started.append(w)
        return w

    yield make  # type: ignore[misc]
    for w in started:
        w.cleanup()


@pytest.fixture(scope="module")
def seeded_database(settings: Settings) -> Iterator[tuple[str, str]]:
    """A private migrated database with 300 seeded products and an admin API key: (dsn, key)."""
    import asyncpg

    from app.auth import Authenticator, PostgresKeyStore
    from app.catalog import seed
    from app.db.testing import create_database, drop_database

    async def setup() -> tuple[str, str]:
        dsn = await create_database(settings.database_url, prefix="hw_it")
        con = await asyncpg.connect(dsn)
        try:
            await seed.load(con, seed.generate(300))
        finally:
            await con.close()

        class _Pg:
            def acquire(self):  # type: ignore[no-untyped-def]
                return _Conn()

        class _Conn:
            async def __aenter__(self) -> asyncpg.Connection:
                self.con = await asyncpg.connect(dsn)
                return self.con

            async def __aexit__(self, *exc: object) -> None:
                await self.con.close()

        key = await Authenticator(PostgresKeyStore(_Pg())).create("admin", "integration tests")
        return dsn, key

    dsn, key = asyncio.run(setup())
    yield dsn, key
    asyncio.run(drop_database(settings.database_url, dsn))
