import numpy as np
from sklearn.ensemble import IsolationForest

from app.cleaning.bots import AnomalyModel, human_training_features
from app.cleaning.iforest import CompiledForest


def test_scores_equal_scikit_learn() -> None:
    rng = np.random.default_rng(3)
    train = rng.normal(size=(2000, 6))
    forest = IsolationForest(n_estimators=50, random_state=1).fit(train)
    probe = np.vstack([rng.normal(size=(300, 6)), rng.normal(5, 3, size=(50, 6)), train[:20]])
    np.testing.assert_allclose(
        CompiledForest(forest).score_samples(probe), forest.score_samples(probe), atol=1e-12
    )


def test_the_bot_model_scores_as_before() -> None:
    model = AnomalyModel()
    feats = human_training_features(seed=5)[:500]
    expected = -model._forest.score_samples(feats)
    np.testing.assert_allclose(-model._compiled.score_samples(feats), expected, atol=1e-12)


def test_an_empty_batch_scores_nothing() -> None:
    forest = IsolationForest(n_estimators=5, random_state=1).fit(np.zeros((10, 2)) + 1)
    assert CompiledForest(forest).score_samples(np.zeros((0, 2))).shape == (0,)
