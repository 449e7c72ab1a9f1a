"""Metric functions against values worked out by hand."""

import math

import numpy as np
import pytest

from bench.eval import metrics


def _truth(rows: list[set[int]], n_items: int) -> np.ndarray:
    t = np.zeros((len(rows), n_items), dtype=bool)
    for u, items in enumerate(rows):
        t[u, list(items)] = True
    return t


def test_two_users_one_hit_list_one_miss() -> None:
    top = np.array([[1, 2, 3], [0, 1, 2]])
    truth = _truth([{1, 3}, {4}], 5)
    m = metrics.ranking(top, truth, k=3)
    # User 0: hits at ranks 1 and 3; DCG = 1 + 1/log2(4); ideal over min(2, 3) = 2 items.
    ndcg0 = (1 + 0.5) / (1 + 1 / math.log2(3))
    assert m["ndcg@3"] == pytest.approx(ndcg0 / 2)
    assert m["hr@3"] == pytest.approx(0.5)
    assert m["mrr@3"] == pytest.approx(0.5)
    assert m["precision@3"] == pytest.approx((2 / 3) / 2)
    assert m["recall@3"] == pytest.approx(0.5)
    # Average precision of user 0: (1/1 + 2/3) / |held out| = 5/6.
    assert m["map"] == pytest.approx((5 / 6) / 2)
    assert m["map@3"] == pytest.approx((5 / 6) / 2)


def test_ideal_dcg_is_capped_at_k_and_map_variants_differ() -> None:
    top = np.array([[0, 5, 1]])
    truth = _truth([{0, 1, 2, 3}], 6)
    m = metrics.ranking(top, truth, k=3)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert m["ndcg@3"] == pytest.approx((1 + 1 / math.log2(4)) / ideal)
    assert m["recall@3"] == pytest.approx(2 / 4)
    ap_sum = 1 / 1 + 2 / 3
    assert m["map"] == pytest.approx(ap_sum / 4)
    assert m["map@3"] == pytest.approx(ap_sum / 3)


def test_single_held_out_item_gives_leave_one_out_figures() -> None:
    top = np.array([[7, 8, 9, 2], [2, 7, 8, 9]])
    truth = _truth([{2}, {3}], 10)
    m = metrics.ranking(top, truth, k=4)
    assert m["hr@4"] == pytest.approx(0.5)
    assert m["ndcg@4"] == pytest.approx((1 / math.log2(5)) / 2)
    assert m["mrr@4"] == pytest.approx((1 / 4) / 2)


def test_padding_never_counts_as_a_hit_and_users_without_truth_are_skipped() -> None:
    # -1 pads a short list; item 0 is relevant, so a naive index would count it.
    top = np.array([[-1, -1], [1, -1], [0, 1]])
    truth = _truth([{0}, {1}, set()], 3)
    m = metrics.ranking(top, truth, k=2)
    assert m["users"] == 2
    assert m["hr@2"] == pytest.approx(0.5)
    assert m["ndcg@2"] == pytest.approx(0.5)


def test_only_the_first_k_ranks_count() -> None:
    top = np.array([[3, 4, 0]])
    truth = _truth([{0}], 5)
    assert metrics.ranking(top, truth, k=2)["hr@2"] == 0.0


def test_coverage_counts_distinct_items_shown() -> None:
    top = np.array([[0, 1], [1, -1], [2, 0]])
    assert metrics.coverage(top, 10) == pytest.approx(0.3)
