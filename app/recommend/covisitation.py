"""Item-to-item co-visitation: items that the same user touched close together in time.

State per item is a plain dict ``{other item: decayed weight}`` (forward-decayed, see
:mod:`app.recommend.decay`), exported with :meth:`Covisitation.state_for` and restored with
:meth:`Covisitation.load_state`, so that the Faust agent can keep it in a changelogged table.
Each item keeps at most ``max_neighbors`` neighbours (the weakest go first): memory is bounded
by items x max_neighbors whatever the traffic.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from app.recommend.decay import Decay
from app.recommend.model import Context, Interaction


class Covisitation:
    name = "covisitation"
    personal = True

    def __init__(
        self,
        *,
        half_life: float = 14 * 86400.0,
        window: float = 3600.0,
        history: int = 20,
        max_neighbors: int = 200,
        recent: int = 10,
        fanout: int = 50,
    ) -> None:
        self.decay = Decay(half_life)
        self.window = window
        self.history = history
        self.max_neighbors = max_neighbors
        self.recent = recent
        #: Neighbours read per recent item when serving: bounds the request's work.
        self.fanout = fanout
        self._pairs: dict[str, dict[str, float]] = {}
        self._users: dict[str, deque[tuple[str, float]]] = {}

    # -- online update -------------------------------------------------------------------------
    def update(self, interactions: Sequence[Interaction]) -> None:
        for it in interactions:
            if self.decay.needs_rebase(it.ts):
                self._rebase(it.ts)
            past = self._users.setdefault(it.user_key, deque(maxlen=self.history))
            w = self.decay.forward(it.strength, it.ts)
            for other, ts in past:
                if other == it.item_id or it.ts - ts > self.window:
                    continue
                self._add(it.item_id, other, w)
                self._add(other, it.item_id, w)
            past.append((it.item_id, it.ts))

    def _add(self, a: str, b: str, w: float) -> None:
        row = self._pairs.setdefault(a, {})
        row[b] = row.get(b, 0.0) + w
        if len(row) > 2 * self.max_neighbors:
            # Prune in batches (to max_neighbors) so the cost is amortized over many updates.
            keep = heapq.nlargest(self.max_neighbors, row.items(), key=lambda kv: kv[1])
            self._pairs[a] = dict(keep)

    def _rebase(self, ts: float) -> None:
        factor = self.decay.rebase_factor(ts)
        for row in self._pairs.values():
            for b in row:
                row[b] *= factor

    # -- state for a Faust table ---------------------------------------------------------------
    def state_for(self, item_id: str) -> dict[str, Any]:
        return {"ref": self.decay.ref, "neighbors": dict(self._pairs.get(item_id, {}))}

    def load_state(self, item_id: str, state: Mapping[str, Any]) -> None:
        ref = state.get("ref")
        neighbors = {str(k): float(v) for k, v in dict(state.get("neighbors", {})).items()}
        if ref is not None and self.decay.ref is not None and ref != self.decay.ref:
            # Bring the restored row onto this process's reference time.
            scale = 2.0 ** ((float(ref) - self.decay.ref) / self.decay.half_life)
            neighbors = {k: v * scale for k, v in neighbors.items()}
        elif ref is not None and self.decay.ref is None:
            self.decay.ref = float(ref)
        self._pairs[item_id] = neighbors

    def neighbors(self, item_id: str, now: float, k: int = 10) -> list[tuple[str, float]]:
        row = self._pairs.get(item_id, {})
        top = heapq.nlargest(k, row.items(), key=lambda kv: kv[1])
        return [(b, self.decay.at(v, now)) for b, v in top]

    # -- serving -------------------------------------------------------------------------------
    def candidates(self, ctx: Context, k: int) -> dict[str, float]:
        recent = sorted(ctx.recent_items, key=lambda r: r[1], reverse=True)[: self.recent]
        if not recent:
            return {}
        seen = {i for i, _ in ctx.recent_items}
        scores: dict[str, float] = {}
        for rank, (src, _) in enumerate(recent):
            # The latest item counts most: what was just seen should move the list.
            pos = 1.0 / (1.0 + rank)
            row = self._pairs.get(src)
            if not row:
                continue
            top = heapq.nlargest(self.fanout, row.items(), key=lambda kv: kv[1])
            norm = top[0][1] if top else 1.0
            for b, v in top:
                if b in seen:
                    continue
                scores[b] = scores.get(b, 0.0) + pos * v / norm
        return dict(heapq.nlargest(k, scores.items(), key=lambda kv: kv[1]))

    def explain(self, ctx: Context, item_id: str) -> str:
        """Names the recent item that contributes most (recomputed: no per-request state)."""
        recent = sorted(ctx.recent_items, key=lambda r: r[1], reverse=True)[: self.recent]
        best, src = 0.0, None
        for rank, (r, _) in enumerate(recent):
            v = self._pairs.get(r, {}).get(item_id, 0.0) / (1.0 + rank)
            if v > best:
                best, src = v, r
        if src is None:
            return "viewed together with what you viewed"
        return f"viewed together with {src}"
