"""Popularity (long half-life) and trending (short over long) from decayed counts per item.

Both counters are forward-decayed (:mod:`app.recommend.decay`), so the order of items does not
change with time and the top lists are cached and rebuilt at most every ``refresh`` seconds of
event time: serving is a dict copy, not a pass over the catalog. Non-personal: these are the
lists a user without consent or without history gets.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from app.recommend.decay import Decay
from app.recommend.model import Catalog, Context, Interaction

TOP = 1000


class Popularity:
    name = "popularity"
    personal = False

    def __init__(
        self,
        *,
        long_half_life: float = 7 * 86400.0,
        short_half_life: float = 3600.0 * 6,
        refresh: float = 1.0,
        catalog: Catalog | None = None,
    ) -> None:
        self.long = Decay(long_half_life)
        self.short = Decay(short_half_life)
        self.refresh = refresh
        self.catalog = catalog
        self._long: dict[str, float] = {}
        self._short: dict[str, float] = {}
        self._dirty = True
        self._built_at = float("-inf")
        self._last_ts = float("-inf")
        self._top: list[tuple[str, float]] = []
        self._by_category: dict[str, list[tuple[str, float]]] = {}
        self._trending: list[tuple[str, float]] = []

    def update(self, interactions: Sequence[Interaction]) -> None:
        for it in interactions:
            for decay, table in ((self.long, self._long), (self.short, self._short)):
                if decay.needs_rebase(it.ts):
                    f = decay.rebase_factor(it.ts)
                    for key in table:
                        table[key] *= f
                table[it.item_id] = table.get(it.item_id, 0.0) + decay.forward(it.strength, it.ts)
            self._last_ts = max(self._last_ts, it.ts)
        self._dirty = self._dirty or bool(interactions)

    def _build(self) -> None:
        if not self._dirty or self._last_ts - self._built_at < self.refresh:
            return
        self._top = heapq.nlargest(TOP, self._long.items(), key=lambda kv: kv[1])
        self._by_category = {}
        if self.catalog is not None:
            for item, v in self._top:
                p = self.catalog.get(item)
                for c in p.category if p else ():
                    self._by_category.setdefault(c, []).append((item, v))
        # Trending = short / long: rising items, with the long count as a prior so that one
        # event on an unknown item does not top the list. Both terms are taken at the same
        # instant, so the ratio's order is time-invariant too.
        s_now, l_now = self.short.at(1.0, self._last_ts), self.long.at(1.0, self._last_ts)
        prior = 2.0
        trend = (
            (i, (self._short.get(i, 0.0) * s_now) / (lv * l_now + prior))
            for i, lv in self._long.items()
        )
        self._trending = heapq.nlargest(TOP, trend, key=lambda kv: kv[1])
        self._dirty, self._built_at = False, self._last_ts

    def score(self, item_id: str) -> float:
        """The item's popularity in forward-decayed units (comparable between items only)."""
        return self._long.get(item_id, 0.0)

    def top(self, k: int, category: str | None = None) -> list[tuple[str, float]]:
        self._build()
        rows = self._top if category is None else self._by_category.get(category, [])
        return rows[:k]

    def trending(self, k: int) -> list[tuple[str, float]]:
        self._build()
        return self._trending[:k]

    def candidates(self, ctx: Context, k: int) -> dict[str, float]:
        rows = self.top(k + len(ctx.seen), ctx.context if ctx.context in self._cats() else None)
        return {i: v for i, v in rows if i not in ctx.seen}

    def _cats(self) -> dict[str, list[tuple[str, float]]]:
        self._build()
        return self._by_category

    def explain(self, ctx: Context, item_id: str) -> str:
        p = self.catalog.get(item_id) if self.catalog else None
        if p is not None and p.leaf:
            return f"popular in {ctx.context if ctx.context in p.category else p.leaf}"
        return "popular right now"


class Trending:
    """The trending list of a :class:`Popularity`, as its own generator (shared counts)."""

    name = "trending"
    personal = False

    def __init__(self, popularity: Popularity) -> None:
        self.popularity = popularity

    def update(self, interactions: Sequence[Interaction]) -> None:
        """Counting happens in the shared :class:`Popularity`; feed that one."""

    def candidates(self, ctx: Context, k: int) -> dict[str, float]:
        rows = self.popularity.trending(k + len(ctx.seen))
        return {i: v for i, v in rows if i not in ctx.seen and v > 0}

    def explain(self, ctx: Context, item_id: str) -> str:
        p = self.popularity.catalog.get(item_id) if self.popularity.catalog else None
        return f"trending in {p.leaf}" if p is not None and p.leaf else "trending now"
