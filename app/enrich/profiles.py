"""Behavioural profiles: category and brand affinities with time decay, price band, recent and
purchased items. A value of ``tables.profiles``; a plain dict so it serializes as JSON."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from app.models.dicts import CleanedDict

HALF_LIFE_MS = 14 * 24 * 3600 * 1000
WEIGHTS = {"product_view": 1.0, "add_to_cart": 3.0, "wishlist_add": 2.0, "order": 5.0}
RECENT_KEPT = 20
PURCHASED_KEPT = 100
BANDS = ((Decimal(50), "budget"), (Decimal(150), "mid"), (Decimal(300), "premium"))


def price_band(mean: float) -> str:
    for limit, name in BANDS:
        if mean < limit:
            return name
    return "luxury"


def _decay(scores: dict[str, float], elapsed_ms: int) -> None:
    if elapsed_ms <= 0:
        return
    factor = math.pow(0.5, elapsed_ms / HALF_LIFE_MS)
    for key in list(scores):
        scores[key] *= factor
        if scores[key] < 1e-3:
            del scores[key]


def categories_of(path: str | None) -> list[str]:
    """'eyewear/sunglasses/aviator' → ['eyewear', 'eyewear/sunglasses']: two levels of interest."""
    if not path:
        return []
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/".join(parts[: i + 1]) for i in range(min(2, len(parts)))]


def apply_event(
    profile: dict[str, Any],
    event: CleanedDict,
    *,
    at_ms: int,
    products: dict[str, dict[str, Any]],
) -> None:
    """Fold one enriched event into the profile (``products``: id → category/brand/price)."""
    cats: dict[str, float] = profile.setdefault("category_affinity", {})
    brands: dict[str, float] = profile.setdefault("brand_affinity", {})
    updated = int(profile.get("updated_ms", at_ms))
    if at_ms > updated:
        _decay(cats, at_ms - updated)
        _decay(brands, at_ms - updated)
    profile["updated_ms"] = max(updated, at_ms)
    profile["events"] = int(profile.get("events", 0)) + 1
    kind = str(event.get("event_type"))
    weight = WEIGHTS.get(kind, 0.0)
    ids: list[str] = [str(event["product_id"])] if event.get("product_id") else []
    if kind == "order":
        ids = [i["product_id"] for i in event.get("items") or ()]
    for pid in ids:
        info = products.get(pid) or {}
        for cat in categories_of(info.get("category_path")):
            cats[cat] = cats.get(cat, 0.0) + weight
        if info.get("brand"):
            brands[info["brand"]] = brands.get(info["brand"], 0.0) + weight
        price = info.get("price")
        if price is not None and kind in ("product_view", "add_to_cart", "order"):
            profile["price_sum"] = float(profile.get("price_sum", 0.0)) + float(price)
            profile["price_n"] = int(profile.get("price_n", 0)) + 1
        if kind in ("product_view", "add_to_cart"):
            recent = profile.setdefault("recent_items", [])
            if pid in recent:
                recent.remove(pid)
            recent.append(pid)
            del recent[:-RECENT_KEPT]
        if kind == "order":
            bought = profile.setdefault("purchased_items", [])
            if pid not in bought:
                bought.append(pid)
                del bought[:-PURCHASED_KEPT]


def top_categories(profile: dict[str, Any], n: int = 3) -> list[str]:
    cats = profile.get("category_affinity") or {}
    return [c for c, _ in sorted(cats.items(), key=lambda kv: -kv[1])[:n]]


def segments(profile: dict[str, Any]) -> list[str]:
    out = []
    if profile.get("purchased_items"):
        out.append("buyer")
    elif int(profile.get("events", 0)) >= 5:
        out.append("browser")
    else:
        out.append("new")
    if profile.get("price_n"):
        out.append(f"price:{price_band(profile['price_sum'] / profile['price_n'])}")
    return out


def as_record(user_key: str, profile: dict[str, Any]) -> dict[str, Any]:
    """The UserProfile contract's shape (for the table view and exports)."""
    from datetime import UTC, datetime

    band = None
    if profile.get("price_n"):
        band = price_band(profile["price_sum"] / profile["price_n"])
    return {
        "user_key": user_key,
        "segments": segments(profile),
        "category_affinity": {
            k: round(v, 4) for k, v in profile.get("category_affinity", {}).items()
        },
        "brand_affinity": {k: round(v, 4) for k, v in profile.get("brand_affinity", {}).items()},
        "price_band": band,
        "recent_items": list(profile.get("recent_items", [])),
        "purchased_items": list(profile.get("purchased_items", [])),
        "updated_at": datetime.fromtimestamp(int(profile.get("updated_ms", 0)) / 1000, UTC),
    }
