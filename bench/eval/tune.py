"""Choose EASE's λ and the ensemble weights on a validation split of the training rows only."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from app.recommend.model import Generator
from bench.eval import catalog as shop
from bench.eval import matrix, metrics, replay
from bench.eval.data import Ratings
from bench.eval.ensemble_eval import engine, engine_top

L2_GRID = (100.0, 200.0, 300.0, 500.0, 800.0, 1200.0)
WEIGHT_GRID = (0.0, 0.02, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0)
ROUNDS = 2
K = 10


def tune(
    r: Ratings,
    fit: np.ndarray,
    held: np.ndarray,
    params: replay.Params,
    now: Callable[[int], float],
) -> tuple[replay.Params, dict[str, Any]]:
    """``fit`` and ``held`` are row masks inside the training part; the test part is not read."""
    shape = (r.n_users, r.n_items)
    truth = matrix.held_out(r.user[held], r.item[held], shape)
    index = {shop.product_id(i): n for n, i in enumerate(r.item_ids)}
    rep = replay.build(r, np.flatnonzero(fit), params, now)

    def ndcg(top: np.ndarray) -> float:
        return metrics.ranking(top, truth, K)[f"ndcg@{K}"]

    by_l2: dict[str, float] = {}
    for l2 in L2_GRID:
        rep.generators["learned"] = replay.fit_learned(rep.events, l2, r.n_items)
        by_l2[str(l2)] = ndcg(
            replay.generator_top(rep.generators["learned"], rep.contexts, index, K)
        )
    best_l2 = float(max(by_l2, key=lambda v: by_l2[v]))
    rep.generators["learned"] = replay.fit_learned(rep.events, best_l2, r.n_items)

    cached: dict[str, Generator] = {n: replay.Cached(g) for n, g in rep.generators.items()}
    eng = engine(list(cached.values()), {"learned": 1.0}, rep.catalog)
    weights = {name: (1.0 if name == "learned" else 0.0) for name in cached}

    def score(w: Mapping[str, float]) -> float:
        return ndcg(engine_top(eng, rep.contexts, index, K, weights=w))

    best = score(weights)
    trail = [{"weights": dict(weights), "ndcg@10": round(best, 4)}]
    for _ in range(ROUNDS):
        improved = False
        for name in (n for n in cached if n != "learned"):
            for w in WEIGHT_GRID:
                trial = {**weights, name: w}
                if trial == weights:
                    continue
                s = score(trial)
                if s > best + 1e-6:
                    best, weights, improved = s, trial, True
                    trail.append({"weights": dict(weights), "ndcg@10": round(best, 4)})
        if not improved:
            break
    chosen = dataclasses.replace(params, ease_l2=best_l2, weights=weights)
    report = {
        "validation_rows": int(held.sum()),
        "learned_ndcg@10_by_l2": {k: round(v, 4) for k, v in by_l2.items()},
        "ensemble_ndcg@10": round(best, 4),
        "weight_search": trail,
        "chosen": chosen.as_dict(),
    }
    return chosen, report
