"""A learned collaborative model (EASE, item-kNN or iALS), retrained on a schedule, versioned.

EASE (Steck, 2019) is a closed-form item-to-item linear model: with the user x item matrix X,
``P = (XᵀX + λI)⁻¹`` and ``B = I - P · diag(1/diag(P))`` (zero diagonal); a user's scores are
``x_u B``. ``user_weight`` = b weighs each user's row by ``1/|u|^b`` in the Gram matrix
(``Xᵀ diag(w) X``): a heavy user's thousand co-occurrences no longer outweigh a hundred light
users' (b = 0 is plain EASE; λ then lives on a much smaller scale, ~1-20 for b = 1). Item-kNN
uses the cosine of item columns with a shrinkage term, keeping the top ``neighbors`` per item.
Both are dense ``items x items`` float32 matrices: training is bounded by ``max_items`` (the
most interacted items; the others get no learned score and fall back to content and
popularity): 4,000 items is 64 MB per matrix.

iALS (Hu, Koren & Volinsky, 2008; regularization as in Rendle et al., 2021) factorizes X into
user and item factors of size ``factors``: observed cells weigh ``1 + alpha``, unobserved 1, and
a row with n observations is regularized by ``l2 · (1 + √n)``. Only the item factors V are
kept; a user's vector is folded in at request time from the live history h (one k x k solve,
``(VᵀV + alpha V_hᵀV_h + λ(1+√|h|) I) u = (1+alpha) V_hᵀ1``), exactly the user step of the
training, so it follows the shopper between retrains like EASE does.
``confidence_power`` = p scales an observed cell's confidence by its item's popularity:
``alpha_i = alpha · n_i^p / mean`` (n_i the item's user count, the mean taken over observed cells,
so the average confidence stays ``alpha``; p = 0 is plain iALS): a rating of a popular movie
says more about what the user will rate next than its share of the squared loss gave it
(measurements: docs/benchmarks.md, Design decisions, app/recommend/learned.py; docs/eval.md).

Operator action: :meth:`Learned.train` is blocking (numpy, BLAS): call it through
:meth:`Learned.retrain` (an executor) or from a separate process, never on the event loop.
Versions: every training yields a :class:`LearnedModel` with a ``version`` string; the last
``keep`` are kept, :meth:`promote` serves one, :meth:`rollback` returns to the previous one.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

from app.recommend.errors import ConfigurationError, ModelVersionError
from app.recommend.model import Context, Interaction

log = logging.getLogger(__name__)
ALGORITHMS = ("ease", "itemknn", "ials")
_counter = itertools.count(1)


@dataclass(frozen=True)
class LearnedModel:
    version: str
    algorithm: str
    items: tuple[str, ...]
    matrix: npt.NDArray[np.float32]
    trained_at: float
    users: int
    interactions: int
    index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    #: iALS only: ``matrix`` holds the item factors (items x k), ``gramian`` VᵀV, and the
    #: fold-in needs the training's ``l2`` and ``alpha`` (or per item ``confidence``).
    gramian: npt.NDArray[np.float64] | None = field(default=None, repr=False, compare=False)
    l2: float = 0.0
    alpha: float = 0.0
    confidence: npt.NDArray[np.float64] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.index:
            self.index.update({item: n for n, item in enumerate(self.items)})

    def scores(self, history: Sequence[str] | set[str]) -> npt.NDArray[np.float32] | None:
        rows = [self.index[i] for i in history if i in self.index]
        if not rows:
            return None
        if self.gramian is None:
            return self.matrix[rows].sum(axis=0)
        vh = self.matrix[rows].astype(np.float64)
        k = vh.shape[1]
        c = self.alpha if self.confidence is None else self.confidence[rows]
        a = self.gramian + _confident_gram(vh, c)
        a[np.diag_indices(k)] += self.l2 * (1.0 + np.sqrt(len(rows)))
        u = np.linalg.solve(a, _confident_sum(vh, c))
        return (self.matrix @ u.astype(np.float32)).astype(np.float32)


Confidence = float | npt.NDArray[np.float64]


def _confident_gram(f: npt.NDArray[np.float64], c: Confidence) -> npt.NDArray[np.float64]:
    """Σ_j c_j f_jᵀ f_j over the observed rows f; a scalar c is plain iALS, computed as before."""
    if np.ndim(c) == 0:
        return float(c) * (f.T @ f)
    return (f.T * c) @ f


def _confident_sum(f: npt.NDArray[np.float64], c: Confidence) -> npt.NDArray[np.float64]:
    """Σ_j (1 + c_j) f_j: the right-hand side of a row's solve."""
    if np.ndim(c) == 0:
        return (1.0 + float(c)) * f.sum(axis=0)
    return f.T @ (1.0 + c)


def item_confidence(
    x: sparse.csr_matrix, alpha: float, power: float
) -> npt.NDArray[np.float64] | None:
    """Per item ``alpha · n_i^p``, scaled so the observed cells' mean is ``alpha`` (None: p = 0)."""
    if power == 0:
        return None
    n = np.asarray(x.sum(axis=0), dtype=np.float64).ravel()
    raw = np.maximum(n, 1.0) ** power
    mean = float((n * raw).sum() / max(n.sum(), 1.0))
    return alpha * raw / mean


