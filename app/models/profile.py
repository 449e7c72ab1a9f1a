"""User profiles and consent (``consent.changes``); users appear only as HMAC pseudonyms."""

import enum
from datetime import datetime

from app.models.base import ContractRecord


class ConsentPurpose(enum.StrEnum):
    ANALYTICS = "analytics"
    PERSONALIZATION = "personalization"
    MARKETING = "marketing"


class UserProfile(ContractRecord):
    """``avro/UserProfile.avsc``."""

    user_key: str
    updated_at: datetime
    segments: list[str] = []
    category_affinity: dict[str, float] = {}
    brand_affinity: dict[str, float] = {}
    price_band: str | None = None
    recent_items: list[str] = []
    purchased_items: list[str] = []


class ConsentChange(ContractRecord, coercions={ConsentPurpose: ConsentPurpose}):
    """``avro/ConsentChange.avsc``."""

    user_key: str
    purpose: ConsentPurpose
    granted: bool
    changed_at: datetime
    source: str
