from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from app.cleaning.errors import InvalidEvent
from app.cleaning.validate import check_event

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def view(**over: Any) -> dict[str, Any]:
    ev = {
        "event_id": "e1",
        "event_type": "product_view",
        "occurred_at": NOW - timedelta(minutes=1),
        "anonymous_id": "anon-1",
        "session_id": "s-1",
        "product_id": "P1",
        "price": Decimal("9.99"),
        "currency": "USD",
    }
    ev.update(over)
    return ev


def check(ev: dict[str, Any], family: str = "clickstream") -> None:
    check_event(family, ev, now=NOW, max_age=timedelta(hours=72), max_skew=timedelta(minutes=5))


def test_a_good_event_passes() -> None:
    check(view())


@pytest.mark.parametrize(
    ("over", "reason", "field"),
    [
        ({"event_type": "teleport"}, "unknown_event_type", "event_type"),
        ({"occurred_at": NOW + timedelta(hours=1)}, "future_time", "occurred_at"),
        ({"occurred_at": NOW - timedelta(days=4)}, "too_old", "occurred_at"),
        ({"occurred_at": None}, "bad_time", "occurred_at"),
        ({"price": Decimal("-1")}, "negative_amount", "price"),
        ({"quantity": -2}, "negative_quantity", "quantity"),
        ({"product_id": "has spaces"}, "bad_id", "product_id"),
        ({"product_id": None}, "missing_product", "product_id"),
        ({"anonymous_id": None}, "bad_id", "anonymous_id"),
        ({"currency": "usd"}, "bad_currency", "currency"),
        ({"country": "USA"}, "bad_country", "country"),
    ],
)
def test_each_rule_names_its_field(over: dict[str, Any], reason: str, field: str) -> None:
    with pytest.raises(InvalidEvent) as info:
        check(view(**over))
    assert info.value.reason == reason
    assert field.split("_")[0] in str(info.value)


def test_a_session_event_is_not_a_clickstream_event() -> None:
    with pytest.raises(InvalidEvent, match="not a clickstream event"):
        check(view(event_type="session_start"))
    check(view(event_type="session_start", product_id=None), family="session")


def test_order_items_are_checked() -> None:
    order = view(
        event_type="order",
        product_id=None,
        items=[{"product_id": "P1", "quantity": 1, "unit_price": Decimal("-3")}],
    )
    with pytest.raises(InvalidEvent, match=r"items\[0\].unit_price"):
        check(order, family="conversion")
