"""``make eval``: offline quality of the engine on MovieLens-100k, two protocols.

    .venv/bin/python -m bench.eval.run [--no-tune] [--mapping binary|graded]

For each protocol: tune EASE's λ and the ensemble weights on a validation split of the
training rows, replay the training rows through the real generators, score the held-out rows
for each generator alone, the ensemble (``Engine.recommend``) and two baselines. Prints a table
and writes bench/results/eval.json. The data is read from the recbole wheel (docs/eval.md).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.common import write_results
from bench.eval import baselines, matrix, metrics, replay, splits, tune
from bench.eval import catalog as shop
from bench.eval.data import Ratings, load, locate
from bench.eval.ensemble_eval import engine, engine_top

K = 10
SEED = 42
#: Stratified validation: three carve-outs of the training part, choices judged by their mean.
VALIDATION_SEEDS = (7, 8, 9)
#: Microsoft Recommenders' README table, MovieLens-100k, same stratified split, k = 10.
REFERENCE = {
    "SAR": {"map": 0.110591, "ndcg@10": 0.382461, "precision@10": 0.330753, "recall@10": 0.176385},
    "NCF": {"map": 0.107720, "ndcg@10": 0.396118, "precision@10": 0.347296, "recall@10": 0.180775},
    "LightGCN": {
        "map": 0.088526, "ndcg@10": 0.419846, "precision@10": 0.379626, "recall@10": 0.144336,
    },
    "BPR": {"map": 0.132478, "ndcg@10": 0.441997, "precision@10": 0.388229, "recall@10": 0.212522},
    "BiVAE": {
        "map": 0.146126, "ndcg@10": 0.475077, "precision@10": 0.411771, "recall@10": 0.219145,
    },
}  # fmt: skip
SHOWN = ("hr@10", "ndcg@10", "mrr@10", "precision@10", "recall@10", "map", "coverage")


def protocol_masks(r: Ratings, name: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """(train mask over all rows, validation-fit masks inside train: one per fold)."""
    if name == "stratified_75_25":
        train = splits.stratified(r.user, 0.75, SEED)
        return train, splits.folds_within(train, r.user, 0.75, VALIDATION_SEEDS)
    # Leave-last-out has one validation split: each user's latest training row.
    train = splits.leave_last_out(r.user, r.ts)
    rows = np.flatnonzero(train)
    fit = np.zeros_like(train)
    fit[rows[splits.leave_last_out(r.user[rows], r.ts[rows])]] = True
    return train, [fit]


def request_time(
    r: Ratings, fit: np.ndarray, held: np.ndarray, name: str
) -> Callable[[int], float]:
    """When the list is asked for: the held-out event's time (leave-last-out), else just after
    the last training event (a random split has no single "next" moment per user)."""
    if name == "stratified_75_25":
        end = float(r.ts[fit].max()) + 1.0
        return lambda _u: end
    at = np.zeros(r.n_users)
    at[r.user[held]] = r.ts[held]
    return lambda u: float(at[u])


def score_all(
    r: Ratings, train: np.ndarray, params: replay.Params, name: str
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    shape = (r.n_users, r.n_items)
    test = ~train
    truth = matrix.held_out(r.user[test], r.item[test], shape)
    seen = matrix.interactions(r.user[train], r.item[train], shape)
    index = {shop.product_id(i): n for n, i in enumerate(r.item_ids)}
    out: dict[str, dict[str, float]] = {}
    seconds: dict[str, float] = {}

    def record(label: str, top: np.ndarray, started: float) -> None:
        out[label] = metrics.evaluate(top, truth, K)
        seconds[label] = round(time.perf_counter() - started, 2)

    t = time.perf_counter()
    record("baseline_most_popular", matrix.top_k(baselines.most_popular(seen), seen, K), t)
    t = time.perf_counter()
    record("baseline_item_knn", matrix.top_k(baselines.item_knn(seen), seen, K), t)
    t = time.perf_counter()
    rep = replay.build(r, np.flatnonzero(train), params, request_time(r, train, test, name))
    seconds.update({f"fit_{k}": v for k, v in rep.seconds.items()})
    for gname, gen in rep.generators.items():
        t = time.perf_counter()
        record(gname, replay.generator_top(gen, rep.contexts, index, K), t)
    t = time.perf_counter()
    eng = engine(list(rep.generators.values()), params.weights, rep.catalog, params.normalization)
    record("ensemble", engine_top(eng, rep.contexts, index, K), t)
    return out, seconds


def table(name: str, rows: dict[str, dict[str, float]], reference: bool) -> str:
    head = f"{name:<24}" + "".join(f"{m:>13}" for m in SHOWN)
    lines = [head, "-" * len(head)]
    for label, fig in rows.items():
        lines.append(f"{label:<24}" + "".join(f"{fig.get(m, float('nan')):>13.4f}" for m in SHOWN))
    if reference:
        for label, fig in REFERENCE.items():
            cells = "".join(f"{fig[m]:>13.4f}" if m in fig else f"{'':>13}" for m in SHOWN)
            lines.append(f"{'MS Recommenders ' + label:<24}" + cells)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-tune", action="store_true", help="use Params() defaults, skip tuning")
    ap.add_argument("--mapping", choices=shop.MAPPINGS, default="binary")
    ap.add_argument(
        "--protocols", default="stratified_75_25,leave_last_out", help="comma-separated"
    )
    args = ap.parse_args(argv)
    started = time.perf_counter()
    r = load(locate())
    print(f"MovieLens-100k: {len(r)} ratings, {r.n_users} users, {r.n_items} items")
    figures: dict[str, Any] = {"k": K, "mapping": args.mapping, "data": {
        "ratings": len(r), "users": r.n_users, "items": r.n_items}}  # fmt: skip
    for name in args.protocols.split(","):
        train, fits = protocol_masks(r, name)
        params = replay.Params(mapping=args.mapping, weights={"learned": 1.0})
        tuning: dict[str, Any] = {"skipped": True}
        if not args.no_tune:
            folds = [(fit, train & ~fit, request_time(r, fit, train & ~fit, name)) for fit in fits]
            params, tuning = tune.tune(r, folds, params)
        rows, seconds = score_all(r, train, params, name)
        figures[name] = {k: {m: round(v, 4) for m, v in f.items()} for k, f in rows.items()}
        figures.setdefault("tuning", {})[name] = tuning
        figures.setdefault("seconds", {})[name] = seconds
        figures.setdefault("split", {})[name] = {
            "train_rows": int(train.sum()), "test_rows": int((~train).sum())}  # fmt: skip
        print()
        print(f"chosen on validation: {params.as_dict()}")
        print(table(name, rows, reference=name == "stratified_75_25"))
    figures["reference"] = {"stratified_75_25": REFERENCE}
    figures["seconds_total"] = round(time.perf_counter() - started, 1)
    path = write_results("eval", figures)
    print(f"\nwrote {path} in {figures['seconds_total']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
