"""Vector similarity: the session (or user) embedding against the product vectors.

The search function is injected: the worker passes the hot faiss index
(``app.vectors.hot_index.HotIndex.search``), tests pass a numpy dot product. The session vector
is ``ctx.embedding`` when the caller has one, else the recency-weighted mean of the recent
items' vectors (``item_vector``), normalized.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from app.recommend.model import Context, Interaction

Search = Callable[[npt.NDArray[np.float32], int], list[tuple[str, float]]]
ItemVector = Callable[[str], "npt.NDArray[np.float32] | None"]


class VectorSimilarity:
    name = "vector"
    personal = True

    def __init__(self, search: Search, item_vector: ItemVector | None = None, recent: int = 10):
        self.search = search
        self.item_vector = item_vector
        self.recent = recent

    def update(self, interactions: Sequence[Interaction]) -> None:
        """Product vectors are maintained by app/vectors; nothing to count here."""

    def session_vector(self, ctx: Context) -> npt.NDArray[np.float32] | None:
        if ctx.embedding is not None:
            v = np.asarray(ctx.embedding, dtype=np.float32)
        else:
            if self.item_vector is None:
                return None
            recent = sorted(ctx.recent_items, key=lambda r: r[1], reverse=True)[: self.recent]
            acc: npt.NDArray[np.float32] | None = None
            for rank, (item, _) in enumerate(recent):
                iv = self.item_vector(item)
                if iv is None:
                    continue
                w = np.float32(1.0 / (1.0 + rank))
                acc = iv * w if acc is None else acc + iv * w
            if acc is None:
                return None
            v = acc.astype(np.float32)
        n = float(np.linalg.norm(v))
        return None if n == 0.0 else v / n

    def candidates(self, ctx: Context, k: int) -> dict[str, float]:
        v = self.session_vector(ctx)
        if v is None:
            return {}
        exclude = ctx.seen | {i for i, _ in ctx.recent_items}
        hits = self.search(v, k + len(exclude))
        out = {i: float(s) for i, s in hits if i not in exclude}
        return dict(list(out.items())[:k])

    def explain(self, ctx: Context, item_id: str) -> str:
        return "similar to what you viewed"
