"""Every topic of the pipeline, declared once. Names are ``TOPIC_PREFIX`` + ``<stage>.<domain>``.

Values travel in the Confluent wire format (Avro, schema registry). Stage code encodes and
decodes explicitly (:mod:`app.wire.codecs`) instead of letting Faust do it, so that a record that
fails to decode is dead-lettered with its original bytes instead of being skipped.
"""

from __future__ import annotations

from faust import TopicT

from app.core import app, settings

FAMILIES = ("clickstream", "session", "conversion", "auth")

#: Logical names (the part after the prefix); also the schema-registry subjects' stems.
RAW = {
    "clickstream": "raw.clickstream",
    "session": "raw.sessions",
    "conversion": "raw.conversions",
    "auth": "raw.auth",
}
CLEANED = {
    "clickstream": "cleaned.clickstream",
    "session": "cleaned.sessions",
    "conversion": "cleaned.conversions",
    "auth": "cleaned.auth",
}
BOTS = "cleaned.bots"
DLQ = "dlq.events"
ENRICHED = "enriched.events"
ENRICHED_SESSIONS = "enriched.sessions"
CONSENT = "consent.changes"
CATALOG_CHANGES = "catalog.changes"
RECOMMENDATIONS = "action.recommendations"
ERASURES = "gdpr.erasures"

_HOUR_MS = 3_600_000


_declared: list[TopicT] = []


def declared_topics() -> list[TopicT]:
    """Every topic declared here, for :func:`app.services.topic_admin.ensure_topics`."""
    return list(_declared)


def _topic(name: str, **config: str) -> TopicT:
    topic = app.topic(
        settings.topic(name),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.topic_partitions,
        replicas=settings.topic_replication_factor,
        config=config or None,
    )
    _declared.append(topic)
    return topic


raw_topics: dict[str, TopicT] = {family: _topic(name) for family, name in RAW.items()}
cleaned_topics: dict[str, TopicT] = {family: _topic(name) for family, name in CLEANED.items()}
bots_topic = _topic(BOTS)
#: The four cleaned topics as one channel, for the enrichment agent.
cleaned_all_topic = app.topic(
    *(settings.topic(name) for name in CLEANED.values()),
    key_type=bytes,
    value_type=bytes,
    key_serializer="raw",
    value_serializer="raw",
)
enriched_topic = _topic(ENRICHED)
enriched_sessions_topic = _topic(ENRICHED_SESSIONS)
recommendations_topic = _topic(RECOMMENDATIONS)
# Keyed by user_key like the tables, so each request reaches the worker that owns the key.
erasures_topic = _topic(ERASURES)
# The dead-letter topic keeps original bytes, which may hold personal data: short retention.
dlq_topic = _topic(DLQ, **{"retention.ms": str(settings.dlq_retention_hours * _HOUR_MS)})
consent_topic = _topic(CONSENT, **{"cleanup.policy": "compact"})
catalog_changes_topic = _topic(CATALOG_CHANGES)
