"""Top-k ranking metrics over a whole user population at once, binary relevance.

``top`` is an (users, k) array of item indices, -1 where a recommender returned fewer than k.
``truth`` is a boolean (users, items) matrix of held-out items. Definitions follow Microsoft
Recommenders' ``python_evaluation`` so the stratified figures line up with its table: NDCG's ideal
DCG sums min(|held-out|, k) gains, ``map`` divides by |held-out| (their table's MAP column),
``map@k`` by min(|held-out|, k). Users with no held-out item are not scored.
"""

from __future__ import annotations

import numpy as np


def hits(top: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """(users, k) booleans: the item at that rank is held out for that user."""
    rows = np.arange(top.shape[0])[:, None]
    return truth[rows, np.maximum(top, 0)] & (top >= 0)


def ranking(top: np.ndarray, truth: np.ndarray, k: int) -> dict[str, float]:
    top = top[:, :k]
    scored = truth.sum(axis=1) > 0
    h = hits(top, truth)[scored].astype(np.float64)
    n_true = truth[scored].sum(axis=1).astype(np.float64)
    ranks = np.arange(1, h.shape[1] + 1, dtype=np.float64)
    discount = 1.0 / np.log2(ranks + 1.0)
    ideal = np.cumsum(1.0 / np.log2(np.arange(1, k + 1, dtype=np.float64) + 1.0))
    idcg = ideal[np.minimum(n_true, k).astype(np.int64) - 1]
    n_hits = h.sum(axis=1)
    first = np.where(n_hits > 0, h.argmax(axis=1) + 1.0, np.inf)
    precision_at_hits = (np.cumsum(h, axis=1) / ranks) * h
    return {
        f"hr@{k}": float(np.mean(n_hits > 0)),
        f"ndcg@{k}": float(np.mean((h @ discount) / idcg)),
        f"mrr@{k}": float(np.mean(1.0 / first)),
        f"precision@{k}": float(np.mean(n_hits / k)),
        f"recall@{k}": float(np.mean(n_hits / n_true)),
        "map": float(np.mean(precision_at_hits.sum(axis=1) / n_true)),
        f"map@{k}": float(np.mean(precision_at_hits.sum(axis=1) / np.minimum(n_true, k))),
        "users": float(scored.sum()),
    }


def coverage(top: np.ndarray, n_items: int) -> float:
    """Share of the catalog that appears in at least one user's list."""
    shown = np.unique(top[top >= 0])
    return float(len(shown) / n_items)


def evaluate(top: np.ndarray, truth: np.ndarray, k: int = 10) -> dict[str, float]:
    figures = ranking(top, truth, k)
    figures["coverage"] = coverage(top[:, :k], truth.shape[1])
    return figures
