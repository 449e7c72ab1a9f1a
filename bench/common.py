"""Shared pieces of the benchmarks: a worker subprocess, draining topics, printing results."""

from __future__ import annotations

import asyncio
import json
import platform
import time
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer

from app.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"


async def drain(
    settings: Settings, topics: list[str], expected: int, timeout: float
) -> dict[str, list[Any]]:
    """Records (ConsumerRecord) per topic until ``expected`` in total, from the beginning."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=f"bench-{time.time_ns()}",
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    got: dict[str, list[Any]] = {t: [] for t in topics}
    try:
        async with asyncio.timeout(timeout):
            while sum(len(v) for v in got.values()) < expected:
                for tp, records in (await consumer.getmany(timeout_ms=1000)).items():
                    got[tp.topic].extend(records)
    finally:
        await consumer.stop()
    return got


def write_results(name: str, figures: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    doc = {
        "benchmark": name,
        "machine": {"cpus": _cpus(), "python": platform.python_version()},
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **figures,
    }
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))
