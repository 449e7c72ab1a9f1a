"""Personalization rules, applied after blending; the rule set is data (see rule_store.py).

Order: hard filters (in stock, already bought, prescription, price band), then flags (boost
multiplies, bury moves to the end), then the diversity cap, then pinned items take the first
places. Profile-based rules (already bought, prescription, the profile's price band) need the
user's personalization consent; without it they are skipped, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.recommend.ensemble import Scored
from app.recommend.errors import ConfigurationError
from app.recommend.model import Catalog, Context, Product


@dataclass(frozen=True)
class RuleSet:
    name: str = "default"
    version: int = 0
    in_stock_only: bool = True
    exclude_purchased: bool = True
    prescription_check: bool = True
    price_min: float | None = None
    price_max: float | None = None
    #: Use the profile's own price band (personal) when it has one.
    profile_price_band: bool = False
    max_per_category: int | None = None
    #: Depth of the category path the diversity cap counts on (0 = top level; -1 = leaf).
    category_level: int = -1
    pinned: tuple[str, ...] = ()
    boosted: Mapping[str, float] = field(default_factory=dict)
    buried: frozenset[str] = frozenset()

    @classmethod
    def from_config(
        cls, name: str, version: int, config: Mapping[str, Any], flags: list[tuple[str, str, float]]
    ) -> RuleSet:
        """Build from a ``config`` mapping and (item, action, value) flag rows."""
        known = {
            "in_stock_only", "exclude_purchased", "prescription_check", "price_min",
            "price_max", "profile_price_band", "max_per_category", "category_level",
        }  # fmt: skip
        unknown = set(config) - known
        if unknown:
            raise ConfigurationError(
                f"Rule set {name!r} has unknown settings {sorted(unknown)}; known: {sorted(known)}"
            )
        pinned = [(v, i) for i, a, v in flags if a == "pin"]
        boosted = {i: float(v) for i, a, v in flags if a == "boost"}
        buried = frozenset(i for i, a, _ in flags if a == "bury")
        bad = {a for _, a, _ in flags} - {"pin", "boost", "bury"}
        if bad:
            raise ConfigurationError(f"Rule set {name!r} has unknown flag actions {sorted(bad)}")
        return cls(
            name=name,
            version=version,
            pinned=tuple(i for _, i in sorted(pinned)),
            boosted=boosted,
            buried=buried,
            **dict(config),
        )


def _price_ok(p: Product, low: float | None, high: float | None) -> bool:
    if p.price is None:
        return low is None and high is None
    return (low is None or p.price >= low) and (high is None or p.price <= high)


def allowed(rules: RuleSet, ctx: Context, item_id: str, catalog: Catalog) -> bool:
    """The hard filters, for one item."""
    p = catalog.get(item_id)
    if p is None:
        # Unknown to the catalog: cannot check stock or prescription, so never show it.
        return False
    if rules.in_stock_only and not p.in_stock:
        return False
    if not _price_ok(p, rules.price_min, rules.price_max):
        return False
    if not ctx.consent_personalization:
        return True
    if rules.exclude_purchased and item_id in ctx.purchased:
        return False
    if rules.prescription_check and p.prescription is not None and ctx.prescription is not None:
        low, high = p.prescription
        if not low <= ctx.prescription <= high:
            return False
    band = ctx.profile.price_band if ctx.profile is not None else None
    return not (rules.profile_price_band and band is not None and not _price_ok(p, *band))


def _category_key(p: Product | None, level: int) -> str | None:
    if p is None or not p.category:
        return None
    try:
        return p.category[level]
    except IndexError:
        return p.category[-1]


def apply(
    rules: RuleSet, ctx: Context, ranked: list[Scored], catalog: Catalog, k: int
) -> list[Scored]:
    """The final list of at most ``k`` items."""
    rows = [r for r in ranked if allowed(rules, ctx, r.item_id, catalog)]
    for r in rows:
        factor = rules.boosted.get(r.item_id)
        if factor is not None:
            r.contributions = {g: c * factor for g, c in r.contributions.items()}
            r.score *= factor
    rows.sort(key=lambda r: (r.item_id in rules.buried, -r.score, r.item_id))
    pinned = [i for i in rules.pinned if i not in ctx.seen and allowed(rules, ctx, i, catalog)][:k]
    taken = set(pinned)
    out: list[Scored] = []
    for i in pinned:
        prior = next((r for r in rows if r.item_id == i), None)
        out.append(prior or Scored(i, 0.0, {}, "featured"))
    per_cat: dict[str | None, int] = {}
    cap = rules.max_per_category
    for p_item in out:
        key = _category_key(catalog.get(p_item.item_id), rules.category_level)
        per_cat[key] = per_cat.get(key, 0) + 1
    for r in rows:
        if len(out) >= k:
            break
        if r.item_id in taken:
            continue
        key = _category_key(catalog.get(r.item_id), rules.category_level)
        if cap is not None and key is not None and per_cat.get(key, 0) >= cap:
            continue
        per_cat[key] = per_cat.get(key, 0) + 1
        out.append(r)
    return out
