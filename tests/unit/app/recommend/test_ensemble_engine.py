from __future__ import annotations

from collections.abc import Sequence

import pytest

from app.recommend.engine import Engine
from app.recommend.ensemble import normalize
from app.recommend.errors import ConfigurationError
from app.recommend.model import Context, Interaction, Profile
from app.recommend.rules import RuleSet
from tests.unit.app.recommend.helpers import catalog, ctx


class Fixed:
    def __init__(self, name: str, scores: dict[str, float], personal: bool = False) -> None:
        self.name, self.scores, self.personal = name, scores, personal
        self.seen: list[Interaction] = []

    def update(self, interactions: Sequence[Interaction]) -> None:
        self.seen.extend(interactions)

    def candidates(self, ctx: Context, k: int) -> dict[str, float]:
        return dict(list(self.scores.items())[:k])

    def explain(self, ctx: Context, item_id: str) -> str:
        return f"from {self.name}"


def _engine(**weights: float) -> Engine:
    gens = [
        Fixed("pop", {"i1": 10.0, "i2": 5.0}),
        Fixed("cf", {"i2": 4.0, "i3": 2.0}, personal=True),
    ]
    return Engine(gens, weights or {"pop": 1.0, "cf": 2.0}, RuleSet(), catalog(5))


def test_normalize() -> None:
    assert normalize({"a": 4.0, "b": 2.0, "c": -1.0}) == {"a": 1.0, "b": 0.5, "c": 0.0}
    assert normalize({"a": 4.0, "b": 2.0}, "rank") == {"a": 1.0, "b": 0.5}
    assert normalize({"a": 4.0, "b": 2.0, "c": 1.0}, "minmax") == pytest.approx(
        {"a": 1.0, "b": 1 / 3, "c": 0.0}
    )
    # mean 2, standard deviation sqrt(2): only the items above the mean keep a score.
    assert normalize({"a": 4.0, "b": 1.0, "c": 1.0}, "zscore") == pytest.approx(
        {"a": 2.0 / 2**0.5, "b": 0.0, "c": 0.0}
    )
    assert normalize({"a": 3.0, "b": 3.0}, "minmax") == {"a": 1.0, "b": 1.0}
    assert normalize({"a": 3.0, "b": 3.0}, "zscore") == {"a": 1.0, "b": 1.0}
    with pytest.raises(ConfigurationError):
        normalize({"a": 1.0}, "softmax")


def test_minmax_lets_a_bunched_list_weigh_as_much_as_a_long_tail() -> None:
    # "cf" scores bunch near its best (as a factor model's do); "pop" has a long tail. Under
    # ``max`` the bunched list's runner-up outweighs pop's best; ``minmax`` spreads both alike.
    gens = [
        Fixed("pop", {"i1": 10.0, "i2": 1.0}),
        Fixed("cf", {"i2": 1.0, "i3": 0.95, "i4": 0.9}, personal=True),
    ]
    by_max = Engine(gens, {"pop": 1.0, "cf": 1.0}, RuleSet(), catalog(5)).recommend(ctx(), 3)
    assert by_max.item_ids == ["i2", "i1", "i3"]
    spread = Engine(gens, {"pop": 1.0, "cf": 1.0}, RuleSet(), catalog(5), normalization="minmax")
    assert spread.recommend(ctx(), 3).item_ids == ["i1", "i2", "i3"]


def test_contributions_sum_to_the_score_and_explain() -> None:
    rec = _engine().recommend(ctx(), 3)
    assert rec.item_ids == ["i2", "i1", "i3"]  # i1 and i3 tie at 1.0: by id
    for item in rec.items:
        assert sum(item.contributions.values()) == pytest.approx(item.score)
    top = rec.items[0]
    assert top.contributions == {"pop": 0.5, "cf": 2.0}
    assert top.explanation == "from cf"
    assert [i.rank for i in rec.items] == [1, 2, 3]
    assert rec.personalized


def test_without_consent_only_non_personal_generators() -> None:
    rec = _engine().recommend(ctx(consent_personalization=False), 3)
    assert rec.item_ids == ["i1", "i2"]
    assert all(set(i.contributions) == {"pop"} for i in rec.items)
    assert not rec.personalized


def test_weights_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="unknown generators"):
        _engine(nope=1.0)
    with pytest.raises(ConfigurationError, match="distinct name"):
        Engine([Fixed("a", {}), Fixed("a", {})], {}, RuleSet(), catalog())


def test_observe_feeds_every_generator_and_seen_is_excluded() -> None:
    e = _engine()
    e.observe([Interaction("u", "i1", "view", 0)])
    assert all(len(g.seen) == 1 for g in e.generators.values())  # type: ignore[attr-defined]
    rec = e.recommend(Context("u", seen=frozenset({"i2"})), 3)
    assert "i2" not in rec.item_ids


def test_new_user_gets_the_non_personal_list() -> None:
    e = Engine(
        [Fixed("pop", {"i1": 1.0}), Fixed("cf", {}, personal=True)],
        {"pop": 1.0, "cf": 1.0},
        RuleSet(),
        catalog(3),
    )
    rec = e.recommend(ctx("new", profile=Profile()), 3)
    assert rec.item_ids == ["i1"]
    assert not rec.personalized
