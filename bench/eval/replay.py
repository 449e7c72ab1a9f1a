"""Replays the training rows through the engine's real generators and asks them for lists.

Nothing here scores items: the generators' ``update`` sees the training interactions in
timestamp order, and lists come from each generator's ``candidates`` (alone) or from
``Engine.recommend`` (the ensemble). The harness only builds the request contexts, turns the
returned ids into matrix columns and, for a generator alone, drops seen items it returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from app.recommend.affinity import Affinity
from app.recommend.covisitation import Covisitation
from app.recommend.learned import Learned
from app.recommend.model import Catalog, Context, Generator, Interaction
from app.recommend.popularity import Popularity
from app.recommend.vector import VectorSimilarity
from app.vectors.encoders import CooccurrenceEncoder
from bench.eval import catalog as shop
from bench.eval.data import Ratings

#: Sessions for the behavioural vectors: a gap this long (seconds) starts a new session.
SESSION_GAP = 3600.0


@dataclass(frozen=True)
class Params:
    """Everything the evaluation may set on the generators; tuned on validation only."""

    mapping: str = "binary"
    ease_l2: float = 500.0
    #: EASE rows weighted by 1/|u|^b in the Gram matrix (0: plain EASE).
    ease_user_weight: float = 0.0
    ials_l2: float = 5.0
    ials_alpha: float = 5.0
    #: iALS confidence of an observed cell scaled by its item's popularity^p (0: plain iALS).
    ials_confidence_power: float = 0.0
    ials_factors: int = 128
    ials_iterations: int = 8
    popularity_half_life: float = 7 * 86400.0
    covisitation_window: float = 3600.0
    covisitation_half_life: float = 14 * 86400.0
    recent: int = 10
    vector_dim: int = 64
    weights: Mapping[str, float] = field(default_factory=dict)
    #: How the engine puts the generators' scores on one scale (``app.recommend.ensemble``).
    normalization: str = "max"

    def as_dict(self) -> dict[str, Any]:
        return {
            "mapping": self.mapping,
            "ease_l2": self.ease_l2,
            "ease_user_weight": self.ease_user_weight,
            "ials_l2": self.ials_l2,
            "ials_alpha": self.ials_alpha,
            "ials_confidence_power": self.ials_confidence_power,
            "ials_factors": self.ials_factors,
            "ials_iterations": self.ials_iterations,
            "popularity_half_life_days": self.popularity_half_life / 86400.0,
            "covisitation_window_s": self.covisitation_window,
            "covisitation_half_life_days": self.covisitation_half_life / 86400.0,
            "recent": self.recent,
            "vector_dim": self.vector_dim,
            "weights": dict(self.weights),
            "normalization": self.normalization,
        }


@dataclass
class Replayed:
    events: list[Interaction]
    generators: dict[str, Generator]
    catalog: Catalog
    contexts: list[Context]  # one per user index
    seconds: dict[str, float]


def sessions(events: Sequence[Interaction], gap: float = SESSION_GAP) -> list[list[str]]:
    """Each user's items split where the user paused longer than ``gap``."""
    last: dict[str, float] = {}
    open_: dict[str, list[str]] = {}
    out: list[list[str]] = []
    for it in events:
        if it.user_key in open_ and it.ts - last[it.user_key] > gap:
            out.append(open_.pop(it.user_key))
        open_.setdefault(it.user_key, []).append(it.item_id)
        last[it.user_key] = it.ts
    out.extend(open_.values())
    return out


def _vector(events: Sequence[Interaction], params: Params) -> VectorSimilarity:
    enc = CooccurrenceEncoder(dim=params.vector_dim).fit(sessions(events))
    ids = enc.items
    matrix = enc.transform(ids)
    index = {i: n for n, i in enumerate(ids)}

    # An exact inner-product search: what HotIndex does below its exact_below threshold.
    def search(q: npt.NDArray[np.float32], k: int) -> list[tuple[str, float]]:
        s = matrix @ q
        k = min(k, len(ids))
        top = np.argpartition(-s, k - 1)[:k]
        return [(ids[j], float(s[j])) for j in top[np.argsort(-s[top])]]

    def item_vector(item: str) -> npt.NDArray[np.float32] | None:
        n = index.get(item)
        return None if n is None else matrix[n]

    return VectorSimilarity(search, item_vector, recent=params.recent)


def fit_learned(
    events: Sequence[Interaction], l2: float, n_items: int, user_weight: float = 0.0
) -> Learned:
    """EASE on every item (MovieLens is small) and every interaction of each user."""
    learned = Learned(l2=l2, user_weight=user_weight, history=10_000, max_items=max(n_items, 1))
    learned.update(events)
    learned.promote(learned.train().version)
    return learned


