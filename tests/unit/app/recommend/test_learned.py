from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from app.recommend.errors import ConfigurationError, ModelVersionError
from app.recommend.learned import Learned, fit, item_confidence
from app.recommend.model import Interaction
from tests.unit.app.recommend.helpers import ctx


def _pairs() -> list[tuple[str, str]]:
    # Two tastes: {a, b, c} and {x, y, z}.
    out = [(f"u{n}", i) for n in range(30) for i in ("a", "b", "c")]
    out += [(f"v{n}", i) for n in range(30) for i in ("x", "y", "z")]
    return out


@pytest.mark.parametrize("algorithm", ["ease", "itemknn"])
def test_learned_recommends_the_same_taste(algorithm: str) -> None:
    g = Learned(algorithm=algorithm, l2=1.0)
    for u, i in _pairs():
        g.update([Interaction(u, i, "view", 0)])
    g.promote(g.train().version)
    got = g.candidates(ctx("new", recent=["a", "b"]), 3)
    assert max(got, key=got.__getitem__) == "c"
    assert "a" not in got


def test_ease_matrix_has_zero_diagonal_and_is_float32() -> None:
    m = fit(_pairs(), l2=10.0)
    assert m.matrix.dtype == np.float32
    assert np.allclose(np.diag(m.matrix), 0.0)


def test_cold_start_user_and_item_get_no_learned_score() -> None:
    g = Learned()
    assert g.candidates(ctx(recent=["a"]), 3) == {}  # no model yet
    g.update([Interaction(u, i, "view", 0) for u, i in _pairs()])
    g.promote(g.train().version)
    assert g.candidates(ctx("nobody"), 3) == {}
    assert g.candidates(ctx("nobody", recent=["brand-new"]), 3) == {}


def test_max_items_keeps_the_most_interacted() -> None:
    m = fit([*_pairs(), ("w", "rare")], max_items=6)
    assert "rare" not in m.items


def test_promote_and_rollback() -> None:
    g = Learned(keep=3)
    g.update([Interaction(u, i, "view", 0) for u, i in _pairs()])
    first = g.train()
    g.promote(first.version)
    g.update([Interaction("late", "a", "view", 1), Interaction("late", "q", "view", 1)])
    second = g.train()
    g.promote(second.version)
    assert g.version == second.version
    assert "q" in g.model.items  # type: ignore[union-attr]
    assert g.rollback().version == first.version
    assert g.version == first.version
    with pytest.raises(ModelVersionError, match="Nothing to roll back"):
        g.rollback()
    with pytest.raises(ModelVersionError, match="not kept"):
        g.promote("ease-unknown")


async def test_retrain_runs_off_the_loop_and_promotes() -> None:
    g = Learned()
    g.update([Interaction(u, i, "view", 0) for u, i in _pairs()])
    model = await g.retrain()
    assert g.version == model.version


def test_unknown_algorithm_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="ease, itemknn"):
        Learned(algorithm="svd")


def test_ials_recommends_the_same_taste_by_folding_in_the_history() -> None:
    g = Learned(algorithm="ials", l2=0.5, alpha=5.0, factors=4, iterations=6, name="factors")
    assert g.name == "factors"
    g.update([Interaction(u, i, "view", 0) for u, i in _pairs()])
    m = g.train()
    g.promote(m.version)
    assert m.matrix.shape == (6, 4)
    assert m.gramian is not None
    assert np.allclose(m.gramian, m.matrix.T @ m.matrix, atol=1e-4)
    got = g.candidates(ctx("new", recent=["x", "y"]), 3)
    assert max(got, key=got.__getitem__) == "z"
    assert not {"x", "y"} & set(got)


def test_ials_is_reproducible_for_a_seed() -> None:
    a = fit(_pairs(), algorithm="ials", factors=4, iterations=3, seed=1)
    b = fit(_pairs(), algorithm="ials", factors=4, iterations=3, seed=1)
    assert np.array_equal(a.matrix, b.matrix)


def test_user_weight_on_equal_users_is_ease_with_a_scaled_l2() -> None:
    # Every user has 3 items: weighting rows by 1/3 is EASE on G/3, i.e. λ x 3 on G.
    weighted = fit(_pairs(), l2=2.0, user_weight=1.0)
    plain = fit(_pairs(), l2=6.0)
    assert np.allclose(weighted.matrix, plain.matrix, atol=1e-5)


def test_user_weight_discounts_heavy_users() -> None:
    # One heavy user links a and x; thirty light users keep the tastes apart.
    heavy = [("heavy", i) for i in ("a", "b", "c", "x", "y", "z")]
    pairs = _pairs() + heavy
    plain = fit(pairs, l2=1.0)
    weighted = fit(pairs, l2=1.0 / 6, user_weight=1.0)
    a, x = plain.index["a"], plain.index["x"]
    assert abs(weighted.matrix[a, x]) < abs(plain.matrix[a, x])


def test_history_from_shares_one_copy_fed_once() -> None:
    ease = Learned()
    factors = Learned(algorithm="ials", name="factors", history_from=ease)
    events = [Interaction(u, i, "view", 0) for u, i in _pairs()]
    ease.update(events)
    factors.update(events)  # a no-op: the engine feeds every generator
    assert factors.snapshot() == ease.snapshot()
    assert len(ease.snapshot()) == len(set(_pairs()))


def test_item_confidence_keeps_alpha_on_average_and_grows_with_popularity() -> None:
    x = sparse.csr_matrix(np.array([[1, 1, 0], [1, 0, 0], [1, 1, 1], [1, 0, 0]], dtype=np.float32))
    assert item_confidence(x, 5.0, 0.0) is None  # plain iALS: one alpha
    c = item_confidence(x, 5.0, 0.25)
    assert c is not None
    n = np.asarray(x.sum(axis=0)).ravel()
    assert np.isclose((n * c).sum() / n.sum(), 5.0)  # mean over observed cells
    assert c[0] > c[1] > c[2]


def test_ials_confidence_power_zero_is_plain_ials() -> None:
    plain = fit(_pairs(), algorithm="ials", factors=4, iterations=3, seed=1)
    zero = fit(_pairs(), algorithm="ials", factors=4, iterations=3, seed=1, confidence_power=0.0)
    assert zero.confidence is None
    assert np.array_equal(plain.matrix, zero.matrix)


def test_ials_with_popularity_confidence_folds_in_with_it() -> None:
    # "a" is the most popular item: its cells weigh more, and the fold-in must use the same
    # per-item confidence as the training did.
    pairs = [*_pairs(), *((f"w{n}", "a") for n in range(10))]
    g = Learned(algorithm="ials", l2=0.5, factors=4, iterations=6, confidence_power=0.5)
    g.update([Interaction(u, i, "view", 0) for u, i in pairs])
    m = g.train()
    g.promote(m.version)
    assert m.confidence is not None
    assert m.confidence[m.index["a"]] > m.confidence[m.index["b"]]
    got = g.candidates(ctx("new", recent=["x", "y"]), 3)
    assert max(got, key=got.__getitem__) == "z"
    plain = fit(pairs, algorithm="ials", l2=0.5, factors=4, iterations=6)
    assert not np.allclose(plain.matrix, m.matrix)
