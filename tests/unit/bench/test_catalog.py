"""The MovieLens → shop mapping on a three-rating synthetic set."""

import numpy as np
import pytest

from app.recommend.model import Interaction
from bench.eval import catalog as shop
from bench.eval.data import Ratings
from bench.eval.replay import sessions


def _ratings() -> Ratings:
    return Ratings(
        user=np.array([0, 1, 0], dtype=np.int32),
        item=np.array([1, 0, 0], dtype=np.int32),
        rating=np.array([5.0, 2.0, 4.0], dtype=np.float32),
        ts=np.array([300, 100, 100], dtype=np.int64),
        user_ids=["u7", "u9"],
        item_ids=["10", "20"],
        titles=["A", "B"],
        genres=[["Drama"], ["Comedy", "Drama"]],
    )


def test_interactions_come_in_timestamp_order_with_file_order_on_ties() -> None:
    events = shop.interactions(_ratings(), np.array([0, 1, 2]))
    assert [(e.user_key, e.item_id, e.ts) for e in events] == [
        ("u9", "ml-10", 100.0),
        ("u7", "ml-10", 100.0),
        ("u7", "ml-20", 300.0),
    ]
    assert {e.kind for e in events} == {"rating"}


def test_graded_mapping_turns_good_ratings_into_orders() -> None:
    events = shop.interactions(_ratings(), np.array([0, 1, 2]), mapping="graded")
    assert [e.kind for e in events] == ["view", "order", "order"]
    with pytest.raises(ValueError, match="unknown mapping"):
        shop.interactions(_ratings(), np.array([0]), mapping="stars")


def test_genres_become_categories_under_one_root() -> None:
    cat = shop.catalog(_ratings())
    assert cat.in_category("movies/Drama") == {"ml-10", "ml-20"}
    assert cat.in_category("movies/Comedy") == {"ml-20"}


def test_profiles_share_strength_across_genres() -> None:
    r = _ratings()
    profile = shop.profiles(shop.interactions(r, np.array([0, 2])), shop.catalog(r))["u7"]
    assert profile.category_affinity == pytest.approx(
        {"movies/Drama": 2 / 3, "movies/Comedy": 1 / 3}
    )


def test_sessions_split_on_a_long_pause() -> None:
    events = [
        Interaction("a", "x", "rating", 0.0),
        Interaction("b", "y", "rating", 10.0),
        Interaction("a", "z", "rating", 60.0),
        Interaction("a", "w", "rating", 10_000.0),
    ]
    assert sorted(sessions(events, gap=3600.0)) == [["w"], ["x", "z"], ["y"]]
