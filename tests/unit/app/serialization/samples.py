"""Records with every kind of value a contract holds: enum, datetime, Decimal, nested records."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from app.models import (
    ConversionEvent,
    ConversionEventType,
    LineItem,
    Recommendation,
    RecommendedItem,
)

WHEN = datetime(2024, 5, 1, 12, 30, 1, 250000, tzinfo=UTC)


def conversion() -> ConversionEvent:
    return ConversionEvent(
        event_id="6a0c3b5e-1a52-4ac4-9d2a-0b0f2d6f8e11",
        event_type=ConversionEventType.ORDER,
        occurred_at=WHEN,
        anonymous_id="anon-1",
        session_id="s-1",
        user_id="u-1",
        order_id="o-1",
        items=[
            LineItem(product_id="p-1", quantity=2, unit_price=Decimal("19.90")),
            LineItem(product_id="p-2", quantity=1, unit_price=Decimal("5")),
        ],
        total=Decimal("44.80"),
        currency="EUR",
    )


def recommendation() -> Recommendation:
    return Recommendation(
        recommendation_id="0b8e4c1e-0f0a-4f53-a2a5-3f1f5b8a9c77",
        user_key="k-1",
        generated_at=WHEN,
        items=[
            RecommendedItem(
                product_id="p-9",
                score=0.75,
                rank=1,
                explanation="Bought together with p-1",
                contributions={"co_purchase": 0.6, "popular": 0.4},
            )
        ],
        personalized=True,
        model_versions={"ranker": "2024-05-01"},
    )
