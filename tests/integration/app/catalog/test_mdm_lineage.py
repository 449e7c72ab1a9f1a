"""Golden record and per-field lineage persisted by app.catalog.mdm.ingest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import orjson
import pytest

from app.catalog.errors import CatalogValidationError
from app.catalog.mdm import SourceRecord, ingest

T0 = datetime(2025, 3, 1, tzinfo=UTC)


async def _product(pool: asyncpg.Pool, pid: str) -> asyncpg.Record:
    row = await pool.fetchrow("SELECT * FROM products WHERE product_id = $1", pid)
    assert row is not None, f"{pid} was not written"
    return row


async def test_feeds_merge_into_a_golden_record_with_lineage(pool: asyncpg.Pool) -> None:
    pid = "MDM-1"
    await ingest(
        pool,
        SourceRecord(
            "supplier",
            T0,
            {
                "name": "SUPPLIER NAME",
                "brand": "Lumen",
                "category_id": "cleaning",
                "attributes": {"material": "microfibre"},
            },
        ),
        pid,
    )
    await ingest(
        pool,
        SourceRecord("pim", T0 + timedelta(hours=1), {"name": "Lumen Cloth", "brand": None}),
        pid,
    )
    await ingest(
        pool,
        SourceRecord("marketplace", T0 + timedelta(hours=2), {"attributes": {"material": "silk"}}),
        pid,
    )
    # A late re-delivery of an older supplier record changes nothing.
    await ingest(pool, SourceRecord("supplier", T0 - timedelta(days=1), {"brand": "Old"}), pid)

    row = await _product(pool, pid)
    assert row["name"] == "Lumen Cloth"  # pim outranks supplier for name
    assert row["brand"] == "Lumen"  # pim's null did not overwrite
    assert orjson.loads(row["attributes"]) == {"material": "silk"}  # most recent
    lineage = orjson.loads(row["lineage"])
    assert lineage["name"]["source"] == "pim"
    assert lineage["brand"] == {"source": "supplier", "observed_at": T0.isoformat()}
    assert lineage["attributes.material"]["source"] == "marketplace"
    sources = await pool.fetch(
        "SELECT source, observed_at FROM source_records WHERE product_id = $1", pid
    )
    assert {r["source"]: r["observed_at"] for r in sources}["supplier"] == T0
    audited = await pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE table_name = 'products' AND row_key = $1 "
        "AND actor = 'mdm'",
        pid,
    )
    assert audited >= 3


async def test_a_product_without_required_fields_is_refused(pool: asyncpg.Pool) -> None:
    with pytest.raises(CatalogValidationError) as err:
        await ingest(pool, SourceRecord("supplier", T0, {"name": "No category"}), "MDM-2")
    assert err.value.field == "category_id"
    assert (
        await pool.fetchval("SELECT count(*) FROM source_records WHERE product_id = 'MDM-2'") == 0
    )
