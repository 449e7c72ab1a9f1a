"""Faust Records mirroring the Avro contracts in ``avro/``.

:data:`CONTRACTS` is the one link between a Record and its ``.avsc`` file; the contract test
fails when a Record and its file disagree, or when either has no partner. Nested records
(:class:`LineItem`, :class:`RecommendedItem`) are defined inline in each contract that uses
them and are checked through their parent.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

import faust

from app.models.catalog import (
    CatalogChange,
    ChangeOp,
    Inventory,
    MediaAsset,
    MediaKind,
    Price,
    Product,
    ProductStatus,
    TaxonomyNode,
)
from app.models.cleaned import CleanedEvent, EventFamily
from app.models.common import LineItem
from app.models.dlq import DeadLetter
from app.models.enriched import EnrichedEvent
from app.models.profile import ConsentChange, ConsentPurpose, UserProfile
from app.models.raw import (
    AuthEvent,
    AuthEventType,
    ClickstreamEvent,
    ClickstreamEventType,
    ConversionEvent,
    ConversionEventType,
    SessionEvent,
    SessionEventType,
)
from app.models.recommendation import Recommendation, RecommendedItem
from app.models.session import SessionSummary
from app.models.vectors import EmbeddingEntity, EmbeddingUpdate

AVRO_DIR = Path(__file__).resolve().parents[2] / "avro"

#: Record → name of its contract file in ``avro/`` (without ``.avsc``).
CONTRACTS: dict[type[faust.Record], str] = {
    ClickstreamEvent: "ClickstreamEvent",
    SessionEvent: "SessionEvent",
    ConversionEvent: "ConversionEvent",
    AuthEvent: "AuthEvent",
    CleanedEvent: "CleanedEvent",
    EnrichedEvent: "EnrichedEvent",
    DeadLetter: "DeadLetter",
    Product: "Product",
    Inventory: "Inventory",
    Price: "Price",
    TaxonomyNode: "TaxonomyNode",
    MediaAsset: "MediaAsset",
    CatalogChange: "CatalogChange",
    UserProfile: "UserProfile",
    ConsentChange: "ConsentChange",
    EmbeddingUpdate: "EmbeddingUpdate",
    Recommendation: "Recommendation",
    SessionSummary: "SessionSummary",
}


def contract_path(record: type[faust.Record]) -> Path:
    """The ``.avsc`` file of ``record``; raises KeyError naming the Record when it has none."""
    try:
        return AVRO_DIR / f"{CONTRACTS[record]}.avsc"
    except KeyError:
        raise KeyError(
            f"Record {record.__name__} has no contract: add it to app.models.CONTRACTS "
            "with the name of its avro/<Name>.avsc"
        ) from None


@cache
def _load(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load_contract(record: type[faust.Record]) -> dict[str, Any]:
    """The contract of ``record`` as a JSON object (a fresh copy: callers may mutate it)."""
    schema: dict[str, Any] = json.loads(_load(contract_path(record)))
    return schema


__all__ = [
    "AVRO_DIR",
    "CONTRACTS",
    "AuthEvent",
    "AuthEventType",
    "CatalogChange",
    "ChangeOp",
    "CleanedEvent",
    "ClickstreamEvent",
    "ClickstreamEventType",
    "ConsentChange",
    "ConsentPurpose",
    "ConversionEvent",
    "ConversionEventType",
    "DeadLetter",
    "EmbeddingEntity",
    "EmbeddingUpdate",
    "EnrichedEvent",
    "EventFamily",
    "Inventory",
    "LineItem",
    "MediaAsset",
    "MediaKind",
    "Price",
    "Product",
    "ProductStatus",
    "Recommendation",
    "RecommendedItem",
    "SessionEvent",
    "SessionEventType",
    "SessionSummary",
    "TaxonomyNode",
    "UserProfile",
    "contract_path",
    "load_contract",
]
