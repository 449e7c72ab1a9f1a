"""The decoded records the stages work on, as TypedDicts.

Stage code decodes each topic into plain dicts (:mod:`app.wire.codecs`), faster than building
Records; these types say what those dicts hold. Each mirrors a Record of this package, field
for field, with Avro enums as their ``str`` values and nested Records as their dict mirrors;
:func:`app.models.conformance.dict_mismatches` checks that, and the Records are checked
against ``avro/``, so a contract change that the stage types miss fails the contract test.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TypedDict


class LineItemDict(TypedDict):
    """:class:`app.models.common.LineItem`."""

    product_id: str
    quantity: int
    unit_price: Decimal


class RawEventDict(TypedDict, total=False):
    """Any raw family's event (the four raw contracts; each family holds a subset)."""

    event_id: str
    event_type: str
    occurred_at: datetime
    anonymous_id: str
    session_id: str | None
    user_id: str | None
    url: str | None
    referrer: str | None
    landing_url: str | None
    product_id: str | None
    quantity: int | None
    price: Decimal | None
    currency: str | None
    query: str | None
    user_agent: str | None
    ip: str | None
    device: str | None
    country: str | None
    properties: dict[str, str]
    order_id: str | None
    items: list[LineItemDict]
    total: Decimal | None
    email: str | None
    method: str | None
    success: bool


class CleanedDict(TypedDict):
    """:class:`app.models.cleaned.CleanedEvent` (every ``cleaned.*`` topic)."""

    event_id: str
    family: str
    event_type: str
    occurred_at: datetime
    received_at: datetime
    user_key: str
    is_authenticated: bool
    session_id: str | None
    product_id: str | None
    quantity: int | None
    price: Decimal | None
    currency: str | None
    items: list[LineItemDict]
    order_id: str | None
    query: str | None
    url: str | None
    device: str | None
    country: str | None
    ip_prefix: str | None
    user_agent_family: str | None
    bot_score: float
    is_bot: bool
    consent_analytics: bool
    consent_personalization: bool
    pii_masked: list[str]


class EnrichedDict(CleanedDict):
    """:class:`app.models.enriched.EnrichedEvent` (``enriched.events``)."""

    category_path: str | None
    brand: str | None
    list_price: Decimal | None
    in_stock: bool | None
    profile_segments: list[str]
    top_categories: list[str]
