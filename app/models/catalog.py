"""Catalog master data and the change feed of the catalog database (``catalog.changes``)."""

import enum
from datetime import datetime
from decimal import Decimal

from app.models.base import ContractRecord


class ProductStatus(enum.StrEnum):
    ACTIVE = "active"
    DISCONTINUED = "discontinued"
    DRAFT = "draft"


class MediaKind(enum.StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    DOCUMENT = "document"


class ChangeOp(enum.StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


class Product(ContractRecord, coercions={ProductStatus: ProductStatus}):
    """``avro/Product.avsc``."""

    product_id: str
    sku: str
    title: str
    category_path: str
    status: ProductStatus
    updated_at: datetime
    description: str | None = None
    brand: str | None = None
    attributes: dict[str, str] = {}


class Inventory(ContractRecord):
    """``avro/Inventory.avsc``: stock of one SKU at one location."""

    sku: str
    location: str
    on_hand: int
    reserved: int
    updated_at: datetime


class Price(ContractRecord):
    """``avro/Price.avsc``: ``valid_to`` is None while the price is current."""

    sku: str
    amount: Decimal
    currency: str
    valid_from: datetime
    updated_at: datetime
    valid_to: datetime | None = None


class TaxonomyNode(ContractRecord):
    """``avro/TaxonomyNode.avsc``: ``parent_id`` is None for a root."""

    node_id: str
    name: str
    path: str
    parent_id: str | None = None


class MediaAsset(ContractRecord, coercions={MediaKind: MediaKind}):
    """``avro/MediaAsset.avsc``."""

    asset_id: str
    product_id: str
    url: str
    kind: MediaKind
    position: int


class CatalogChange(ContractRecord, coercions={ChangeOp: ChangeOp}):
    """``avro/CatalogChange.avsc``: one committed row change from the outbox.

    ``payload`` is the JSON of the new row (None for a delete); ``txid`` orders changes.
    """

    change_id: str
    entity: str
    entity_id: str
    op: ChangeOp
    changed_at: datetime
    txid: int
    payload: str | None = None
