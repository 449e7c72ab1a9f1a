from __future__ import annotations

import numpy as np
import pytest

from app.vectors.blend import (
    SESSION_HALF_LIFE_S,
    decayed_blend,
    fold,
    normalize,
    session_embedding,
    user_embedding,
    weights,
)


def test_weight_halves_every_half_life() -> None:
    w = weights([100.0, 90.0, 80.0], now=100.0, half_life=10.0)
    assert w == pytest.approx([1.0, 0.5, 0.25])


def test_the_most_recent_item_dominates_a_session() -> None:
    items = np.eye(3, dtype=np.float32)
    old, recent = 0.0, 3 * SESSION_HALF_LIFE_S
    v = session_embedding(items, [old, old, recent], now=recent)
    assert np.argmax(v) == 2
    assert float(np.linalg.norm(v)) == pytest.approx(1.0, abs=1e-6)


def test_streaming_fold_equals_the_batch_blend() -> None:
    rng = np.random.default_rng(3)
    vecs = rng.normal(size=(20, 8))
    times = np.sort(rng.uniform(0, 5000, size=20))
    state = None
    for v, t in zip(vecs, times, strict=True):
        state = fold(state, v, t, half_life=600.0)
    assert state is not None
    batch = decayed_blend(vecs, times, now=times[-1], half_life=600.0)
    assert np.allclose(state.embedding, batch, atol=1e-5)


def test_a_late_event_is_decayed_by_its_own_age() -> None:
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    state = fold(fold(None, a, 100.0, 10.0), b, 90.0, 10.0)  # b arrives late
    expected = decayed_blend([a, b], [100.0, 90.0], now=100.0, half_life=10.0)
    assert state.at == 100.0
    assert np.allclose(state.embedding, expected)


def test_a_user_embedding_blends_sessions_with_a_long_memory() -> None:
    day = 86400.0
    sessions = np.array([[1.0, 0.0], [0.0, 1.0]])
    v = user_embedding(sessions, [0.0, day], now=day)
    # Two weeks of half-life: a day-old session still weighs almost as much as today's.
    assert 0.9 < v[0] / v[1] < 1.0


def test_an_empty_blend_is_an_error_not_a_zero_vector() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        decayed_blend(np.zeros((0, 4)), [], now=0.0, half_life=1.0)
    with pytest.raises(ValueError, match="2 vectors but 1 times"):
        decayed_blend(np.ones((2, 4)), [0.0], now=0.0, half_life=1.0)
    with pytest.raises(ValueError, match="half_life"):
        weights([0.0], 0.0, 0.0)


def test_normalize_leaves_zero_alone() -> None:
    assert normalize([0.0, 0.0]).tolist() == [0.0, 0.0]
    assert normalize([3.0, 4.0]).tolist() == pytest.approx([0.6, 0.8])