def ials(
    x: sparse.csr_matrix,
    *,
    factors: int = 128,
    l2: float = 5.0,
    alpha: float = 5.0,
    iterations: int = 8,
    seed: int = 0,
    confidence: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.float64]:
    """Item factors (items x ``factors``) of implicit ALS on the binary matrix ``x``;
    ``confidence`` (per item) replaces the one ``alpha`` when given."""
    rng = np.random.default_rng(seed)
    n_users, n_items = x.shape
    users = rng.normal(0.0, 0.1, (n_users, factors))
    items = rng.normal(0.0, 0.1, (n_items, factors))
    xt = x.T.tocsr()
    eye = np.eye(factors)
    for _ in range(iterations):
        for solved, fixed, rows in ((users, items, x), (items, users, xt)):
            gram = fixed.T @ fixed
            for j in range(solved.shape[0]):
                idx = rows.indices[rows.indptr[j] : rows.indptr[j + 1]]
                if len(idx) == 0:
                    solved[j] = 0.0
                    continue
                fj = fixed[idx]
                c: Confidence = alpha
                if confidence is not None:
                    # A user's row: each item its own confidence; an item's row: its one.
                    c = confidence[idx] if solved is users else float(confidence[j])
                a = gram + _confident_gram(fj, c) + l2 * (1.0 + np.sqrt(len(idx))) * eye
                solved[j] = np.linalg.solve(a, _confident_sum(fj, c))
    return items


def fit(
    pairs: Sequence[tuple[str, str]],
    *,
    algorithm: str = "ease",
    l2: float = 500.0,
    shrink: float = 10.0,
    neighbors: int = 100,
    max_items: int = 4000,
    user_weight: float = 0.0,
    factors: int = 128,
    alpha: float = 5.0,
    confidence_power: float = 0.0,
    iterations: int = 8,
    seed: int = 0,
    version: str | None = None,
) -> LearnedModel:
    """Train on (user, item) pairs (duplicates count once). Blocking: keep off the event loop."""
    if algorithm not in ALGORITHMS:
        raise ConfigurationError(
            f"Unknown learned algorithm {algorithm!r}: choose one of {', '.join(ALGORITHMS)}"
        )
    started = time.perf_counter()
    users: dict[str, int] = {}
    counts: dict[str, int] = {}
    uniq = set(pairs)
    for _, i in uniq:
        counts[i] = counts.get(i, 0) + 1
    kept = heapq.nlargest(max_items, counts.items(), key=lambda kv: (kv[1], kv[0]))
    items = tuple(sorted(i for i, _ in kept))
    index = {i: n for n, i in enumerate(items)}
    rows, cols = [], []
    for u, i in uniq:
        col = index.get(i)
        if col is not None:
            rows.append(users.setdefault(u, len(users)))
            cols.append(col)
    n = len(items)
    x = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(max(len(users), 1), n)
    )
    gramian = confidence = None
    if algorithm == "ials":
        confidence = item_confidence(x, alpha, confidence_power)
        v = ials(
            x, factors=factors, l2=l2, alpha=alpha, iterations=iterations, seed=seed,
            confidence=confidence,
        )  # fmt: skip
        gramian = v.T @ v
        matrix = v.astype(np.float32)
    elif algorithm == "ease":
        w = np.ones(x.shape[0])
        if user_weight:
            w = 1.0 / np.maximum(np.diff(x.indptr), 1).astype(np.float64) ** user_weight
        gram = (x.T @ sparse.diags(w) @ x).toarray().astype(np.float64)
        gram[np.diag_indices(n)] += l2
        p = np.linalg.inv(gram)
        b = -p / np.diag(p)[None, :]
        b[np.diag_indices(n)] = 0.0
        matrix = b.astype(np.float32)
    else:
        gram = (x.T @ x).toarray().astype(np.float64)
        norms = np.sqrt(np.diag(gram))
        sim = gram / (np.outer(norms, norms) + shrink + 1e-12)
        sim[np.diag_indices(n)] = 0.0
        if 0 < neighbors < n:
            # Keep each item's strongest neighbours: the rest is mostly noise.
            cut = np.argpartition(-sim, neighbors, axis=0)[neighbors:]
            np.put_along_axis(sim, cut, 0.0, axis=0)
        matrix = sim.astype(np.float32)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    model = LearnedModel(
        version=version or f"{algorithm}-{stamp}-{next(_counter)}",
        algorithm=algorithm,
        items=items,
        matrix=matrix,
        trained_at=time.time(),
        users=len(users),
        interactions=len(rows),
        index=index,
        gramian=gramian,
        l2=l2,
        alpha=alpha,
        confidence=confidence,
    )
    log.info(
        "trained %s on %d users x %d items (%d interactions) in %.2fs",
        model.version, model.users, n, model.interactions, time.perf_counter() - started,
    )  # fmt: skip
    return model


