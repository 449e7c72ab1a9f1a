"""Ranked product lists sent to the storefront (``action.recommendations``)."""

from datetime import datetime

from app.models.base import ContractRecord


class RecommendedItem(ContractRecord):
    """``io.headwater.RecommendedItem``: ``contributions`` maps a generator to its score share."""

    product_id: str
    score: float
    rank: int
    explanation: str
    contributions: dict[str, float] = {}


class Recommendation(ContractRecord):
    """``avro/Recommendation.avsc``; ``personalized`` is False for non-personal fallbacks."""

    recommendation_id: str
    user_key: str
    generated_at: datetime
    items: list[RecommendedItem]
    personalized: bool
    context: str | None = None
    experiment_id: str | None = None
    variant: str | None = None
    model_versions: dict[str, str] = {}
    trigger_event_id: str | None = None
