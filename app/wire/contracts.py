"""Which contract each topic carries: the one mapping topic → Record → subject.

The stages' codecs (:mod:`app.wire.codecs`) and ``faust -A app schemas`` both read
:data:`TOPIC_CONTRACTS`. Subjects follow Confluent's TopicNameStrategy: ``<topic>-value``, with
the topic's full name (``TOPIC_PREFIX`` included), so a test or staging prefix gets its own
subjects. Keys are plain strings and have no subject.
"""

from __future__ import annotations

import faust

from app.models import (
    CatalogChange,
    CleanedEvent,
    ConsentChange,
    DeadLetter,
    EmbeddingUpdate,
    EnrichedEvent,
    Recommendation,
    SessionSummary,
)
from app.serialization.codec import avro_codec
from app.wire.families import FAMILIES
from app.wire.topics import (
    BOTS,
    CATALOG_CHANGES,
    CONSENT,
    DLQ,
    ENRICHED,
    ENRICHED_SESSIONS,
    RECOMMENDATIONS,
)

#: Topic name (without ``TOPIC_PREFIX``) → the Record its values carry.
TOPIC_CONTRACTS: dict[str, type[faust.Record]] = {
    **{f.raw_topic: f.record for f in FAMILIES.values()},
    **{f.cleaned_topic: CleanedEvent for f in FAMILIES.values()},
    BOTS: CleanedEvent,
    ENRICHED: EnrichedEvent,
    ENRICHED_SESSIONS: SessionSummary,
    DLQ: DeadLetter,
    CATALOG_CHANGES: CatalogChange,
    CONSENT: ConsentChange,
    "embeddings.updates": EmbeddingUpdate,
    RECOMMENDATIONS: Recommendation,
}


def value_subject(full_topic: str) -> str:
    """TopicNameStrategy: the value subject of a topic (its full, prefixed name)."""
    return f"{full_topic}-value"


def subjects(prefix: str | None = None) -> dict[str, type[faust.Record]]:
    """Value subject → Record for every topic, with ``prefix`` (default: TOPIC_PREFIX)."""
    if prefix is None:
        from app.settings import get_settings

        prefix = get_settings().topic_prefix
    return {value_subject(f"{prefix}{topic}"): rec for topic, rec in TOPIC_CONTRACTS.items()}


def value_codec(topic: str, prefix: str | None = None) -> str:
    """The Faust codec name for ``topic``'s values (``topic`` without the prefix)::

    app.topic(settings.topic(t), value_type=TOPIC_CONTRACTS[t], value_serializer=value_codec(t))
    """
    try:
        record = TOPIC_CONTRACTS[topic]
    except KeyError:
        raise KeyError(
            f"Topic {topic!r} has no contract: add it to app.wire.contracts.TOPIC_CONTRACTS"
        ) from None
    if prefix is None:
        from app.settings import get_settings

        prefix = get_settings().topic_prefix
    return avro_codec(value_subject(f"{prefix}{topic}"), record)
