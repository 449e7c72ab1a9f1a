"""Session and user embeddings as exponentially decayed blends of vectors.

A session embedding is the recency-weighted mean of the vectors of the items it touched; a user
embedding is the same blend over the user's session embeddings with a longer half-life. The
weight of a vector seen ``age`` seconds ago is ``0.5 ** (age / half_life)``.

The batch form (:func:`decayed_blend`) and the streaming form (:func:`fold`, one event at a
time, O(d) per event with no history kept) give the same result, which a unit test checks: the
final agent folds every enriched event and a backfill recomputes from history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]

SESSION_HALF_LIFE_S = 600.0  # ten minutes: the last few clicks dominate a session
USER_HALF_LIFE_S = 14 * 86400.0  # two weeks: tastes drift, but slowly
_TINY = 1e-12


def normalize(v: npt.ArrayLike) -> Array:
    """``v`` scaled to unit length; a zero vector stays zero (validation then refuses it)."""
    arr = np.asarray(v, dtype=np.float32)
    norm = float(np.linalg.norm(arr))
    return arr if norm < _TINY else (arr / norm).astype(np.float32)


def weights(times: npt.ArrayLike, now: float, half_life: float) -> npt.NDArray[np.float64]:
    """Decay weights of events at ``times`` (seconds) seen from ``now``; future times weigh 1."""
    if half_life <= 0:
        raise ValueError(f"half_life must be positive, got {half_life}")
    age = np.maximum(0.0, now - np.asarray(times, dtype=np.float64))
    return np.asarray(np.exp2(-age / half_life), dtype=np.float64)


def decayed_blend(
    vectors: npt.ArrayLike, times: npt.ArrayLike, now: float, half_life: float
) -> Array:
    """The unit-length decayed blend of ``vectors`` (n x d) observed at ``times`` (n,)."""
    vecs = np.asarray(vectors, dtype=np.float64)
    if vecs.ndim != 2 or vecs.shape[0] == 0:
        raise ValueError(f"need a non-empty (n, d) array of vectors, got shape {vecs.shape}")
    w = weights(times, now, half_life)
    if w.shape != (vecs.shape[0],):
        raise ValueError(f"{vecs.shape[0]} vectors but {w.shape[0]} times")
    return normalize(w @ vecs)


def session_embedding(item_vectors: npt.ArrayLike, times: npt.ArrayLike, now: float) -> Array:
    return decayed_blend(item_vectors, times, now, SESSION_HALF_LIFE_S)


def user_embedding(session_vectors: npt.ArrayLike, times: npt.ArrayLike, now: float) -> Array:
    return decayed_blend(session_vectors, times, now, USER_HALF_LIFE_S)


@dataclass(frozen=True)
class BlendState:
    """The running, unnormalized weighted sum as of ``at`` (seconds)."""

    total: npt.NDArray[np.float64]
    at: float

    @property
    def embedding(self) -> Array:
        return normalize(self.total)


def fold(
    state: BlendState | None, vector: npt.ArrayLike, at: float, half_life: float
) -> BlendState:
    """Add ``vector`` seen at ``at`` to ``state``; out-of-order events decay themselves instead."""
    vec = np.asarray(vector, dtype=np.float64)
    if state is None:
        return BlendState(vec.copy(), at)
    if at >= state.at:
        decay = float(np.exp2(-(at - state.at) / half_life))
        return BlendState(state.total * decay + vec, at)
    late = float(np.exp2(-(state.at - at) / half_life))
    return BlendState(state.total + vec * late, state.at)
