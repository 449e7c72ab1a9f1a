"""promote and rollback move the alias while queries keep answering."""

from __future__ import annotations

import asyncio
from collections import Counter

import numpy as np
import pytest

from app.vectors.hot_index import HotIndex
from app.vectors.store import VectorStore
from app.vectors.versions import MilvusAliases, Versions
from tests.integration.app.vectors.helpers import products

pytestmark = pytest.mark.integration


async def test_switching_versions_never_fails_a_query(store: VectorStore) -> None:
    for version, seed in (("v1", 1), ("v2", 2)):
        await store.ensure("products", version)
        await store.upsert("products", products(version, 200, seed), version=version)
    await store.flush()
    versions = Versions(MilvusAliases(store), store.names)
    await versions.promote("products", "v1")

    seen: Counter[str] = Counter()
    errors: list[Exception] = []
    stop = asyncio.Event()
    query = np.ones(8, dtype=np.float32) / np.sqrt(8)

    async def reader() -> None:
        while not stop.is_set():
            try:
                hits = await store.search("products", query, 3, output_fields=["model_version"])
                assert len(hits) == 3, f"a query answered {len(hits)} hits"
                seen[hits[0].fields["model_version"]] += 1
            except Exception as err:  # every failure is the finding
                errors.append(err)

    readers = [asyncio.create_task(reader()) for _ in range(2)]
    try:
        await asyncio.sleep(0.3)
        assert (await versions.promote("products", "v2")).previous == "v1"
        await asyncio.sleep(0.3)
        assert (await versions.rollback("products")).live == "v1"
        await asyncio.sleep(0.3)
        assert (await versions.rollback("products")).live == "v2"
        await asyncio.sleep(0.3)
    finally:
        stop.set()
        await asyncio.gather(*readers)

    assert not errors, f"{len(errors)} queries failed during the switch, first: {errors[0]!r}"
    assert seen["v1"] > 0
    assert seen["v2"] > 0
    assert await versions.live("products") == "v2"
    assert await versions.previous("products") == "v1"


async def test_the_hot_index_follows_the_alias_and_the_writes(store: VectorStore) -> None:
    for version, seed in (("v1", 1), ("v2", 2)):
        await store.ensure("products", version)
        await store.upsert("products", products(version, 50, seed), version=version)
    await store.flush()
    versions = Versions(MilvusAliases(store), store.names)
    await versions.promote("products", "v1")

    hot = HotIndex(8)
    store.add_listener(hot)
    assert await hot.follow(store, "products")
    assert hot.source == store.names.physical("products", "v1")
    assert len(hot) == 50

    fresh = products("v1", 1, seed=9)[0]
    fresh = type(fresh)("NEW", fresh.vector, "v1", fresh.updated_at, category="x")
    await store.upsert("products", [fresh])  # through the alias: the stream's path
    await store.flush()
    assert hot.search(fresh.vector, 1)[0][0] == "NEW"
    assert hot.search(fresh.vector, 1, category="x")[0][0] == "NEW"

    assert not await hot.follow(store, "products")  # alias unchanged: no rebuild
    await versions.promote("products", "v2")
    assert await hot.follow(store, "products")
    assert hot.source == store.names.physical("products", "v2")
    assert len(hot) == 50
    assert "NEW" not in [h for h, _ in hot.search(fresh.vector, 50)]
