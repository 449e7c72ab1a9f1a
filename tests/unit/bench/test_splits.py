"""The two protocols on a tiny synthetic set (no MovieLens in unit tests)."""

import numpy as np
import pytest

from bench.eval import splits


def _synthetic(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = [1, 2, 3, 4, 6, 10, 17, 40]
    user = np.repeat(np.arange(len(sizes)), sizes)
    rng.shuffle(user)  # interleaved like a log, not grouped
    ts = rng.integers(0, 1000, len(user))
    return user, ts


def test_stratified_keeps_round_ratio_of_each_user_for_training() -> None:
    user, _ = _synthetic()
    train = splits.stratified(user, ratio=0.75, seed=42)
    for u in np.unique(user):
        n = int((user == u).sum())
        assert int(train[user == u].sum()) == round(0.75 * n), f"user {u} with {n} rows"


def test_stratified_is_reproducible_and_depends_on_the_seed() -> None:
    user, _ = _synthetic()
    a = splits.stratified(user, seed=42)
    assert np.array_equal(a, splits.stratified(user, seed=42))
    assert not np.array_equal(a, splits.stratified(user, seed=7))


def test_stratified_matches_a_pandas_group_sample() -> None:
    """The table's splitter: ``group.sample(frac=1, random_state=42)``, first round(0.75 n)."""
    pd = pytest.importorskip("pandas")
    user, _ = _synthetic(3)
    df = pd.DataFrame({"user": user})
    expected = np.zeros(len(user), dtype=bool)
    for _, group in df.groupby("user"):
        shuffled = group.sample(frac=1, random_state=42)
        expected[shuffled.index[: round(0.75 * len(group))]] = True
    assert np.array_equal(splits.stratified(user, seed=42), expected)


def test_leave_last_out_holds_out_each_users_latest_row() -> None:
    user, ts = _synthetic()
    train = splits.leave_last_out(user, ts)
    assert int((~train).sum()) == len(np.unique(user))
    for u in np.unique(user):
        mine = np.flatnonzero(user == u)
        held = mine[~train[mine]]
        assert len(held) == 1
        assert ts[held[0]] == ts[mine].max()


def test_leave_last_out_breaks_timestamp_ties_by_the_later_row() -> None:
    user = np.array([0, 0, 0, 1])
    ts = np.array([5, 9, 9, 1])
    assert splits.leave_last_out(user, ts).tolist() == [True, True, False, False]


def test_validation_carve_out_only_uses_training_rows() -> None:
    user, _ = _synthetic()
    train = splits.stratified(user)
    fit = splits.within(train, user, ratio=0.8, seed=1)
    assert not np.any(fit & ~train)
    assert 0 < fit.sum() < train.sum()


def test_folds_within_are_distinct_carve_outs_of_the_training_rows() -> None:
    user, _ = _synthetic()
    train = splits.stratified(user, seed=42)
    folds = splits.folds_within(train, user, 0.75, (7, 8, 9))
    assert len(folds) == 3
    for seed, fit in zip((7, 8, 9), folds, strict=True):
        assert not (fit & ~train).any()  # never a test row
        assert np.array_equal(fit, splits.within(train, user, 0.75, seed))
    assert not np.array_equal(folds[0], folds[1])
    assert not np.array_equal(folds[1], folds[2])
