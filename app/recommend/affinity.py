"""Personal affinity: items of the categories and brands the user's profile leans to.

The profile (built upstream from the user's history) gives ``category_affinity`` and
``brand_affinity`` weights. An item scores the best of its categories' weights plus its brand's
weight; within equal affinity, the more popular item comes first (``prior``), so that a user who
likes "Sunglasses" is shown good sunglasses, not arbitrary ones.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence

from app.recommend.model import Catalog, Context, Interaction

#: How many of the strongest categories and brands to expand per request (bounds the work).
TOP_FACETS = 5
PER_FACET = 200


class Affinity:
    name = "affinity"
    personal = True

    def __init__(self, catalog: Catalog, prior: Callable[[str], float] | None = None) -> None:
        self.catalog = catalog
        self.prior = prior
        # The best items of a facet depend only on the prior, which moves when the engine
        # observes events: users asked for between two updates share the answer instead of
        # re-ranking each facet per request (measurements: docs/benchmarks.md, Design
        # decisions, app/recommend/affinity.py).
        self._best_of: dict[tuple[str, str], frozenset[str]] = {}

    def update(self, interactions: Sequence[Interaction]) -> None:
        """Affinities live in the profile, which the profile stage maintains; the prior moved."""
        self._best_of.clear()

    def _score(self, ctx: Context, item_id: str) -> float:
        p = self.catalog.get(item_id)
        if p is None or ctx.profile is None:
            return 0.0
        cat = max((ctx.profile.category_affinity.get(c, 0.0) for c in p.category), default=0.0)
        brand = ctx.profile.brand_affinity.get(p.brand, 0.0) if p.brand else 0.0
        return cat + brand

    def candidates(self, ctx: Context, k: int) -> dict[str, float]:
        profile = ctx.profile
        if profile is None:
            return {}
        pool: set[str] = set()
        cats = heapq.nlargest(TOP_FACETS, profile.category_affinity.items(), key=lambda kv: kv[1])
        brands = heapq.nlargest(TOP_FACETS, profile.brand_affinity.items(), key=lambda kv: kv[1])
        for c, w in cats:
            if w > 0:
                pool |= self._best_cached("category", c)
        for b, w in brands:
            if w > 0:
                pool |= self._best_cached("brand", b)
        pool -= ctx.seen
        pool -= {i for i, _ in ctx.recent_items}
        if not pool:
            return {}
        prior = self.prior
        priors = {i: prior(i) for i in pool} if prior else {}
        top = max(priors.values()) if priors else 0.0
        cat_aff, brand_aff, get = (
            profile.category_affinity,
            profile.brand_affinity,
            self.catalog.get,
        )
        scored = {}
        for i in pool:
            p = get(i)
            if p is None:
                continue
            s = 0.0
            for c in p.category:
                w = cat_aff.get(c, 0.0)
                if w > s:
                    s = w
            if p.brand:
                s += brand_aff.get(p.brand, 0.0)
            if s <= 0:
                continue
            # A popularity tie-break worth at most 10% of one affinity unit.
            scored[i] = s + (0.1 * priors[i] / top if top > 0 else 0.0)
        return dict(heapq.nlargest(k, scored.items(), key=lambda kv: kv[1]))

    def _best_cached(self, facet: str, value: str) -> frozenset[str]:
        key = (facet, value)
        best = self._best_of.get(key)
        if best is None:
            items = (
                self.catalog.in_category(value)
                if facet == "category"
                else (self.catalog.of_brand(value))
            )
            best = self._best_of[key] = frozenset(self._best(items))
        return best

    def _best(self, items: set[str]) -> set[str]:
        if len(items) <= PER_FACET or self.prior is None:
            return set(items) if len(items) <= PER_FACET else set(sorted(items)[:PER_FACET])
        return set(heapq.nlargest(PER_FACET, items, key=self.prior))

    def explain(self, ctx: Context, item_id: str) -> str:
        p = self.catalog.get(item_id)
        if p is None or ctx.profile is None:
            return "matches your interests"
        cat = max(p.category, key=lambda c: ctx.profile.category_affinity.get(c, 0.0), default=None)  # type: ignore[union-attr]
        if p.brand and ctx.profile.brand_affinity.get(p.brand, 0.0) > (
            ctx.profile.category_affinity.get(cat, 0.0) if cat else 0.0
        ):
            return f"because you like {p.brand}"
        return f"because you like {cat}" if cat else "matches your interests"
