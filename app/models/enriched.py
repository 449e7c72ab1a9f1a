"""Cleaned events joined with catalog and profile data (``enriched.events``)."""

from decimal import Decimal

from app.models.cleaned import CleanedEvent, EventFamily


class EnrichedEvent(CleanedEvent, coercions={EventFamily: EventFamily}):
    """``avro/EnrichedEvent.avsc``: every CleanedEvent field plus the enrichment.

    A Python subclass (Faust Records inherit fields), while the .avsc repeats every field because
    Avro has no inheritance; the contract test keeps the two in step.
    """

    category_path: str | None = None
    brand: str | None = None
    list_price: Decimal | None = None
    in_stock: bool | None = None
    profile_segments: list[str] = []
    top_categories: list[str] = []
