"""Embedding vectors produced by the models (``embeddings.updates``)."""

import enum
from datetime import datetime

from app.models.base import ContractRecord


class EmbeddingEntity(enum.StrEnum):
    PRODUCT = "product"
    USER = "user"
    SESSION = "session"
    CONTENT = "content"


class EmbeddingUpdate(ContractRecord, coercions={EmbeddingEntity: EmbeddingEntity}):
    """``avro/EmbeddingUpdate.avsc``: ``vector`` travels as 32-bit floats (Avro ``float``)."""

    entity: EmbeddingEntity
    entity_id: str
    model_version: str
    vector: list[float]
    updated_at: datetime
