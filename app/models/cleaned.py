"""The one envelope of every event family after the cleaning stage (``cleaned.*`` topics)."""

import enum
from datetime import datetime
from decimal import Decimal

from app.models.base import ContractRecord
from app.models.common import LineItem


class EventFamily(enum.StrEnum):
    CLICKSTREAM = "clickstream"
    SESSION = "session"
    CONVERSION = "conversion"
    AUTH = "auth"


class CleanedEvent(ContractRecord, coercions={EventFamily: EventFamily}):
    """``avro/CleanedEvent.avsc``: no raw identifiers, IPs or e-mails; free text masked.

    ``event_type`` is a plain str holding a symbol of the family's enum (the envelope is shared
    by four families, so no single Avro enum fits).
    """

    event_id: str
    family: EventFamily
    event_type: str
    occurred_at: datetime
    received_at: datetime
    user_key: str
    is_authenticated: bool
    session_id: str | None = None
    product_id: str | None = None
    quantity: int | None = None
    price: Decimal | None = None
    currency: str | None = None
    items: list[LineItem] = []
    order_id: str | None = None
    query: str | None = None
    url: str | None = None
    device: str | None = None
    country: str | None = None
    ip_prefix: str | None = None
    user_agent_family: str | None = None
    bot_score: float = 0.0
    is_bot: bool = False
    consent_analytics: bool = True
    consent_personalization: bool = True
    pii_masked: list[str] = []
