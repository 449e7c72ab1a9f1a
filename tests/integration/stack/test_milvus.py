"""The Milvus Lite server: create a collection, insert, search, through the async facade."""

from __future__ import annotations

import numpy as np
from pymilvus import MilvusClient

from app.services.milvus import Milvus
from app.settings import Settings
from tests.integration.harness import unique


async def test_write_and_search(settings: Settings) -> None:
    milvus = Milvus(settings.milvus_uri)
    name = unique("it_milvus").replace("-", "_")
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(200, 16)).astype("float32")
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    def create(c: MilvusClient) -> None:
        c.create_collection(name, dimension=16, metric_type="COSINE", auto_id=False)

    await milvus.run(create)
    try:
        rows = [{"id": i, "vector": v.tolist()} for i, v in enumerate(vectors)]
        await milvus.run(lambda c: c.insert(name, rows))
        hits = await milvus.run(
            lambda c: c.search(name, data=[vectors[42].tolist()], limit=3, output_fields=["id"])
        )
        assert hits[0][0]["id"] == 42
        assert hits[0][0]["distance"] > 0.99
        stats = await milvus.run(lambda c: c.get_collection_stats(name))
        assert int(stats["row_count"]) == 200
    finally:
        await milvus.run(lambda c: c.drop_collection(name))
        await milvus.stop()
