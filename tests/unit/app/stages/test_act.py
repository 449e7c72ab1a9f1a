"""The act stage's per-key logic: a list per user, the latest kept, exposures noted."""

from __future__ import annotations

from app.recommend.model import Interaction, Product
from app.serving.runtime import Runtime
from app.stages.act import ActBatch, act_key
from app.stages.skeleton import Decoded, KeyBatch
from app.wire.topics import RECOMMENDATIONS
from tests.unit.app.stages.fakes import at, event


def _batch(user: str, consent: bool = True) -> KeyBatch:
    record = {
        "event_id": "e9",
        "user_key": user,
        "event_type": "product_view",
        "product_id": "P1",
        "occurred_at": at(0),
        "consent_personalization": consent,
    }
    items = [Decoded(event("enriched.events", user.encode()), record)]
    session = {"current": {"viewed": ["P1"], "carted": [], "last_ms": at(0).timestamp() * 1000}}
    return KeyBatch(user.encode(), items, {"profiles": {}, "sessions": session})


def _engine() -> Runtime:
    engine = Runtime()
    for pid in ("P1", "P2"):
        engine.catalog.put(
            Product(pid, ("eyewear",), brand="Acme", in_stock=True, price=10.0, prescription=None)
        )
    # Forty shoppers viewed P1 then P2: co-visitation learns P1 -> P2.
    engine.engine.observe(
        [
            Interaction(f"s{i}", p, "view", 1.0 + j)
            for i in range(40)
            for j, p in enumerate(["P1", "P2"])
        ]
    )
    return engine


def test_a_list_is_emitted_keyed_by_user_and_kept_as_the_latest() -> None:
    batch = _batch("u1")
    (out,) = act_key(_engine(), lambda user: (None, None), ActBatch(spheres={}), batch)
    assert (out.topic, out.key) == (RECOMMENDATIONS, b"u1")
    assert out.record["trigger_event_id"] == "e9"
    assert [i["product_id"] for i in out.record["items"]][:1] == ["P2"]
    latest = batch.state["recommendations"]
    assert latest["recommendation_id"] == out.record["recommendation_id"]
    assert isinstance(latest["generated_at"], str)  # JSON-friendly in the table


def test_a_user_in_an_experiment_gets_the_variant_weights_and_an_exposure() -> None:
    label = {"experiment_id": "x1", "variant": "b"}
    ctx = ActBatch(spheres={})
    (out,) = act_key(_engine(), lambda user: ({"popularity": 1.0}, label), ctx, _batch("u1"))
    assert (out.record["experiment_id"], out.record["variant"]) == ("x1", "b")
    ((seen_label, user, items, _ts),) = ctx.exposures
    assert (seen_label, user) == (label, "u1")
    assert items == [i["product_id"] for i in out.record["items"]]


def test_without_personalization_consent_the_list_is_not_personalized() -> None:
    (out,) = act_key(
        _engine(), lambda user: (None, None), ActBatch(spheres={}), _batch("u1", False)
    )
    assert out.record["personalized"] is False
