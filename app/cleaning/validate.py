"""Semantic checks that an Avro schema cannot express."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.cleaning.errors import InvalidEvent
from app.wire.families import FAMILIES

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")

#: Event types that must name a product.
NEEDS_PRODUCT = frozenset({"product_view", "add_to_cart", "remove_from_cart", "wishlist_add"})


def check_event(
    family: str,
    event: Mapping[str, Any],
    *,
    now: datetime,
    max_age: timedelta,
    max_skew: timedelta,
) -> None:
    """Raise :class:`InvalidEvent` naming the field when ``event`` breaks a rule."""
    kind = event.get("event_type")
    if kind not in FAMILIES[family].event_types:
        raise InvalidEvent("unknown_event_type", f"event_type {kind!r} is not a {family} event")
    occurred = event.get("occurred_at")
    if not isinstance(occurred, datetime):
        raise InvalidEvent("bad_time", "occurred_at is missing or not a timestamp")
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    if occurred > now + max_skew:
        raise InvalidEvent("future_time", f"occurred_at {occurred.isoformat()} is in the future")
    if occurred < now - max_age:
        raise InvalidEvent("too_old", f"occurred_at {occurred.isoformat()} is older than {max_age}")
    for field in ("anonymous_id", "session_id", "user_id", "product_id", "order_id"):
        value = event.get(field)
        if value is not None and not _ID.match(str(value)):
            raise InvalidEvent("bad_id", f"{field} {str(value)[:40]!r} is not a well-formed id")
    if not event.get("anonymous_id") and not event.get("user_id"):
        raise InvalidEvent("bad_id", "either user_id or anonymous_id is required")
    if kind in NEEDS_PRODUCT and not event.get("product_id"):
        raise InvalidEvent("missing_product", f"{kind} needs a product_id")
    _non_negative(event.get("price"), "price")
    _non_negative(event.get("total"), "total")
    quantity = event.get("quantity")
    if quantity is not None and quantity < 0:
        raise InvalidEvent("negative_quantity", f"quantity {quantity} is negative")
    for i, item in enumerate(event.get("items") or ()):
        if item.get("quantity", 0) <= 0:
            raise InvalidEvent("negative_quantity", f"items[{i}].quantity must be positive")
        _non_negative(item.get("unit_price"), f"items[{i}].unit_price")
        if not _ID.match(str(item.get("product_id", ""))):
            raise InvalidEvent("bad_id", f"items[{i}].product_id is not a well-formed id")
    currency = event.get("currency")
    if currency is not None and not _CURRENCY.match(currency):
        raise InvalidEvent("bad_currency", f"currency {currency!r} is not an ISO-4217 code")
    country = event.get("country")
    if country is not None and not _COUNTRY.match(country):
        raise InvalidEvent("bad_country", f"country {country!r} is not an ISO-3166 code")


def _non_negative(value: Decimal | float | None, field: str) -> None:
    if value is not None and value < 0:
        raise InvalidEvent("negative_amount", f"{field} {value} is negative")
