"""The two evaluation protocols as boolean masks over the rating rows (True = training row)."""

from __future__ import annotations

import numpy as np


def stratified(user: np.ndarray, ratio: float = 0.75, seed: int = 42) -> np.ndarray:
    """Microsoft Recommenders' ``python_stratified_split`` as it ran for their published table.

    Per user (rows in file order): ``group.sample(frac=1, random_state=seed)``, which is
    ``RandomState(seed).permutation(n)``, then the first ``round(ratio * n)`` rows train. On
    MovieLens-100k this gives their notebook's 74,992 training rows. (Their later rewrite ranks
    one global draw and keeps rank / n <= ratio: 74,646 rows, not what the table used.)
    """
    train = np.zeros(len(user), dtype=bool)
    order = np.argsort(user, kind="stable")  # each user's rows, in file order
    bounds = np.flatnonzero(np.diff(user[order])) + 1
    for rows in np.split(order, bounds):
        n = len(rows)
        shuffled = rows[np.random.RandomState(seed).permutation(n)]
        train[shuffled[: round(ratio * n)]] = True
    return train


def leave_last_out(user: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Every row trains except each user's latest; equal timestamps go to the later file row."""
    n = len(user)
    order = np.lexsort((np.arange(n), ts, user))
    sorted_user = user[order]
    last = np.r_[sorted_user[1:] != sorted_user[:-1], True]
    train = np.ones(n, dtype=bool)
    train[order[last]] = False
    return train


def within(train: np.ndarray, user: np.ndarray, ratio: float, seed: int) -> np.ndarray:
    """A validation carve-out of the training rows only: a training mask over all rows."""
    rows = np.flatnonzero(train)
    inner = stratified(user[rows], ratio=ratio, seed=seed)
    fit = np.zeros_like(train)
    fit[rows[inner]] = True
    return fit


def folds_within(
    train: np.ndarray, user: np.ndarray, ratio: float, seeds: tuple[int, ...]
) -> list[np.ndarray]:
    """Several validation carve-outs of the training rows (one per seed), each a training mask
    over all rows: choices are judged by their mean over these, never on one draw."""
    return [within(train, user, ratio, seed) for seed in seeds]
