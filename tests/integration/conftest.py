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
from tests.integration.harness import Worker


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
