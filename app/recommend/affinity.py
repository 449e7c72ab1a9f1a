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

    def update(self, interactions: Sequence[Interaction]) -> None:
        """Affinities live in the profile, which the profile stage maintains."""

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
                pool |= self._best(self.catalog.in_category(c))
        for b, w in brands:
            if w > 0:
                pool |= self._best(self.catalog.of_brand(b))
        pool -= ctx.seen
        pool -= {i for i, _ in ctx.recent_items}
        prior = self.prior
        top = prior(max(pool, key=prior)) if prior and pool else 0.0
        scored = {}
        for i in pool:
            s = self._score(ctx, i)
            if s <= 0:
                continue
            # A popularity tie-break worth at most 10% of one affinity unit.
            scored[i] = s + (0.1 * prior(i) / top if prior and top > 0 else 0.0)
        return dict(heapq.nlargest(k, scored.items(), key=lambda kv: kv[1]))

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
