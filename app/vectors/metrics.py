"""Prometheus metrics of the vector domain, registered in :data:`app.metrics.REGISTRY`."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from app.metrics import REGISTRY

VECTORS_REJECTED = Counter(
    "headwater_vectors_rejected_total",
    "Vectors refused by validation before a write",
    ["entity", "reason"],
    registry=REGISTRY,
)
VECTORS_WRITTEN = Counter(
    "headwater_vectors_written_total",
    "Vectors upserted to Milvus",
    ["entity"],
    registry=REGISTRY,
)
VECTORS_INCONSISTENT = Gauge(
    "headwater_vectors_inconsistent",
    "Product vectors out of step with the catalog at the last check",
    ["collection", "kind"],  # kind: missing | stale | orphaned
    registry=REGISTRY,
)
VECTOR_AGE_SECONDS = Gauge(
    "headwater_vector_age_seconds",
    "Age of the newest and oldest vector per collection at the last check",
    ["collection", "end"],  # end: newest | oldest
    registry=REGISTRY,
)
VECTOR_COUNT = Gauge(
    "headwater_vectors",
    "Vectors per live collection at the last check",
    ["collection"],
    registry=REGISTRY,
)
