"""Raw event (decoded dict) → cleaned envelope (dict of the CleanedEvent contract).

Personal data never passes through: ids become keyed pseudonyms, IPs are truncated, e-mail
fields are dropped, free text arrives here already masked, user agents shrink to a family.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.cleaning.normalize import clean_str, normalize_code, normalize_url, user_agent_family
from app.privacy.pseudonym import truncate_ip

_CENT = Decimal("0.01")


def user_identity(raw: Mapping[str, Any]) -> tuple[str, bool]:
    """(clear identifier, is logged in): the user id when present, else the anonymous id."""
    user_id = clean_str(raw.get("user_id"))
    if user_id:
        return user_id, True
    return str(clean_str(raw.get("anonymous_id")) or ""), False


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(_CENT)


def to_cleaned(
    family: str,
    raw: Mapping[str, Any],
    *,
    pseudonymize: Callable[[str], str],
    masked_query: str | None,
    masked_entities: list[str],
    received_at: datetime,
    bot_score: float,
    is_bot: bool,
    consent: Mapping[str, bool],
) -> dict[str, Any]:
    identity, authenticated = user_identity(raw)
    items = [
        {
            "product_id": str(item["product_id"]).strip(),
            "quantity": int(item["quantity"]),
            "unit_price": _money(item["unit_price"]),
        }
        for item in raw.get("items") or ()
    ]
    return {
        "event_id": str(raw["event_id"]),
        "family": family,
        "event_type": str(raw["event_type"]).strip().lower(),
        "occurred_at": raw["occurred_at"],
        "received_at": received_at,
        "user_key": pseudonymize(identity),
        "is_authenticated": authenticated,
        "session_id": clean_str(raw.get("session_id")) or "",
        "product_id": clean_str(raw.get("product_id")),
        "quantity": raw.get("quantity"),
        "price": _money(raw.get("price")),
        "currency": normalize_code(raw.get("currency"), 3),
        "items": items,
        "order_id": clean_str(raw.get("order_id")),
        "query": clean_str(masked_query),
        "url": normalize_url(raw.get("url") or raw.get("landing_url")),
        "device": (clean_str(raw.get("device")) or "").lower() or None,
        "country": normalize_code(raw.get("country"), 2),
        "ip_prefix": truncate_ip(raw.get("ip")),
        "user_agent_family": user_agent_family(raw.get("user_agent")),
        "bot_score": float(round(bot_score, 4)),
        "is_bot": is_bot,
        "consent_analytics": consent.get("analytics", True),
        "consent_personalization": consent.get("personalization", True),
        "pii_masked": sorted(set(masked_entities)),
    }
