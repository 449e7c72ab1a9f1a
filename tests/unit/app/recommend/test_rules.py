"""Each test fails if its rule is switched off (the second assertion shows the item returns)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.recommend.ensemble import Scored
from app.recommend.errors import ConfigurationError
from app.recommend.model import Catalog, Product, Profile
from app.recommend.rules import RuleSet, apply
from tests.unit.app.recommend.helpers import ctx

CAT = Catalog(
    [
        Product("a", ("Eyewear", "Sunglasses"), "x", True, 50.0),
        Product("b", ("Eyewear", "Sunglasses"), "x", True, 80.0),
        Product("c", ("Eyewear", "Sunglasses"), "y", False, 20.0),
        Product("d", ("Eyewear", "Lenses"), "y", True, 30.0, (-2.0, 2.0)),
        Product("e", ("Eyewear", "Frames"), "z", True, 150.0),
    ]
)
RANKED = {"c": 9.0, "b": 8.0, "a": 7.0, "d": 6.0, "e": 5.0}
OFF = RuleSet(in_stock_only=False, exclude_purchased=False, prescription_check=False)


def run(rules: RuleSet, k: int = 5, **kw: object) -> list[str]:
    rows = [Scored(i, s, {"g": s}) for i, s in RANKED.items()]
    return [r.item_id for r in apply(rules, ctx(**kw), rows, CAT, k)]  # type: ignore[arg-type]


def test_in_stock_only() -> None:
    assert "c" not in run(replace(OFF, in_stock_only=True))
    assert "c" in run(OFF)


def test_exclude_purchased_needs_consent() -> None:
    rules = replace(OFF, exclude_purchased=True)
    assert "a" not in run(rules, purchased={"a"})
    assert "a" in run(OFF, purchased={"a"})
    assert "a" in run(rules, purchased={"a"}, consent_personalization=False)


def test_prescription_compatibility() -> None:
    rules = replace(OFF, prescription_check=True)
    assert "d" not in run(rules, prescription=-4.0)
    assert "d" in run(rules, prescription=-1.0)
    assert "d" in run(OFF, prescription=-4.0)
    assert "d" in run(rules, prescription=-4.0, consent_personalization=False)


def test_price_band() -> None:
    assert run(replace(OFF, price_min=40.0, price_max=100.0)) == ["b", "a"]
    banded = replace(OFF, profile_price_band=True)
    assert run(banded, profile=Profile(price_band=(0.0, 60.0))) == ["c", "a", "d"]
    assert "e" in run(OFF, profile=Profile(price_band=(0.0, 60.0)))


def test_diversity_cap_per_category() -> None:
    assert run(replace(OFF, max_per_category=1)) == ["c", "d", "e"]
    assert run(replace(OFF, max_per_category=1, category_level=0)) == ["c"]
    assert run(OFF)[:3] == ["c", "b", "a"]


def test_pinned_boosted_buried() -> None:
    assert run(replace(OFF, pinned=("e",)))[0] == "e"
    assert run(replace(OFF, boosted={"e": 3.0}))[0] == "e"
    assert run(replace(OFF, buried=frozenset({"c"})))[-1] == "c"
    assert run(OFF)[0] == "c"


def test_pinned_items_still_pass_hard_filters() -> None:
    assert "c" not in run(replace(OFF, in_stock_only=True, pinned=("c",)))


def test_boost_scales_contributions() -> None:
    rows = [Scored("a", 2.0, {"g": 1.5, "h": 0.5})]
    out = apply(replace(OFF, boosted={"a": 2.0}), ctx(), rows, CAT, 1)
    assert out[0].score == pytest.approx(sum(out[0].contributions.values())) == 4.0


def test_from_config() -> None:
    rs = RuleSet.from_config(
        "r", 3, {"max_per_category": 2}, [("a", "pin", 2), ("b", "pin", 1), ("c", "bury", 0)]
    )
    assert (rs.version, rs.pinned, rs.buried, rs.max_per_category) == (
        3, ("b", "a"), frozenset({"c"}), 2,
    )  # fmt: skip
    with pytest.raises(ConfigurationError, match="unknown settings"):
        RuleSet.from_config("r", 1, {"colour": "red"}, [])
    with pytest.raises(ConfigurationError, match="unknown flag actions"):
        RuleSet.from_config("r", 1, {}, [("a", "hide", 0)])
