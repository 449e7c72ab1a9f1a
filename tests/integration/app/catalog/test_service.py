"""The service layer on the real PostgreSQL: ACID, idempotent, no lost update, audited."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import asyncpg
import pytest

from app.catalog.errors import CatalogConflict, CatalogNotFound, CatalogValidationError
from app.catalog.service import CatalogService

SKU, PRODUCT = "P000003-01", "P000003"


async def _open_price(pool: asyncpg.Pool, sku: str) -> Decimal:
    amount: Decimal = await pool.fetchval(
        "SELECT amount FROM prices WHERE sku = $1 AND currency = 'EUR' AND valid_to IS NULL", sku
    )
    return amount


async def test_price_change_keeps_history_and_is_idempotent(pool: asyncpg.Pool) -> None:
    service = CatalogService(pool)
    before = await _open_price(pool, SKU)
    change = uuid.uuid4()
    first = await service.set_price(
        change_id=change, sku=SKU, currency="EUR", amount="12.34", actor="alice"
    )
    again = await service.set_price(
        change_id=change, sku=SKU, currency="EUR", amount="12.34", actor="alice"
    )
    assert first.applied
    assert not again.applied
    assert again.result == first.result
    history = await pool.fetch(
        "SELECT amount, valid_to FROM prices WHERE sku = $1 ORDER BY price_id", SKU
    )
    assert [r["amount"] for r in history] == [before, Decimal("12.34")]
    assert history[0]["valid_to"] is not None
    assert history[1]["valid_to"] is None
    audit = await pool.fetch(
        "SELECT actor, op FROM audit_log WHERE table_name = 'prices' AND after->>'sku' = $1 "
        "AND actor = 'alice' ORDER BY audit_id",
        SKU,
    )
    assert [(r["actor"], r["op"]) for r in audit] == [("alice", "update"), ("alice", "insert")]


async def test_price_rows_cannot_be_updated_in_place(pool: asyncpg.Pool) -> None:
    with pytest.raises(asyncpg.RaiseError, match="never updated in place"):
        await pool.execute("UPDATE prices SET amount = amount + 1 WHERE sku = $1", SKU)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"currency": "eur"}, "currency"),
        ({"change_id": "not-a-uuid"}, "change_id"),
    ],
)
async def test_invalid_price_names_the_field(
    pool: asyncpg.Pool, kwargs: dict[str, str], field: str
) -> None:
    args = {"change_id": uuid.uuid4(), "sku": SKU, "currency": "EUR", "amount": "9.99", **kwargs}
    with pytest.raises(CatalogValidationError) as err:
        await CatalogService(pool).set_price(actor="t", **args)
    assert err.value.field == field
    assert field in str(err.value)
    assert ";" in str(err.value)


async def test_unknown_sku_is_not_found(pool: asyncpg.Pool) -> None:
    with pytest.raises(CatalogNotFound, match="NOPE"):
        await CatalogService(pool).set_price(
            change_id=uuid.uuid4(), sku="NOPE", currency="EUR", amount="1.00", actor="t"
        )


async def test_concurrent_deltas_lose_no_update(pool: asyncpg.Pool) -> None:
    service = CatalogService(pool)
    await service.set_inventory(
        change_id=uuid.uuid4(), sku=SKU, location_id="ST-PARIS", quantity=100, actor="t"
    )
    tasks = [
        service.adjust_inventory(
            change_id=uuid.uuid4(), sku=SKU, location_id="ST-PARIS", delta=1, actor=f"t{i}"
        )
        for i in range(10)
    ]
    await asyncio.gather(*tasks)  # ten connections of the pool, interleaved
    quantity = await pool.fetchval(
        "SELECT quantity FROM inventory WHERE sku = $1 AND location_id = 'ST-PARIS'", SKU
    )
    assert quantity == 110


async def test_concurrent_compare_and_set_one_wins(pool: asyncpg.Pool) -> None:
    service = CatalogService(pool)
    base = await service.set_inventory(
        change_id=uuid.uuid4(), sku=SKU, location_id="ST-MADRID", quantity=5, actor="t"
    )
    version = base.result["version"]
    hold = await pool.acquire()
    try:
        # Hold the row lock so both writers are queued behind it before either runs.
        tx = hold.transaction()
        await tx.start()
        await hold.execute(
            "SELECT 1 FROM inventory WHERE sku = $1 AND location_id = 'ST-MADRID' FOR UPDATE", SKU
        )
        writers = [
            asyncio.create_task(
                service.set_inventory(
                    change_id=uuid.uuid4(),
                    sku=SKU,
                    location_id="ST-MADRID",
                    quantity=q,
                    expected_version=version,
                    actor=f"writer{q}",
                )
            )
            for q in (7, 9)
        ]
        await asyncio.sleep(0.3)
        assert not any(w.done() for w in writers), "writers did not wait for the row lock"
        await tx.rollback()
    finally:
        await pool.release(hold)
    results = await asyncio.gather(*writers, return_exceptions=True)
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, CatalogConflict)]
    assert (len(won), len(lost)) == (1, 1), results
    final = await pool.fetchrow(
        "SELECT quantity, version FROM inventory WHERE sku = $1 AND location_id = 'ST-MADRID'", SKU
    )
    assert final["quantity"] == won[0].result["quantity"]
    assert final["version"] == version + 1
    assert lost[0].expected == version
    assert lost[0].actual == version + 1


async def test_product_update_validates_attributes_and_versions(pool: asyncpg.Pool) -> None:
    service = CatalogService(pool)
    pid = await pool.fetchval(
        "SELECT product_id FROM products WHERE category_id = 'optical-frames' LIMIT 1"
    )
    version = await pool.fetchval("SELECT version FROM products WHERE product_id = $1", pid)
    with pytest.raises(CatalogValidationError) as err:
        await service.update_product(
            change_id=uuid.uuid4(),
            product_id=pid,
            changes={"attributes": {"frame_shape": "triangle"}},
            actor="t",
        )
    assert err.value.field == "attributes.frame_shape"
    done = await service.update_product(
        change_id=uuid.uuid4(),
        product_id=pid,
        changes={"name": "Renamed", "attributes": {"frame_shape": "round"}},
        expected_version=version,
        actor="t",
    )
    assert done.result["version"] == version + 1
    with pytest.raises(CatalogConflict):
        await service.update_product(
            change_id=uuid.uuid4(),
            product_id=pid,
            changes={"name": "Stale"},
            expected_version=version,
            actor="t",
        )
    assert await pool.fetchval("SELECT name FROM products WHERE product_id = $1", pid) == "Renamed"


async def test_a_failed_change_leaves_nothing_behind(pool: asyncpg.Pool) -> None:
    change = uuid.uuid4()
    outbox_before = await pool.fetchval("SELECT count(*) FROM outbox")
    with pytest.raises(CatalogValidationError):
        await CatalogService(pool).adjust_inventory(
            change_id=change, sku=SKU, location_id="ONLINE", delta=-10_000, actor="t"
        )
    assert (
        await pool.fetchval("SELECT count(*) FROM applied_changes WHERE change_id = $1", change)
        == 0
    )
    assert await pool.fetchval("SELECT count(*) FROM outbox") == outbox_before


async def test_plain_sql_change_is_audited_and_queued(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as con, con.transaction():
        await con.execute("SELECT set_config('headwater.actor', 'dba-bob', true)")
        await con.execute("UPDATE products SET brand = 'Plain SQL' WHERE product_id = $1", PRODUCT)
        txid = await con.fetchval("SELECT txid_current()")
    row = await pool.fetchrow(
        "SELECT * FROM audit_log WHERE table_name = 'products' AND row_key = $1 AND txid = $2",
        PRODUCT,
        txid,
    )
    assert row is not None, "no audit row for the plain SQL update"
    assert row["actor"] == "dba-bob"
    assert row["op"] == "update"
    assert '"brand": "Plain SQL"' in row["after"]
    assert '"brand": "Plain SQL"' not in row["before"]
    queued = await pool.fetchrow("SELECT * FROM outbox WHERE txid = $1", txid)
    assert (queued["entity"], queued["entity_id"], queued["op"]) == ("products", PRODUCT, "update")
    assert queued["published_at"] is None
    # Without headwater.actor the database user is the actor.
    await pool.execute("UPDATE products SET brand = 'No actor' WHERE product_id = $1", PRODUCT)
    actor = await pool.fetchval(
        "SELECT actor FROM audit_log WHERE table_name = 'products' AND row_key = $1 "
        "ORDER BY audit_id DESC LIMIT 1",
        PRODUCT,
    )
    assert actor == await pool.fetchval("SELECT current_user")
