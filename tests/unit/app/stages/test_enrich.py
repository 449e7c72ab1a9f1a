"""The enrich stage's per-key logic: each event applied once, joined with its product."""

from __future__ import annotations

from typing import Any

from app.stages.enrich import EnrichBatch, enrich_key, product_ids
from app.stages.skeleton import Decoded, KeyBatch
from app.wire.topics import ENRICHED, ENRICHED_SESSIONS
from tests.unit.app.stages.fakes import at, event

PRODUCTS = {
    "P1": {"category_path": "/eyewear/frames", "price": 99, "in_stock": True, "brand": "Acme"},
}
TIMEOUT_MS = 30 * 60_000


def _rec(event_id: str, seconds: float, kind: str = "product_view", **extra: Any) -> dict:
    return {
        "event_id": event_id,
        "family": "clickstream",
        "event_type": kind,
        "occurred_at": at(seconds),
        "user_key": "u1",
        "session_id": extra.pop("session_id", "s1"),
        "product_id": "P1",
        "items": [],
        **extra,
    }


def _ctx(**kw: Any) -> EnrichBatch:
    return EnrichBatch(
        products=PRODUCTS, wall_ms=int(at(0).timestamp() * 1000), timeout_ms=TIMEOUT_MS, **kw
    )


def _batch(*records: dict, state: dict | None = None) -> KeyBatch:
    items = [
        Decoded(event("cleaned.clickstream", b"u1", offset=i), r) for i, r in enumerate(records)
    ]
    return KeyBatch(b"u1", items, state or {"sessions": {}, "profiles": {}})


def test_enriched_events_carry_the_catalog_brand_price_and_category() -> None:
    (out,) = enrich_key(_ctx(), _batch(_rec("e1", 1)))
    assert (out.topic, out.key) == (ENRICHED, b"u1")
    assert out.record["brand"] == "Acme"
    assert out.record["category_path"] == "/eyewear/frames"
    assert (out.record["list_price"], out.record["in_stock"]) == (99, True)


def test_an_unknown_product_enriches_with_nothing() -> None:
    (out,) = enrich_key(_ctx(), _batch(_rec("e1", 1, product_id="P404")))
    assert out.record["brand"] is None
    assert out.record["category_path"] is None


def test_a_replayed_event_changes_neither_session_nor_profile() -> None:
    batch = _batch(_rec("e1", 1), _rec("e2", 2))
    enrich_key(_ctx(), batch)
    events_before = batch.state["sessions"]["current"]["events"]
    profile_before = dict(batch.state["profiles"])
    replay = _batch(_rec("e2", 2), state=batch.state)
    assert enrich_key(_ctx(), replay) == []
    assert batch.state["sessions"]["current"]["events"] == events_before == 2
    assert batch.state["profiles"]["events"] == profile_before["events"]


def test_events_apply_oldest_first_whatever_the_arrival_order() -> None:
    batch = _batch(_rec("late", 5), _rec("early", 1))
    out = enrich_key(_ctx(), batch)
    assert [o.record["event_id"] for o in out] == ["early", "late"]


def test_a_new_session_closes_the_last_one_unless_the_sweep_emitted_it() -> None:
    batch = _batch(_rec("e1", 1), _rec("e2", 2, session_id="s2"))
    out = enrich_key(_ctx(), batch)
    closed = [o for o in out if o.topic == ENRICHED_SESSIONS]
    assert [c.record["session_id"] for c in closed] == ["s1"]

    swept = _batch(_rec("e3", 3), _rec("e4", 4, session_id="s4"))
    ctx = _ctx(swept={"s3"})
    swept.items[0].record["session_id"] = "s3"
    out = enrich_key(ctx, swept)
    assert [o for o in out if o.topic == ENRICHED_SESSIONS] == []
    assert ctx.swept == set()


def test_product_ids_include_line_items() -> None:
    order = _rec("o1", 1, kind="order", product_id=None, items=[{"product_id": "P2"}])
    assert product_ids([_rec("e1", 1), order]) == {"P1", "P2"}
