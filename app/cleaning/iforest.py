"""An IsolationForest's scores computed for all trees at once with numpy.

scikit-learn scores tree by tree (a Python-level loop with joblib around it): on the cleaning
stage's batches of tens to hundreds of rows that fixed cost, paid whatever the batch size, is
most of the call (measurements: docs/benchmarks.md, Design decisions, app/cleaning/iforest.py).
Here the fitted trees are packed into arrays once, and a batch walks every tree together, one
numpy step per level. The scores are scikit-learn's (``score_samples``), which a unit test
checks on the fitted model.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class CompiledForest:
    def __init__(self, forest: Any) -> None:
        from sklearn.ensemble._iforest import _average_path_length

        trees = [e.tree_ for e in forest.estimators_]
        if forest._max_features != forest.n_features_in_:
            raise ValueError(
                "CompiledForest needs max_features=1.0 (every tree sees every feature)"
            )
        width = max(t.node_count for t in trees)
        shape = (len(trees), width)
        self.feature = np.zeros(shape, dtype=np.intp)
        self.threshold = np.zeros(shape)
        self.left = np.zeros(shape, dtype=np.intp)
        self.right = np.zeros(shape, dtype=np.intp)
        self.leaf_depth = np.zeros(shape)
        for i, t in enumerate(trees):
            n = t.node_count
            leaf = t.children_left == -1
            here = np.arange(n)
            self.feature[i, :n] = np.where(leaf, 0, t.feature)
            self.threshold[i, :n] = t.threshold
            # A leaf points to itself, so walking past it changes nothing.
            self.left[i, :n] = np.where(leaf, here, t.children_left)
            self.right[i, :n] = np.where(leaf, here, t.children_right)
            self.leaf_depth[i, :n] = (
                forest._decision_path_lengths[i] + forest._average_path_length_per_tree[i] - 1.0
            )
        self.levels = max(t.max_depth for t in trees)
        self.denominator = len(trees) * float(_average_path_length([forest._max_samples])[0])

    def score_samples(self, features: Any) -> np.ndarray:
        """Same as ``IsolationForest.score_samples`` (lower = more abnormal)."""
        x = np.asarray(features, dtype=np.float32)  # the trees were fitted on float32
        if x.shape[0] == 0:
            return np.zeros(0)
        n_trees, width = self.feature.shape
        n_rows, n_features = x.shape
        # Flat indices (tree * width + node) and np.take: cheaper than 2-D fancy indexing.
        feature, threshold = self.feature.ravel(), self.threshold.ravel()
        left, right = self.left.ravel(), self.right.ravel()
        values = x.astype(np.float64).ravel()
        base = np.repeat(np.arange(n_trees) * width, n_rows)
        row_base = np.tile(np.arange(n_rows) * n_features, n_trees)
        node = base.copy()
        for _ in range(self.levels):
            go_left = values.take(row_base + feature.take(node)) <= threshold.take(node)
            node = base + np.where(go_left, left.take(node), right.take(node))
        depths = self.leaf_depth.ravel().take(node).reshape(n_trees, n_rows).sum(axis=0)
        return -np.asarray(2.0 ** (-depths / self.denominator))
