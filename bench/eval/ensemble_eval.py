"""The ensemble as served: ``Engine.recommend`` over the replayed generators."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from app.recommend.engine import Engine
from app.recommend.model import Catalog, Context, Generator
from app.recommend.rules import RuleSet
from bench.eval.replay import top_matrix

#: Offline there is no stock, price or prescription data: the default rules filter nothing
#: that matters here, and seen items leave through ``ctx.seen`` in the blend.
RULES = RuleSet(name="eval")


def engine(
    generators: Sequence[Generator],
    weights: Mapping[str, float],
    cat: Catalog,
    normalization: str = "max",
) -> Engine:
    return Engine(generators, weights, RULES, cat, normalization=normalization)


def engine_top(
    eng: Engine,
    contexts: Sequence[Context],
    item_index: Mapping[str, int],
    k: int,
    weights: Mapping[str, float] | None = None,
) -> np.ndarray:
    lists = [eng.recommend(ctx, k, weights=weights).item_ids for ctx in contexts]
    return top_matrix(lists, contexts, item_index, k)
