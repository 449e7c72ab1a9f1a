"""Top-k selection and the two baselines on a hand-sized matrix."""

import numpy as np

from bench.eval import baselines, matrix


def test_top_k_orders_best_first_excludes_seen_and_pads() -> None:
    scores = np.array([[0.1, 0.9, 0.5, 0.7], [1.0, 2.0, 3.0, 4.0]])
    seen = matrix.interactions(np.array([0, 1, 1, 1]), np.array([1, 1, 2, 3]), (2, 4))
    top = matrix.top_k(scores, seen, k=3)
    assert top[0].tolist() == [3, 2, 0]
    assert top[1].tolist() == [0, -1, -1]


def test_most_popular_counts_users_per_item() -> None:
    x = matrix.interactions(np.array([0, 1, 1, 2]), np.array([2, 2, 0, 2]), (3, 3))
    assert baselines.most_popular(x)[0].tolist() == [1.0, 0.0, 3.0]


def test_item_knn_scores_by_cosine_to_the_users_items() -> None:
    # Items 0 and 1 share both users; item 2 shares one user with item 0.
    x = matrix.interactions(np.array([0, 0, 1, 1, 1, 2]), np.array([0, 1, 0, 1, 2, 2]), (3, 3))
    scores = baselines.item_knn(x)
    # User 2 has only item 2: cos(2, 0) = 1 / sqrt(2 * 2), cos(2, 1) = 1 / sqrt(2 * 2).
    assert np.allclose(scores[2], [0.5, 0.5, 0.0])
    # User 0 has items 0 and 1: cos(0, 1) = 2 / 2 = 1 each way, item 2 gets 0.5 + 0.5.
    assert np.allclose(scores[0], [1.0, 1.0, 1.0])
