"""Raw events as the ingest API accepts them: one record and one topic per family."""

import enum
from datetime import datetime
from decimal import Decimal

from app.models.base import ContractRecord
from app.models.common import LineItem


class ClickstreamEventType(enum.StrEnum):
    PAGE_VIEW = "page_view"
    PRODUCT_VIEW = "product_view"
    SEARCH = "search"
    ADD_TO_CART = "add_to_cart"
    REMOVE_FROM_CART = "remove_from_cart"
    WISHLIST_ADD = "wishlist_add"


class SessionEventType(enum.StrEnum):
    SESSION_START = "session_start"
    SESSION_END = "session_end"


class ConversionEventType(enum.StrEnum):
    CHECKOUT = "checkout"
    ORDER = "order"
    RETURN = "return"


class AuthEventType(enum.StrEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    FAILED_LOGIN = "failed_login"
    PASSWORD_RESET = "password_reset"


class ClickstreamEvent(ContractRecord, coercions={ClickstreamEventType: ClickstreamEventType}):
    """``avro/ClickstreamEvent.avsc``, topic ``raw.clickstream``."""

    event_id: str
    event_type: ClickstreamEventType
    occurred_at: datetime
    anonymous_id: str
    session_id: str
    user_id: str | None = None
    url: str | None = None
    referrer: str | None = None
    product_id: str | None = None
    quantity: int | None = None
    price: Decimal | None = None
    currency: str | None = None
    query: str | None = None
    user_agent: str | None = None
    ip: str | None = None
    device: str | None = None
    country: str | None = None
    properties: dict[str, str] = {}


class SessionEvent(ContractRecord, coercions={SessionEventType: SessionEventType}):
    """``avro/SessionEvent.avsc``, topic ``raw.sessions``."""

    event_id: str
    event_type: SessionEventType
    occurred_at: datetime
    anonymous_id: str
    session_id: str
    user_id: str | None = None
    landing_url: str | None = None
    user_agent: str | None = None
    ip: str | None = None
    device: str | None = None
    country: str | None = None


class ConversionEvent(ContractRecord, coercions={ConversionEventType: ConversionEventType}):
    """``avro/ConversionEvent.avsc``, topic ``raw.conversions``."""

    event_id: str
    event_type: ConversionEventType
    occurred_at: datetime
    anonymous_id: str
    session_id: str
    user_id: str | None = None
    order_id: str | None = None
    items: list[LineItem] = []
    total: Decimal | None = None
    currency: str | None = None
    email: str | None = None
    ip: str | None = None
    user_agent: str | None = None


class AuthEvent(ContractRecord, coercions={AuthEventType: AuthEventType}):
    """``avro/AuthEvent.avsc``, topic ``raw.auth``."""

    event_id: str
    event_type: AuthEventType
    occurred_at: datetime
    anonymous_id: str
    user_id: str | None = None
    session_id: str | None = None
    email: str | None = None
    method: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    success: bool = True
