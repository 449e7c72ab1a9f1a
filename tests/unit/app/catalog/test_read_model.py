"""The product read model's per-product logic against a fake PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from typing import Any

import pytest

from app.catalog.read_model import ProductReadModel
from app.recommend.model import Catalog
from tests.unit.app.catalog.fake_db import FakeDB, row


def change(entity: str, entity_id: str) -> dict[str, Any]:
    return {"entity": entity, "entity_id": entity_id, "op": "update"}


async def test_start_fills_the_engine_catalog_with_the_active_products_only() -> None:
    db = FakeDB(row("A", power=("-6.00", "2.00")), row("B", active=False), row("C", stock=0))
    engine = Catalog()
    model = ProductReadModel(db, catalog=None)
    assert await model.start(engine) is engine
    assert sorted(engine) == ["A", "C"]
    a = engine.get("A")
    assert a is not None
    assert (a.category, a.brand, a.price, a.prescription) == (
        ("eyewear", "frames"),
        "Acme",
        10.0,
        (-6.0, 2.0),
    )
    assert engine.get("C") is not None
    assert not engine.get("C").in_stock
    assert db.reads == [None]
    # Enrichment reads what the engine holds, without another query.
    view = (await model.get_many(["A"]))["A"]
    assert view is not None
    assert view.brand == "Acme"
    assert view.price == Decimal("10.00")
    assert view.power_range == (Decimal("-6.00"), Decimal("2.00"))
    assert db.reads == [None]


async def test_misses_are_read_in_one_query_and_absence_is_remembered() -> None:
    db = FakeDB(row("A"), row("B", active=False, brand=None))
    model = ProductReadModel(db)
    got = await model.get_many(["A", "B", "NOPE", "A"])
    assert set(got) == {"A", "B", "NOPE"}
    assert got["NOPE"] is None
    assert got["B"] is not None
    assert not got["B"].active
    assert got["B"].brand is None
    assert db.reads == [["A", "B", "NOPE"]]
    assert await model.get_many(["NOPE", "B"]) == {"NOPE": None, "B": got["B"]}
    assert db.reads == [["A", "B", "NOPE"]]
    # Read on a miss, an active product reaches the engine too; an inactive one does not.
    assert "A" in model.catalog
    assert "B" not in model.catalog
    assert (model.hits, model.misses) == (2, 3)


async def test_a_read_that_started_before_a_change_does_not_store_what_it_read() -> None:
    db = FakeDB(row("A", price="10.00"))
    model = ProductReadModel(db)
    release = db.hold_next_read()
    stale = asyncio.create_task(model.get_many(["A"]))
    await db.holding.wait()  # the read has its (old) row
    db.rows["A"] = row("A", price="7.50")
    await model.apply(change("prices", "A"))
    release.set()
    old = (await stale)["A"]
    assert old is not None
    assert old.price == Decimal("10.00")
    now = await model.get("A")
    assert now is not None
    assert now.price == Decimal("7.50")
    assert model.catalog.get("A").price == 7.5  # type: ignore[union-attr]
    assert len(db.reads) == 2  # the racing read and the change's; the last get was a hit


async def test_a_change_re_reads_the_product_and_removes_it_when_gone_or_inactive() -> None:
    db = FakeDB(row("A"), row("B"))
    model = ProductReadModel(db)
    await model.start()
    db.rows["A"]["active"] = False
    del db.rows["B"]
    await model.apply(change("products", "A"))
    await model.apply(change("variants", "B"))
    assert "A" not in model.catalog
    assert "B" not in model.catalog
    a = await model.get("A")
    assert a is not None
    assert not a.active
    assert await model.get("B") is None
    assert db.reads == [None, ["A"], ["B"]]
    # A change to a table that is not product-scoped reads nothing.
    await model.apply(change("locations", "STORE-1"))
    assert len(db.reads) == 3


async def test_a_product_created_after_start_is_read_on_its_first_miss() -> None:
    db = FakeDB(row("A"))
    model = ProductReadModel(db)
    await model.start()
    db.rows["NEW"] = row("NEW", brand="Nova")
    view = (await model.get_many(["A", "NEW"]))["NEW"]
    assert view is not None
    assert view.brand == "Nova"
    assert db.reads == [None, ["NEW"]]
    assert model.catalog.get("NEW").brand == "Nova"  # type: ignore[union-attr]


async def test_a_taxonomy_change_reloads_everything() -> None:
    db = FakeDB(row("A"), row("B"))
    model = ProductReadModel(db)
    await model.start()
    await model.get_many(["GONE"])
    for pid in ("A", "B"):
        db.rows[pid]["category_path"] = "eyewear/sun"
    del db.rows["B"]
    db.rows["C"] = row("C")
    await model.apply(change("taxonomy", "frames"))
    assert sorted(model.catalog) == ["A", "C"]
    assert model.catalog.get("A").category == ("eyewear", "sun")  # type: ignore[union-attr]
    assert (await model.get("A")).category_path == "eyewear/sun"  # type: ignore[union-attr]
    assert db.reads == [None, ["GONE"], None]
    # "GONE" was forgotten with everything else: asked again, it is read again.
    assert await model.get("GONE") is None
    assert db.reads[-1] == ["GONE"]


async def test_a_reload_keeps_a_product_changed_during_its_read() -> None:
    db = FakeDB(row("A", price="10.00"), row("B"))
    model = ProductReadModel(db)
    release = db.hold_next_read()
    reload = asyncio.create_task(model.apply(change("attribute_definitions", "frames")))
    await db.holding.wait()
    db.rows["A"] = row("A", price="5.00")
    await model.apply(change("prices", "A"))
    release.set()
    await reload
    assert model.catalog.get("A").price == 5.0  # type: ignore[union-attr]
    assert (await model.get("A")).price == Decimal("5.00")  # type: ignore[union-attr]
    assert "B" in model.catalog


async def test_a_miss_read_that_started_before_a_reload_is_not_stored() -> None:
    db = FakeDB(row("A", path="eyewear/frames"))
    model = ProductReadModel(db)
    release = db.hold_next_read()
    stale = asyncio.create_task(model.get_many(["A"]))
    await db.holding.wait()
    db.rows["A"]["category_path"] = "eyewear/sun"
    await model.apply(change("taxonomy", "sun"))
    release.set()
    await stale
    assert (await model.get("A")).category_path == "eyewear/sun"  # type: ignore[union-attr]
    assert model.catalog.get("A").category == ("eyewear", "sun")  # type: ignore[union-attr]


async def test_concurrent_reloads_share_a_read() -> None:
    db = FakeDB(row("A"))
    model = ProductReadModel(db)
    release = db.hold_next_read()
    first = asyncio.create_task(model.reload())
    await db.holding.wait()
    second = asyncio.create_task(model.reload())
    third = asyncio.create_task(model.reload())
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(first, second, third)
    # The first read was superseded by the later calls; one more read serves all three.
    assert db.reads == [None, None]
    assert "A" in model.catalog


async def test_postgres_down_means_none_for_misses_and_one_warning_per_batch(
    caplog: pytest.LogCaptureFixture,
) -> None:
    db = FakeDB(row("A"), row("B"))
    model = ProductReadModel(db)
    await model.get_many(["A"])
    db.down = True
    with caplog.at_level(logging.WARNING):
        got = await model.get_many(["A", "B", "C"])
    assert got["A"] is not None
    assert got["B"] is None
    assert got["C"] is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "2 products" in warnings[0].getMessage()
    with pytest.raises(OSError, match="connection refused"):
        await model.get("B")
    # Not remembered as absent: once PostgreSQL is back, B is read.
    db.down = False
    assert (await model.get_many(["B"]))["B"] is not None


async def test_a_change_with_postgres_down_drops_the_entry_and_does_not_raise(
    caplog: pytest.LogCaptureFixture,
) -> None:
    db = FakeDB(row("A", price="10.00"))
    model = ProductReadModel(db)
    await model.start()
    db.down = True
    with caplog.at_level(logging.WARNING):
        await model.apply(change("prices", "A"))
        await model.apply(change("taxonomy", "frames"))
    assert "not read back" in caplog.text
    db.down = False
    db.rows["A"] = row("A", price="8.00")
    assert (await model.get("A")).price == Decimal("8.00")  # type: ignore[union-attr]
    assert model.catalog.get("A").price == 8.0  # type: ignore[union-attr]


async def test_entries_expire_after_ttl_and_the_oldest_go_first() -> None:
    db = FakeDB(row("A"), row("B"), row("C"))
    model = ProductReadModel(db, ttl=0.0)
    await model.get("A")
    await model.get("A")
    assert db.reads == [["A"], ["A"]]
    bounded = ProductReadModel(FakeDB(row("A"), row("B"), row("C")), max_entries=2)
    await bounded.start()
    assert len(bounded) == 2
    assert sorted(bounded.catalog) == ["A", "B", "C"]  # the engine keeps every product
