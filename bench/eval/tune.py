"""Choose EASE's and iALS' settings, the ensemble weights and the engine's score normalization on
a validation split of the training rows only."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
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
#: iALS: λ first (at the default alpha), then alpha at the best λ; 128 factors throughout.
IALS_L2_GRID = (2.5, 5.0, 10.0)
IALS_ALPHA_GRID = (2.0, 5.0, 10.0)
#: Then the confidence's popularity power p (alpha_i ~ n_i^p) at the best λ and alpha.
IALS_CONFIDENCE_GRID = (0.0, 0.15, 0.25, 0.35)
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

    def alone(name: str) -> float:
        return ndcg(replay.generator_top(rep.generators[name], rep.contexts, index, K))

    by_l2: dict[str, float] = {}
    grid = [(0.0, l2) for l2 in L2_GRID] + [(1.0, l2) for l2 in WEIGHTED_L2_GRID]
    for uw, l2 in grid:
        rep.generators["learned"] = replay.fit_learned(rep.events, l2, r.n_items, uw)
        by_l2[f"{l2}/{uw}"] = alone("learned")
    best_l2, best_uw = (float(v) for v in max(by_l2, key=lambda v: by_l2[v]).split("/"))
    rep.generators["learned"] = replay.fit_learned(rep.events, best_l2, r.n_items, best_uw)

    by_ials: dict[str, float] = {}

    def try_ials(l2: float, alpha: float, power: float = 0.0) -> None:
        key = f"{l2}/{alpha}/{power}"
        if key not in by_ials:
            rep.generators["factors"] = replay.fit_factors(
                rep.events, l2, alpha, params.ials_factors, r.n_items, power
            )
            by_ials[key] = alone("factors")

    def best_ials() -> list[float]:
        return [float(v) for v in max(by_ials, key=lambda v: by_ials[v]).split("/")]

    for l2 in IALS_L2_GRID:
        try_ials(l2, params.ials_alpha)
    ials_l2 = best_ials()[0]
    for alpha in IALS_ALPHA_GRID:
        try_ials(ials_l2, alpha)
    ials_l2, ials_alpha, _ = best_ials()
    for power in IALS_CONFIDENCE_GRID:
        try_ials(ials_l2, ials_alpha, power)
    ials_l2, ials_alpha, ials_power = best_ials()
    rep.generators["factors"] = replay.fit_factors(
        rep.events, ials_l2, ials_alpha, params.ials_factors, r.n_items, ials_power
    )

    # The better learned model alone anchors the blend at weight 1; the others are searched,
    # once per normalization of the engine (how it puts the generators' scores on one scale).
    anchor = "learned" if max(by_l2.values()) >= max(by_ials.values()) else "factors"
    cached: dict[str, Generator] = {n: replay.Cached(g) for n, g in rep.generators.items()}
    by_norm: dict[str, tuple[float, dict[str, float], list[dict[str, Any]]]] = {}
    for how in NORMALIZATIONS:
        by_norm[how] = _search(cached, anchor, rep, how, ndcg, index)
    normalization = max(by_norm, key=lambda h: by_norm[h][0])
    best, weights, trail = by_norm[normalization]
    chosen = dataclasses.replace(
        params, ease_l2=best_l2, ease_user_weight=best_uw, ials_l2=ials_l2,
        ials_alpha=ials_alpha, ials_confidence_power=ials_power, weights=weights,
        normalization=normalization,
    )  # fmt: skip
    report = {
        "validation_rows": int(held.sum()),
        "learned_ndcg@10_by_l2/user_weight": {k: round(v, 4) for k, v in by_l2.items()},
        "factors_ndcg@10_by_l2/alpha/power": {k: round(v, 4) for k, v in by_ials.items()},
        "ensemble_ndcg@10": round(best, 4),
        "ensemble_ndcg@10_by_normalization": {h: round(v[0], 4) for h, v in by_norm.items()},
        "weight_search": trail,
        "chosen": chosen.as_dict(),
    }
    return chosen, report


def _search(
    cached: Mapping[str, Generator],
    anchor: str,
    rep: replay.Replayed,
    normalization: str,
    ndcg: Callable[[np.ndarray], float],
    index: Mapping[str, int],
) -> tuple[float, dict[str, float], list[dict[str, Any]]]:
    """Coordinate ascent over the weights of every generator but ``anchor`` (fixed at 1)."""
    eng = engine(list(cached.values()), {anchor: 1.0}, rep.catalog, normalization)
    weights = {name: (1.0 if name == anchor else 0.0) for name in cached}

    def score(w: Mapping[str, float]) -> float:
        return ndcg(engine_top(eng, rep.contexts, index, K, weights=w))

    best = score(weights)
    trail = [{"weights": dict(weights), "ndcg@10": round(best, 4)}]
    for _ in range(ROUNDS):
        improved = False
        for name in (n for n in cached if n != anchor):
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
    return best, weights, trail
