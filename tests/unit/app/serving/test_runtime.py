from __future__ import annotations

from app.recommend.model import Interaction, Product
from app.serving.runtime import FACTORS_CONFIDENCE_POWER, MIN_PAIRS, WEIGHTS, Runtime


async def test_factors_retrain_off_the_loop_and_serve_in_the_blend() -> None:
    rt = Runtime()
    assert "factors" in rt.engine.generators
    assert WEIGHTS["factors"] > 0
    assert await rt.retrain_factors() is None  # no history yet
    taste = [(f"u{n}", i) for n in range(30) for i in ("a", "b", "c")]
    taste += [(f"v{n}", i) for n in range(30) for i in ("x", "y", "z")]
    assert len(taste) >= MIN_PAIRS
    for item in "abcxyz":
        rt.catalog.put(Product(item))
    rt.engine.observe([Interaction(u, i, "view", 0) for u, i in taste])
    model = await rt.retrain_factors()
    assert model is not None
    assert rt.factors.version == model.version
    assert rt.factors.params["confidence_power"] == FACTORS_CONFIDENCE_POWER
    assert model.confidence is not None  # the evaluated iALS variant, not plain iALS
    assert rt.learned.version is None  # EASE keeps its own schedule
    profile = {"recent_items": ["a", "b"]}
    rec = rt.recommend("new", profile=profile, session=None, consent_personalization=True, k=3)
    assert "factors" in rec.model_versions
    assert rec.items[0].item_id == "c"
    assert "factors" in rec.items[0].contributions
