"""Vectors written through the store are found by Milvus; bad ones are refused and not written."""

from __future__ import annotations

import time

import numpy as np
import pytest

from app.vectors.blend import fold, session_embedding
from app.vectors.errors import VectorValidationError
from app.vectors.metrics import VECTORS_REJECTED
from app.vectors.schema import VectorRecord
from app.vectors.store import VectorStore
from app.vectors.versions import MilvusAliases, Versions
from tests.integration.app.vectors.helpers import products, unit_rows

pytestmark = pytest.mark.integration


async def test_products_are_written_and_searched_with_filters(store: VectorStore) -> None:
    records = products("v1", 60)
    await store.ensure("products", "v1")
    await store.upsert("products", records, version="v1")
    assert await store.flush() == 60
    await Versions(MilvusAliases(store), store.names).promote("products", "v1")

    hits = await store.search("products", records[7].vector, 5, output_fields=["model_version"])
    assert hits[0].id == "P00007"
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert hits[0].fields["model_version"] == "v1"

    filtered = await store.search("products", records[7].vector, 10, category="lenses")
    assert filtered
    assert all(int(h.id[1:]) % 2 == 0 for h in filtered)
    stocked = await store.search("products", records[7].vector, 10, in_stock=False)
    assert all(int(h.id[1:]) % 3 == 0 for h in stocked)

    got = await store.get("products", ["P00007", "nope"])
    assert set(got) == {"P00007"}
    assert got["P00007"]["updated_at"] == records[7].updated_at
    assert await store.count("products") == 60


async def test_the_write_buffer_flushes_on_its_own(store: VectorStore) -> None:
    await store.ensure("users", "v1")
    await store.start()
    try:
        users = [VectorRecord(f"U{i}", v, "v1", 1) for i, v in enumerate(unit_rows(1, 3))]
        await store.upsert("users", users, version="v1")
        deadline = time.monotonic() + 10
        while await store.count("users", version="v1") < 3:
            assert time.monotonic() < deadline, "buffered users were not flushed within 10s"
            await store.sleep(0.1)
    finally:
        await store.stop()


async def test_session_and_user_blends_land_in_their_collections(store: VectorStore) -> None:
    items = unit_rows(2, 5)
    for kind in ("sessions", "users"):
        await store.ensure(kind, "v1")
    session = session_embedding(items, times=[0, 10, 20, 30, 40], now=40)
    state = None
    for t, vec in enumerate(items):
        state = fold(state, vec, float(t), half_life=3600)
    assert state is not None
    await store.upsert("sessions", [VectorRecord("S1", session, "v1", 40_000)], version="v1")
    await store.upsert("users", [VectorRecord("U1", state.embedding, "v1", 40_000)], version="v1")
    await store.flush()
    assert set(await store.get("sessions", ["S1"], version="v1")) == {"S1"}
    assert set(await store.get("users", ["U1"], version="v1")) == {"U1"}


async def test_a_bad_vector_is_refused_counted_and_not_written(store: VectorStore) -> None:
    await store.ensure("products", "v1")
    good = products("v1", 3)
    bad = VectorRecord("BAD1", [np.nan] * 8, "v1", 1)
    short = VectorRecord("BAD2", [1.0, 0.0], "v1", 1)
    before_nan = VECTORS_REJECTED.labels("products", "not_finite")._value.get()
    before_dim = VECTORS_REJECTED.labels("products", "dimension")._value.get()

    with pytest.raises(VectorValidationError, match="products vector 'BAD1' refused: has 8 NaN"):
        await store.upsert("products", [*good, bad, short], version="v1")
    await store.flush()

    assert VECTORS_REJECTED.labels("products", "not_finite")._value.get() == before_nan + 1
    assert VECTORS_REJECTED.labels("products", "dimension")._value.get() == before_dim + 1
    assert await store.count("products", version="v1") == 0  # the whole call was refused
    await store.upsert("products", good, version="v1")
    await store.flush()
    assert set(await store.get("products", ["P00000", "BAD1", "BAD2"], version="v1")) == {"P00000"}