class Learned:
    """The serving side: user histories (online), model versions, candidates."""

    name = "learned"
    personal = True

    def __init__(
        self,
        *,
        algorithm: str = "ease",
        l2: float = 500.0,
        shrink: float = 10.0,
        neighbors: int = 100,
        max_items: int = 4000,
        user_weight: float = 0.0,
        factors: int = 128,
        alpha: float = 5.0,
        confidence_power: float = 0.0,
        iterations: int = 8,
        seed: int = 0,
        keep: int = 3,
        history: int = 500,
        name: str = "learned",
        history_from: Learned | None = None,
    ) -> None:
        if algorithm not in ALGORITHMS:
            raise ConfigurationError(
                f"Unknown learned algorithm {algorithm!r}: choose one of {', '.join(ALGORITHMS)}"
            )
        #: Two learned generators can serve side by side (e.g. EASE and iALS): distinct names.
        self.name = name
        self.params = {
            "algorithm": algorithm, "l2": l2, "shrink": shrink,
            "neighbors": neighbors, "max_items": max_items, "user_weight": user_weight,
            "factors": factors, "alpha": alpha, "confidence_power": confidence_power,
            "iterations": iterations, "seed": seed,
        }  # fmt: skip
        self.history = history
        #: ``history_from``: read that generator's user histories (one copy in memory, fed once)
        #: and keep none here; this one's ``update`` then does nothing.
        self._follows = history_from is not None
        self._users: dict[str, dict[str, None]] = (
            history_from._users if history_from is not None else {}
        )
        self._models: deque[LearnedModel] = deque(maxlen=max(keep, 2))
        self._live: LearnedModel | None = None
        self._previous: list[str] = []

    # -- history -------------------------------------------------------------------------------
    def update(self, interactions: Sequence[Interaction]) -> None:
        if self._follows:
            return
        for it in interactions:
            h = self._users.setdefault(it.user_key, {})
            h.pop(it.item_id, None)
            h[it.item_id] = None  # insertion order = recency
            if len(h) > self.history:
                del h[next(iter(h))]

    def snapshot(self) -> list[tuple[str, str]]:
        """The (user, item) pairs to train on; cheap enough to take on the loop."""
        return [(u, i) for u, h in self._users.items() for i in h]

    # -- training and versions -----------------------------------------------------------------
    def train(self, pairs: Sequence[tuple[str, str]] | None = None) -> LearnedModel:
        """Fit a new version (blocking) and keep it; it serves once promoted."""
        model = fit(self.snapshot() if pairs is None else pairs, **self.params)  # type: ignore[arg-type]
        self._models.append(model)
        return model

    async def retrain(self, executor: Executor | None = None, promote: bool = True) -> LearnedModel:
        """Train in ``executor`` (a thread by default) and promote the result on the loop."""
        pairs = self.snapshot()
        loop = asyncio.get_running_loop()
        model = await loop.run_in_executor(executor, functools.partial(fit, pairs, **self.params))  # type: ignore[arg-type]
        self._models.append(model)
        if promote:
            self.promote(model.version)
        return model

    @property
    def versions(self) -> list[str]:
        return [m.version for m in self._models]

    @property
    def version(self) -> str | None:
        return None if self._live is None else self._live.version

    @property
    def model(self) -> LearnedModel | None:
        return self._live

    def promote(self, version: str) -> LearnedModel:
        for m in self._models:
            if m.version == version:
                if self._live is not None and self._live.version != version:
                    self._previous.append(self._live.version)
                self._live = m
                return m
        raise ModelVersionError(
            f"Learned model version {version!r} is not kept (kept: {self.versions}); "
            "train a new one or promote a kept version"
        )

    def rollback(self) -> LearnedModel:
        kept = set(self.versions)
        while self._previous:
            version = self._previous.pop()
            if version in kept:
                self._live = next(m for m in self._models if m.version == version)
                return self._live
        raise ModelVersionError(
            f"Nothing to roll back to from {self.version!r}: no earlier promoted version is "
            "still kept; promote one of the kept versions instead"
        )

    # -- serving -------------------------------------------------------------------------------
    def candidates(self, ctx: Context, k: int) -> dict[str, float]:
        model = self._live
        if model is None:
            return {}
        history = dict(self._users.get(ctx.user_key, {}))
        for item, _ in ctx.recent_items:
            history[item] = None
        scores = model.scores(list(history))
        if scores is None:
            return {}
        exclude = [model.index[i] for i in (history.keys() | ctx.seen) if i in model.index]
        scores = scores.copy()
        scores[exclude] = -np.inf
        n = min(k, len(model.items) - len(exclude))
        if n <= 0:
            return {}
        top = np.argpartition(-scores, n - 1)[:n]
        return {model.items[j]: float(scores[j]) for j in top if scores[j] > 0}

    def explain(self, ctx: Context, item_id: str) -> str:
        return "people with tastes like yours liked it"
