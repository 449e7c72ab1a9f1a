"""Every topic of the pipeline by name, with its Kafka config. Names only: importing this
module declares nothing (the app declares them, see :mod:`app.wire.declared`).

Full names are ``TOPIC_PREFIX`` + ``<stage>.<domain>``. Values travel in the Confluent wire
format (Avro, schema registry); stage code encodes and decodes explicitly
(:mod:`app.wire.codecs`) so that a record that fails to decode is dead-lettered with its
original bytes instead of being skipped inside Faust.
"""

from __future__ import annotations

from app.wire.families import FAMILIES

#: Logical names (the part after the prefix); also the schema-registry subjects' stems.
RAW = {name: f.raw_topic for name, f in FAMILIES.items()}
CLEANED = {name: f.cleaned_topic for name, f in FAMILIES.items()}
BOTS = "cleaned.bots"
DLQ = "dlq.events"
ENRICHED = "enriched.events"
ENRICHED_SESSIONS = "enriched.sessions"
CONSENT = "consent.changes"
CATALOG_CHANGES = "catalog.changes"
RECOMMENDATIONS = "action.recommendations"
#: Keyed by user_key like the tables, so each request reaches the worker that owns the key.
ERASURES = "gdpr.erasures"

_HOUR_MS = 3_600_000


def topic_configs(dlq_retention_hours: int) -> dict[str, dict[str, str]]:
    """Logical name → topic config for every topic the worker declares and creates."""
    plain: dict[str, dict[str, str]] = {
        name: {} for name in (*RAW.values(), *CLEANED.values(), BOTS, ENRICHED, ENRICHED_SESSIONS)
    }
    return {
        **plain,
        RECOMMENDATIONS: {},
        ERASURES: {},
        # The dead-letter topic keeps original bytes, which may hold personal data.
        DLQ: {"retention.ms": str(dlq_retention_hours * _HOUR_MS)},
        CONSENT: {"cleanup.policy": "compact"},
        CATALOG_CHANGES: {},
    }
