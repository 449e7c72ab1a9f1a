"""Choose EASE's and iALS' settings, the ensemble weights and the engine's score normalization on
validation splits of the training rows only.

Every candidate is judged by its NDCG@10 averaged over the validation folds (several stratified
carve-outs of the training part, each with its own seed): on one draw of MovieLens-100k's
validation rows the figures moved from seed to seed as much as the gains being chosen, and the
choices did not carry over to the test part (measurements: docs/benchmarks.md, Design
decisions, bench/eval/tune.py; docs/eval.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from app.recommend.ensemble import NORMALIZATIONS
from app.recommend.model import Generator
from bench.eval import catalog as shop
from bench.eval import matrix, metrics, replay
from bench.eval.data import Ratings
from bench.eval.ensemble_eval import engine, engine_top

L2_GRID = (100.0, 200.0, 300.0, 500.0, 800.0, 1200.0)
#: EASE with user weighting 1/|u|: the Gram matrix shrinks, so λ lives on another scale.
WEIGHTED_L2_GRID = (2.0, 3.0, 5.0, 7.0, 10.0, 15.0, 20.0)
#: iALS: λ first (at the default alpha), then alpha at the best λ.
IALS_L2_GRID = (2.5, 5.0, 10.0)
IALS_ALPHA_GRID = (2.0, 5.0, 10.0)
#: Then the confidence's popularity power p (alpha_i ~ n_i^p) at the best λ and alpha.
IALS_CONFIDENCE_GRID = (0.0, 0.15, 0.25, 0.35)
#: Then the number of factors, then the ALS sweeps (the rest unchanged).
IALS_FACTORS_GRID = (32, 64, 128)
IALS_ITERATIONS_GRID = (8, 16)
WEIGHT_GRID = (0.0, 0.02, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0)
ROUNDS = 2
K = 10


@dataclasses.dataclass
class Fold:
    """One validation split: the replayed generators on its fit rows, its held-out truth."""

    rep: replay.Replayed
    truth: np.ndarray

    def ndcg(self, top: np.ndarray) -> float:
        return metrics.ranking(top, self.truth, K)[f"ndcg@{K}"]


def tune(
    r: Ratings,
    folds: Sequence[tuple[np.ndarray, np.ndarray, Callable[[int], float]]],
    params: replay.Params,
) -> tuple[replay.Params, dict[str, Any]]:
    """``folds``: (fit, held, request time) per validation split; ``fit`` and ``held`` are row
    masks inside the training part, the test part is not read. Scores are fold means."""
    shape = (r.n_users, r.n_items)
    index = {shop.product_id(i): n for n, i in enumerate(r.item_ids)}
    fs = [
        Fold(
            replay.build(r, np.flatnonzero(fit), params, now),
            matrix.held_out(r.user[held], r.item[held], shape),
        )
        for fit, held, now in folds
    ]

    def alone(name: str) -> list[float]:
        return [
            f.ndcg(replay.generator_top(f.rep.generators[name], f.rep.contexts, index, K))
            for f in fs
        ]

    by_l2: dict[str, list[float]] = {}

    def set_ease(l2: float, uw: float) -> None:
        for f in fs:
            f.rep.generators["learned"] = replay.fit_learned(f.rep.events, l2, r.n_items, uw)

    for uw, l2 in [(0.0, v) for v in L2_GRID] + [(1.0, v) for v in WEIGHTED_L2_GRID]:
        set_ease(l2, uw)
        by_l2[f"{l2}/{uw}"] = alone("learned")
    best_l2, best_uw = (float(v) for v in _best(by_l2).split("/"))
    set_ease(best_l2, best_uw)

    by_ials: dict[str, list[float]] = {}

    def set_ials(s: tuple[float, float, float, int, int]) -> None:
        l2, alpha, power, factors, iterations = s
        for f in fs:
            f.rep.generators["factors"] = replay.fit_factors(
                f.rep.events, l2, alpha, factors, r.n_items, power, iterations
            )

    def try_ials(s: tuple[float, float, float, int, int]) -> None:
        key = "/".join(str(v) for v in s)
        if key not in by_ials:
            set_ials(s)
            by_ials[key] = alone("factors")

    def best_ials() -> tuple[float, float, float, int, int]:
        l2, alpha, power, factors, iterations = _best(by_ials).split("/")
        return float(l2), float(alpha), float(power), int(factors), int(iterations)

    s = (params.ials_l2, params.ials_alpha, 0.0, params.ials_factors, params.ials_iterations)
    for l2 in IALS_L2_GRID:
        try_ials((l2, *s[1:]))
    s = best_ials()
    for alpha in IALS_ALPHA_GRID:
        try_ials((s[0], alpha, *s[2:]))
    s = best_ials()
    for power in IALS_CONFIDENCE_GRID:
        try_ials((*s[:2], power, *s[3:]))
    s = best_ials()
    for factors in IALS_FACTORS_GRID:
        try_ials((*s[:3], factors, s[4]))
    s = best_ials()
    for iterations in IALS_ITERATIONS_GRID:
        try_ials((*s[:4], iterations))
    s = best_ials()
    set_ials(s)
    ials_l2, ials_alpha, ials_power, ials_factors, ials_iterations = s

    # The better learned model alone anchors the blend at weight 1; the others are searched,
    # once per normalization of the engine (how it puts the generators' scores on one scale).
    ease_best, ials_best = _mean(by_l2[_best(by_l2)]), _mean(by_ials[_best(by_ials)])
    anchor = "learned" if ease_best >= ials_best else "factors"
    cached = [{n: replay.Cached(g) for n, g in f.rep.generators.items()} for f in fs]
    by_norm: dict[str, tuple[list[float], dict[str, float], list[dict[str, Any]]]] = {}
    for how in NORMALIZATIONS:
        by_norm[how] = _search(cached, anchor, fs, how, index)
    normalization = max(by_norm, key=lambda h: _mean(by_norm[h][0]))
    best, weights, trail = by_norm[normalization]
    chosen = dataclasses.replace(
        params, ease_l2=best_l2, ease_user_weight=best_uw, ials_l2=ials_l2,
        ials_alpha=ials_alpha, ials_confidence_power=ials_power, ials_factors=ials_factors,
        ials_iterations=ials_iterations, weights=weights, normalization=normalization,
    )  # fmt: skip
    report = {
        "folds": len(fs),
        "validation_rows": [int(held.sum()) for _, held, _ in folds],
        "scores": "ndcg@10 mean over the folds, then each fold's",
        "learned_ndcg@10_by_l2/user_weight": _rounded(by_l2),
        "factors_ndcg@10_by_l2/alpha/power/factors/iterations": _rounded(by_ials),
        "ensemble_ndcg@10": _rounded({"chosen": best})["chosen"],
        "ensemble_ndcg@10_by_normalization": _rounded({h: v[0] for h, v in by_norm.items()}),
        "weight_search": trail,
        "chosen": chosen.as_dict(),
    }
    return chosen, report


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values))


def _best(scores: Mapping[str, list[float]]) -> str:
    return max(scores, key=lambda key: _mean(scores[key]))


def _rounded(scores: Mapping[str, list[float]]) -> dict[str, list[float]]:
    return {k: [round(_mean(v), 4), *(round(x, 4) for x in v)] for k, v in scores.items()}


def _search(
    cached: Sequence[Mapping[str, Generator]],
    anchor: str,
    fs: Sequence[Fold],
    normalization: str,
    index: Mapping[str, int],
) -> tuple[list[float], dict[str, float], list[dict[str, Any]]]:
    """Coordinate ascent over the weights of every generator but ``anchor`` (fixed at 1),
    each trial scored by its mean over the folds."""
    engines = [
        engine(list(c.values()), {anchor: 1.0}, f.rep.catalog, normalization)
        for c, f in zip(cached, fs, strict=True)
    ]
    names = list(cached[0])
    weights = {name: (1.0 if name == anchor else 0.0) for name in names}

    def score(w: Mapping[str, float]) -> list[float]:
        return [
            f.ndcg(engine_top(eng, f.rep.contexts, index, K, weights=w))
            for eng, f in zip(engines, fs, strict=True)
        ]

    best = score(weights)
    trail = [{"weights": dict(weights), "ndcg@10": round(_mean(best), 4)}]
    for _ in range(ROUNDS):
        improved = False
        for name in (n for n in names if n != anchor):
            for w in WEIGHT_GRID:
                trial = {**weights, name: w}
                if trial == weights:
                    continue
                s = score(trial)
                if _mean(s) > _mean(best) + 1e-6:
                    best, weights, improved = s, trial, True
                    trail.append({"weights": dict(weights), "ndcg@10": round(_mean(best), 4)})
        if not improved:
            break
    return best, weights, trail
