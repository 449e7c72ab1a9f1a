from __future__ import annotations

import numpy as np
import pytest

from app.recommend.affinity import Affinity
from app.recommend.covisitation import Covisitation
from app.recommend.model import Generator, Interaction, Profile
from app.recommend.popularity import Popularity, Trending
from app.recommend.vector import VectorSimilarity
from tests.unit.app.recommend.helpers import catalog, ctx, views


def test_covisitation_ranks_co_viewed_items_first() -> None:
    g = Covisitation(window=100)
    for u in range(5):
        g.update(views(f"u{u}", ["a", "b"]))
    g.update(views("x", ["a", "c"]))
    got = g.candidates(ctx(recent=["a"]), 5)
    assert sorted(got, key=got.__getitem__, reverse=True) == ["b", "c"]
    assert "viewed together with a" in g.explain(ctx(recent=["a"]), "b")
    assert isinstance(g, Generator)


def test_covisitation_ignores_pairs_outside_the_window_and_decays() -> None:
    g = Covisitation(window=10, half_life=10)
    g.update([Interaction("u", "a", "view", 0), Interaction("u", "b", "view", 50)])
    assert g.candidates(ctx(recent=["a"]), 5) == {}
    g.update([Interaction("v", "a", "view", 0), Interaction("v", "c", "view", 1)])
    g.update([Interaction("w", "a", "view", 100), Interaction("w", "d", "view", 101)])
    got = g.candidates(ctx(recent=["a"]), 5)
    assert got["d"] > got["c"]  # the recent pair outweighs the old one


def test_covisitation_state_round_trips() -> None:
    g = Covisitation()
    g.update(views("u", ["a", "b", "c"]))
    h = Covisitation()
    for item in ("a", "b", "c"):
        h.load_state(item, g.state_for(item))
    assert h.candidates(ctx(recent=["a"]), 5) == g.candidates(ctx(recent=["a"]), 5)


def test_covisitation_bounds_neighbours() -> None:
    g = Covisitation(max_neighbors=3, window=1e9, history=100)
    g.update(views("u", [f"i{n}" for n in range(20)]))
    assert all(len(g.state_for(f"i{n}")["neighbors"]) <= 6 for n in range(20))


def test_popularity_and_trending() -> None:
    cat = catalog(6)
    pop = Popularity(refresh=0, short_half_life=10, long_half_life=1e6, catalog=cat)
    old = [Interaction(f"u{n}", "i0", "view", float(n)) for n in range(50)]
    new = [Interaction(f"v{n}", "i1", "view", 1000.0 + n) for n in range(10)]
    pop.update(old + new)
    got = pop.candidates(ctx(), 2)
    assert max(got, key=got.__getitem__) == "i0"
    trend = Trending(pop).candidates(ctx(), 2)
    assert max(trend, key=trend.__getitem__) == "i1"
    assert pop.explain(ctx(), "i0") == "popular in Sunglasses"
    assert pop.candidates(ctx(context="Frames"), 5) == {"i1": pytest.approx(got["i1"])}


def test_popularity_survives_rebase() -> None:
    pop = Popularity(refresh=0, long_half_life=1.0)
    pop.update([Interaction("u", "a", "view", 0.0), Interaction("u", "b", "view", 500.0)])
    assert max(pop.candidates(ctx(), 2), key=lambda i: pop.candidates(ctx(), 2)[i]) == "b"


def test_affinity_prefers_liked_categories_and_brands() -> None:
    cat = catalog(12)
    g = Affinity(cat)
    profile = Profile(category_affinity={"Sunglasses": 1.0}, brand_affinity={"b3": 0.5})
    got = g.candidates(ctx(profile=profile), 20)
    assert set(got) == {"i0", "i3", "i6", "i9", "i7", "i11"}
    assert got["i3"] > got["i0"]  # i3 is a Sunglasses of brand b3
    assert g.candidates(ctx(), 5) == {}
    assert g.explain(ctx(profile=profile), "i0") == "because you like Sunglasses"


def test_vector_similarity_with_numpy_search() -> None:
    ids = ["a", "b", "c"]
    mat = np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32)
    mat /= np.linalg.norm(mat, axis=1, keepdims=True)

    def search(v: np.ndarray, k: int) -> list[tuple[str, float]]:
        s = mat @ v
        return [(ids[j], float(s[j])) for j in np.argsort(-s)[:k]]

    g = VectorSimilarity(search, lambda i: mat[ids.index(i)] if i in ids else None)
    got = g.candidates(ctx(recent=["a"]), 2)
    assert list(got) == ["b", "c"]
    assert g.candidates(ctx(recent=["zzz"]), 2) == {}
    assert list(g.candidates(ctx(embedding=[0.0, 1.0]), 1)) == ["c"]
