"""Two reference recommenders written here, outside the engine, on the same training rows."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def most_popular(train: sp.csr_matrix) -> np.ndarray:
    """Every user gets the same scores: how many users interacted with the item."""
    counts = np.asarray(train.sum(axis=0)).ravel()
    return np.broadcast_to(counts, train.shape)


def item_knn(train: sp.csr_matrix, neighbours: int = 0) -> np.ndarray:
    """Item-based kNN with cosine similarity: score(u, i) = Σ_j∈u sim(i, j).

    ``neighbours`` > 0 keeps each item's strongest similarities only (0 keeps all: on 1,682
    items the dense matrix is small).
    """
    x = train.astype(np.float64)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())
    norms[norms == 0] = 1.0
    gram = (x.T @ x).toarray()
    sim = gram / norms[:, None] / norms[None, :]
    np.fill_diagonal(sim, 0.0)
    if 0 < neighbours < sim.shape[0]:
        cut = np.argpartition(-sim, neighbours, axis=0)[neighbours:]
        np.put_along_axis(sim, cut, 0.0, axis=0)
    return np.asarray(x @ sim)
