"""User-by-item matrices from rating rows, and top-k with seen items excluded."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def interactions(
    user: np.ndarray, item: np.ndarray, shape: tuple[int, int], weight: np.ndarray | None = None
) -> sp.csr_matrix:
    """Binary unless ``weight`` is given; a repeated (user, item) pair counts once."""
    data = np.ones(len(user), dtype=np.float64) if weight is None else weight.astype(np.float64)
    m = sp.csr_matrix((data, (user, item)), shape=shape)
    if weight is None:
        m.data[:] = 1.0
    return m


def held_out(user: np.ndarray, item: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    truth = np.zeros(shape, dtype=bool)
    truth[user, item] = True
    return truth


def top_k(scores: np.ndarray, seen: sp.csr_matrix, k: int) -> np.ndarray:
    """Best k unseen items per row, best first; -1 pads rows with fewer than k finite scores."""
    masked = np.array(scores, dtype=np.float64, copy=True)
    rows, cols = seen.nonzero()
    masked[rows, cols] = -np.inf
    part = np.argpartition(-masked, kth=min(k, masked.shape[1] - 1), axis=1)[:, :k]
    part_scores = np.take_along_axis(masked, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    top = np.take_along_axis(part, order, axis=1)
    top[~np.isfinite(np.take_along_axis(part_scores, order, axis=1))] = -1
    return top
