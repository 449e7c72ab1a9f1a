"""Each test gets its own collection prefix on the real Milvus Lite server; all is dropped after."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from pymilvus import MilvusClient

from app.services.milvus import Milvus
from app.settings import Settings
from app.vectors.store import VectorStore


def drop_prefixed(uri: str, prefix: str) -> None:
    client = MilvusClient(uri=uri, timeout=10)
    try:
        for name in client.list_collections():
            if name.startswith(prefix):
                for alias in client.list_aliases(name)["aliases"]:
                    client.drop_alias(alias)
                client.drop_collection(name)
    finally:
        client.close()


@pytest.fixture
def prefix(settings: Settings) -> Iterator[str]:
    p = f"t{uuid.uuid4().hex[:10]}_"
    yield p
    drop_prefixed(settings.milvus_uri, p)


@pytest.fixture
async def store(settings: Settings, prefix: str) -> AsyncIterator[VectorStore]:
    milvus = Milvus(settings.milvus_uri, threads=4)
    s = VectorStore(
        milvus,
        prefix=prefix,
        dims=dict.fromkeys(("products", "content", "users", "sessions"), 8),
        batch_size=100,
        flush_interval=0.2,
    )
    try:
        yield s
    finally:
        await s.flush()
        await milvus.on_stop()
