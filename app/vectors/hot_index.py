"""The in-process index the serving path searches; Milvus stays the system of record.

A Milvus query crosses a process boundary and searches there; a faiss index in the serving
process answers in memory, without the round trip (measurements: docs/benchmarks.md, Design
decisions, app/vectors/hot_index.py). :class:`HotIndex` is rebuilt from
Milvus (:meth:`HotIndex.rebuild_from`) and kept in step by listening to the store's writes,
applied only after Milvus accepted them, so the index is never ahead of the record.

Below ``exact_below`` vectors the index is exact (a numpy matrix product); above it, an
IVF-flat index (faiss) probing ``nprobe`` of its lists. IVF rather than HNSW because an
upsert must replace a vector: IVF removes ids in place, HNSW cannot remove at all; and an IVF
index builds far faster than HNSW, which matters for a rebuild.

Threading: search and small upserts run on the caller's thread (sub-millisecond CPU work);
a rebuild builds a new state on a worker thread and swaps it in, replaying writes that arrived
meanwhile, so searches keep answering during a rebuild.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import faiss as _faiss_typed
import numpy as np
import numpy.typing as npt

from app.vectors.buffer import Row

if TYPE_CHECKING:
    from app.vectors.store import VectorStore

# The faiss stubs do not know the SWIG signatures (remove_ids(ndarray), DirectMap, ...).
faiss: Any = _faiss_typed
# One query probes a few lists: OpenMP threads only add hand-offs and spin-waits that compete
# with the event loop (measurements: docs/benchmarks.md, Design decisions,
# app/vectors/hot_index.py).
faiss.omp_set_num_threads(1)

Array = npt.NDArray[np.float32]
_FILTERS = ("category", "in_stock", "price_band")


class _State:
    """Vectors by row ("label"), their metadata and, above the threshold, an IVF index."""

    def __init__(self, dim: int, capacity: int = 1024) -> None:
        self.dim = dim
        self.vectors = np.zeros((capacity, dim), dtype=np.float32)
        self.alive = np.zeros(capacity, dtype=bool)
        self.meta: dict[str, npt.NDArray[np.int32]] = {
            f: np.full(capacity, -1, dtype=np.int32) for f in _FILTERS
        }
        self.codes: dict[str, dict[Any, int]] = {f: {} for f in _FILTERS}
        self.label: dict[str, int] = {}
        self.ids: list[str] = []
        self.ivf: Any = None
        self.nprobe = 1

    def _grow(self, need: int) -> None:
        cap = self.vectors.shape[0]
        if need <= cap:
            return
        new = max(need, cap * 2)
        self.vectors = np.resize(self.vectors, (new, self.dim))
        self.alive = np.concatenate([self.alive, np.zeros(new - cap, dtype=bool)])
        for f in _FILTERS:
            self.meta[f] = np.concatenate([self.meta[f], np.full(new - cap, -1, dtype=np.int32)])

    def put(self, ids: Sequence[str], vectors: Array, meta: Sequence[Mapping[str, Any]]) -> None:
        labels = np.empty(len(ids), dtype=np.int64)
        for n, i in enumerate(ids):
            label = self.label.get(i)
            if label is None:
                label = self.label[i] = len(self.ids)
                self.ids.append(i)
            labels[n] = label
        self._grow(len(self.ids))
        self.vectors[labels] = vectors
        self.alive[labels] = True
        for f in _FILTERS:
            codes = self.codes[f]
            self.meta[f][labels] = [codes.setdefault(m.get(f), len(codes)) for m in meta]
        if self.ivf is not None:
            self.ivf.remove_ids(labels)
            self.ivf.add_with_ids(vectors, labels)

    def remove(self, ids: Sequence[str]) -> None:
        labels = np.array([self.label[i] for i in ids if i in self.label], dtype=np.int64)
        self.alive[labels] = False
        if self.ivf is not None and len(labels):
            self.ivf.remove_ids(labels)

    def index(self, exact_below: int, probe_fraction: float) -> None:
        """Build the IVF index when there are enough vectors for it to pay."""
        live = np.flatnonzero(self.alive[: len(self.ids)])
        if len(live) < exact_below:
            self.ivf = None
            return
        nlist = max(1, int(math.sqrt(len(live))))
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample = live if len(live) <= 40 * nlist else rng.choice(live, 40 * nlist, replace=False)
        ivf.train(self.vectors[sample])
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)
        ivf.add_with_ids(self.vectors[live], live.astype(np.int64))
        self.nprobe = max(1, math.ceil(nlist * probe_fraction))
        self.ivf = ivf

    def mask(self, filters: Mapping[str, Any]) -> npt.NDArray[np.bool_] | None:
        if not filters:
            return None
        m = self.alive[: len(self.ids)].copy()
        for f, value in filters.items():
            code = self.codes[f].get(value)
            if code is None:
                return np.zeros_like(m)
            m &= self.meta[f][: len(self.ids)] == code
        return m

    def search(self, q: Array, k: int, filters: Mapping[str, Any]) -> list[tuple[str, float]]:
        n = len(self.ids)
        mask = self.mask(filters)
        if n == 0 or (mask is not None and not mask.any()):
            return []
        if self.ivf is None:
            scores = self.vectors[:n] @ q
            scores[~(self.alive[:n] if mask is None else mask)] = -np.inf
            k = min(k, n)
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top])]
            return [(self.ids[t], float(scores[t])) for t in top if np.isfinite(scores[t])]
        params = faiss.SearchParametersIVF(nprobe=self.nprobe)
        if mask is not None:
            bits = np.packbits(mask, bitorder="little")
            params.sel = faiss.IDSelectorBitmap(n, faiss.swig_ptr(bits))
        dist, labels = self.ivf.search(q.reshape(1, -1), k, params=params)
        return [(self.ids[t], float(d)) for d, t in zip(dist[0], labels[0], strict=True) if t >= 0]


class HotIndex:
    """Top-k inner-product search over one collection, in process."""

    def __init__(
        self, dim: int, *, exact_below: int = 20_000, probe_fraction: float = 0.03
    ) -> None:
        self.dim = dim
        self.exact_below = exact_below
        self.probe_fraction = probe_fraction
        self.source: str | None = None  # the physical collection it was built from
        self._state = _State(dim)
        self._replay: list[tuple[str, Any]] | None = None

    def __len__(self) -> int:
        s = self._state
        return int(s.alive[: len(s.ids)].sum())

    @property
    def approximate(self) -> bool:
        return self._state.ivf is not None

    def upsert(
        self,
        ids: Sequence[str],
        vectors: npt.ArrayLike,
        meta: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        vecs = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        metas = meta if meta is not None else [{}] * len(ids)
        self._state.put(ids, vecs, metas)
        if self._replay is not None:
            self._replay.append(("put", (list(ids), vecs, list(metas))))

    def remove(self, ids: Sequence[str]) -> None:
        self._state.remove(ids)
        if self._replay is not None:
            self._replay.append(("remove", list(ids)))

    def search(self, vector: npt.ArrayLike, k: int = 10, **filters: Any) -> list[tuple[str, float]]:
        """Top ``k`` (id, score); ``filters``: ``category``, ``in_stock``, ``price_band``."""
        unknown = set(filters) - set(_FILTERS)
        if unknown:
            raise ValueError(f"unknown filter(s) {sorted(unknown)}; use {', '.join(_FILTERS)}")
        active = {f: v for f, v in filters.items() if v is not None}
        q = np.ascontiguousarray(vector, dtype=np.float32).reshape(self.dim)
        return self._state.search(q, k, active)

    def build(
        self,
        ids: Sequence[str],
        vectors: npt.ArrayLike,
        meta: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """Replace the contents (CPU-bound: call from a worker thread for large inputs)."""
        state = _State(self.dim, max(1024, len(ids)))
        vecs = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        state.put(ids, vecs, meta if meta is not None else [{}] * len(ids))
        state.index(self.exact_below, self.probe_fraction)
        self._state = state

    # -- staying in step with Milvus --------------------------------------------------------

    def written(self, kind: str, collection: str, via_alias: bool, rows: Sequence[Row]) -> None:
        """:class:`~app.vectors.store.WriteListener`: apply rows Milvus accepted."""
        if self.source is None or not (via_alias or collection == self.source):
            return
        self.upsert(
            [r["id"] for r in rows],
            np.array([r["vector"] for r in rows], dtype=np.float32),
            [{f: r.get(f) for f in _FILTERS} for r in rows],
        )

    async def rebuild_from(
        self, store: VectorStore, kind: str, *, version: str | None = None
    ) -> int:
        """Load every vector of ``kind`` from Milvus and swap the index in; returns the count."""
        source = await store.collection(kind, version)
        fields = ["id", "vector", *(_FILTERS if store.specs[kind].filtered else ())]
        self._replay = []
        try:
            ids: list[str] = []
            chunks: list[Array] = []
            metas: list[dict[str, Any]] = []
            async for rows in store.scan(kind, version=version, fields=fields):
                ids.extend(r["id"] for r in rows)
                chunks.append(np.array([r["vector"] for r in rows], dtype=np.float32))
                metas.extend({f: r.get(f) for f in _FILTERS} for r in rows)
            vectors = np.concatenate(chunks) if chunks else np.zeros((0, self.dim), np.float32)
            fresh = HotIndex(
                self.dim, exact_below=self.exact_below, probe_fraction=self.probe_fraction
            )
            await asyncio.get_running_loop().run_in_executor(None, fresh.build, ids, vectors, metas)
            replay, self._replay = self._replay, None
            for op, args in replay:
                if op == "put":
                    fresh._state.put(*args)
                else:
                    fresh._state.remove(args)
            self._state = fresh._state
            self.source = source
            return len(ids)
        finally:
            self._replay = None

    async def follow(self, store: VectorStore, kind: str) -> bool:
        """Rebuild when the alias moved (a promote or rollback); True when it did."""
        live = await store.resolve(store.names.alias(kind))
        if live is None or live == self.source:
            return False
        await self.rebuild_from(store, kind)
        return True