def fit_factors(
    events: Sequence[Interaction],
    l2: float,
    alpha: float,
    factors: int,
    n_items: int,
    confidence_power: float = 0.0,
    iterations: int = 8,
) -> Learned:
    """iALS, the same serving class under the name ``factors``: the engine blends both."""
    learned = Learned(
        algorithm="ials", l2=l2, alpha=alpha, factors=factors, history=10_000,
        max_items=max(n_items, 1), name="factors", confidence_power=confidence_power,
        iterations=iterations,
    )  # fmt: skip
    learned.update(events)
    learned.promote(learned.train().version)
    return learned


def build(r: Ratings, rows: np.ndarray, params: Params, now: Callable[[int], float]) -> Replayed:
    """Fit every generator on ``rows`` (indices into ``r``); ``now(user)`` is the request time."""
    cat = shop.catalog(r)
    events = shop.interactions(r, rows, params.mapping)
    seconds: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        t = time.perf_counter()
        out = fn()
        seconds[name] = round(time.perf_counter() - t, 3)
        return out

    popularity = Popularity(long_half_life=params.popularity_half_life, catalog=cat)
    covis = Covisitation(
        half_life=params.covisitation_half_life,
        window=params.covisitation_window,
        recent=params.recent,
        history=20,
    )
    timed("popularity", lambda: popularity.update(events))
    timed("covisitation", lambda: covis.update(events))
    learned = timed(
        "learned",
        lambda: fit_learned(events, params.ease_l2, r.n_items, params.ease_user_weight),
    )
    factors = timed(
        "factors",
        lambda: fit_factors(
            events,
            params.ials_l2,
            params.ials_alpha,
            params.ials_factors,
            r.n_items,
            params.ials_confidence_power,
            params.ials_iterations,
        ),
    )
    vector = timed("vector", lambda: _vector(events, params))
    affinity = Affinity(cat, prior=popularity.score)
    gens: dict[str, Generator] = {
        g.name: g for g in (covis, popularity, affinity, vector, learned, factors)
    }
    profiles = shop.profiles(events, cat)
    history: dict[str, list[tuple[str, float]]] = {u: [] for u in r.user_ids}
    for it in events:
        history[it.user_key].append((it.item_id, it.ts))
    contexts = []
    for n, user in enumerate(r.user_ids):
        mine = history[user]
        contexts.append(
            Context(
                user_key=user,
                recent_items=mine[::-1],  # latest first, as the profile keeps them
                profile=profiles.get(user),
                now=now(n),
                seen=frozenset(i for i, _ in mine),
            )
        )
    return Replayed(events, gens, cat, contexts, seconds)


def top_matrix(
    lists: Sequence[Sequence[str] | Mapping[str, float]], contexts: Sequence[Context],
    item_index: Mapping[str, int], k: int,
) -> np.ndarray:  # fmt: skip
    """(users, k) item indices from per-user ranked lists, seen items dropped, -1 padded."""
    top = np.full((len(lists), k), -1, dtype=np.int64)
    for u, (answer, ctx) in enumerate(zip(lists, contexts, strict=True)):
        ranked = _ranked(answer)
        keep = [item_index[i] for i in ranked if i not in ctx.seen and i in item_index][:k]
        top[u, : len(keep)] = keep
    return top


def _ranked(answer: Sequence[str] | Mapping[str, float]) -> Sequence[str]:
    if isinstance(answer, Mapping):
        # Ties broken by id, as the engine's blend does: reruns give the same list.
        return sorted(answer, key=lambda i: (-answer[i], i))
    return answer


def generator_top(
    gen: Generator, contexts: Sequence[Context], item_index: Mapping[str, int], k: int
) -> np.ndarray:
    # Ask for k + |seen|: a generator that ignores ``ctx.seen`` still yields k unseen items.
    lists = [gen.candidates(ctx, k + len(ctx.seen)) for ctx in contexts]
    return top_matrix(lists, contexts, item_index, k)


class Cached:
    """A generator whose answers are remembered per (user, k): weight searches re-blend the
    same candidates through the real engine without asking the generators again."""

    def __init__(self, inner: Generator) -> None:
        self.inner = inner
        self.name = inner.name
        self.personal = inner.personal
        self._memo: dict[tuple[str, int], dict[str, float]] = {}

    def update(self, interactions: Sequence[Interaction]) -> None:
        self._memo.clear()
        self.inner.update(interactions)

    def candidates(self, ctx: Context, k: int) -> dict[str, float]:
        key = (ctx.user_key, k)
        if key not in self._memo:
            self._memo[key] = self.inner.candidates(ctx, k)
        return self._memo[key]

    def explain(self, ctx: Context, item_id: str) -> str:
        return self.inner.explain(ctx, item_id)
