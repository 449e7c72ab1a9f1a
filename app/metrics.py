"""Prometheus metrics of every stage, served by ``GET /metrics``.

The accounting rule each stage keeps: events in = events out + dead-lettered + dropped by
policy, counted per reason. A test checks it on the real pipeline.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

STAGE_IN = Counter(
    "headwater_stage_in_total", "Events a stage consumed", ["stage", "source"], registry=REGISTRY
)
STAGE_OUT = Counter(
    "headwater_stage_out_total",
    "Events a stage produced downstream",
    ["stage", "destination"],
    registry=REGISTRY,
)
STAGE_DEAD = Counter(
    "headwater_stage_dead_lettered_total",
    "Events a stage sent to the dead-letter topic",
    ["stage", "reason"],
    registry=REGISTRY,
)
STAGE_DROPPED = Counter(
    "headwater_stage_dropped_total",
    "Events a stage dropped by policy (duplicates, withheld consent)",
    ["stage", "reason"],
    registry=REGISTRY,
)
INGEST_REQUESTS = Counter(
    "headwater_ingest_requests_total", "POST /v1/events requests", ["status"], registry=REGISTRY
)
INGEST_EVENTS = Counter(
    "headwater_ingest_events_total",
    "Events received over HTTP",
    ["outcome"],
    registry=REGISTRY,
)
BATCH_SECONDS = Histogram(
    "headwater_stage_batch_seconds",
    "Time to process one batch",
    ["stage"],
    registry=REGISTRY,
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


def exposition() -> bytes:
    return generate_latest(REGISTRY)
