"""The consistency check against a real catalog, and a backfill that resumes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from app.catalog import seed
from app.db.testing import create_database, drop_database
from app.settings import Settings
from app.vectors.backfill import backfill
from app.vectors.consistency import catalog_rows, check_products, freshness
from app.vectors.encoders import TfidfSvdEncoder
from app.vectors.metrics import VECTORS_INCONSISTENT
from app.vectors.schema import VectorRecord
from app.vectors.sources import catalog_products, content_records
from app.vectors.store import VectorStore
from app.vectors.versions import MilvusAliases, Versions
from tests.integration.app.vectors.helpers import products

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def catalog_dsn(settings: Settings) -> Iterator[str]:
    async def up() -> str:
        dsn = await create_database(settings.database_url, prefix="hwvec")
        con = await asyncpg.connect(dsn)
        try:
            await seed.load(con, seed.generate(40, seed=3))
        finally:
            await con.close()
        return dsn

    dsn = asyncio.run(up())
    yield dsn
    asyncio.run(drop_database(settings.database_url, dsn))


async def test_the_check_finds_missing_stale_and_orphaned_vectors(
    store: VectorStore, catalog_dsn: str, tmp_path: Path
) -> None:
    catalog = await catalog_products(catalog_dsn)
    encoder = TfidfSvdEncoder(dim=8, version="c1").fit(catalog)
    result = await backfill(
        store,
        "products",
        "c1",
        content_records(catalog, encoder),
        tmp_path / "cp.json",
        progress=False,
    )
    assert result.written == 40
    await Versions(MilvusAliases(store), store.names).promote("products", "c1")
    clean = await check_products(store, catalog_rows(catalog_dsn))
    assert clean.ok, clean.summary()
    assert (clean.catalog, clean.vectors) == (40, 40)

    deleted, touched = catalog[4]["product_id"], catalog[9]["product_id"]
    await store.delete("products", [deleted])
    orphan = content_records(catalog[:1], encoder)[0]
    await store.upsert("products", [VectorRecord("GONE1", orphan.vector, "c1", 1)])
    await store.flush()
    con = await asyncpg.connect(catalog_dsn)
    try:
        await con.execute(
            "UPDATE products SET updated_at = now() + interval '1 hour' WHERE product_id = $1",
            touched,
        )
    finally:
        await con.close()

    report = await check_products(store, catalog_rows(catalog_dsn))
    assert report.missing == [deleted]
    assert report.stale == [touched]
    assert report.orphaned == ["GONE1"]
    alias = store.names.alias("products")
    assert VECTORS_INCONSISTENT.labels(alias, "missing")._value.get() == 1

    ages = {f.collection: f for f in await freshness(store)}
    assert set(ages) == {alias}  # the other kinds were never promoted
    assert ages[alias].count == 40
    assert ages[alias].oldest_age_s is not None
    assert ages[alias].newest_age_s is not None
    assert ages[alias].oldest_age_s > ages[alias].newest_age_s


class Interrupted(Exception):
    pass


def failing_after(records: list[VectorRecord], n: int) -> Iterator[VectorRecord]:
    for i, r in enumerate(records):
        if i == n:
            raise Interrupted(f"source died at record {n}")
        yield r


async def test_a_backfill_resumes_where_it_stopped(store: VectorStore, tmp_path: Path) -> None:
    records = products("b1", 500)
    checkpoint = tmp_path / "backfill.json"
    with pytest.raises(Interrupted):
        await backfill(
            store,
            "products",
            "b1",
            failing_after(records, 250),
            checkpoint,
            batch=100,
            progress=False,
        )
    assert checkpoint.exists()
    assert await store.count("products", version="b1") == 200  # two whole batches

    again = await backfill(store, "products", "b1", records, checkpoint, batch=100, progress=False)
    assert again.resumed_from == "P00199"
    assert again.skipped == 200
    assert again.written == 500
    assert not checkpoint.exists()
    assert await store.count("products", version="b1") == 500


async def test_a_backfill_refuses_an_unsorted_source(store: VectorStore, tmp_path: Path) -> None:
    from app.vectors.errors import BackfillError

    records = products("b1", 3)
    with pytest.raises(BackfillError, match="ascending id order"):
        await backfill(store, "products", "b1", records[::-1], tmp_path / "cp.json", progress=False)
