"""Enriched events → the engine's interactions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.recommend.model import Interaction

KINDS = {"product_view": "view", "add_to_cart": "cart", "wishlist_add": "cart", "order": "order"}


def to_interactions(events: Iterable[Mapping[str, Any]]) -> list[Interaction]:
    out: list[Interaction] = []
    for e in events:
        kind = KINDS.get(str(e.get("event_type")))
        if kind is None:
            continue
        ts = e["occurred_at"].timestamp()
        if kind == "order":
            out.extend(
                Interaction(e["user_key"], str(i["product_id"]), kind, ts)
                for i in e.get("items") or ()
            )
        elif e.get("product_id"):
            out.append(Interaction(e["user_key"], str(e["product_id"]), kind, ts))
    return out
