"""The cleaning stage on the real broker: 10,000 mixed events in, every one accounted for.

5% malformed, 10% bot traffic, PII pasted into searches. Afterwards every cleaned topic is
scanned for e-mail addresses, phone numbers, card numbers and IP addresses in clear text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections import Counter
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer

from app.generator.produce import produce
from app.generator.traffic import TrafficGenerator
from app.settings import Settings
from app.wire.codecs import decoder
from app.wire.topics import BOTS, CLEANED, DLQ
from tests.integration.harness import Worker, unique, wait_until

TOTAL = 10_000
PII = {
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    "phone": re.compile(r"\b\d{3}[-. ]\d{3}[-. ]\d{4}\b"),
    "card": re.compile(r"\b(?:\d[ -]?){13,19}\b"),
    "ip": re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b(?!/\d)"),
}


async def drain(settings: Settings, topics: list[str], expected: int, timeout: float) -> dict:
    """Read the topics from the start until ``expected`` records arrived in all of them."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=unique("it-drain"),
        enable_auto_commit=False,
    )
    await consumer.start()
    got: dict[str, list[bytes]] = {t: [] for t in topics}
    try:
        async with asyncio.timeout(timeout):
            while sum(len(v) for v in got.values()) < expected:
                for tp, records in (await consumer.getmany(timeout_ms=1000)).items():
                    got[tp.topic].extend(r.value for r in records if r.value is not None)
    except TimeoutError:
        counts = {t: len(v) for t, v in got.items()}
        raise AssertionError(
            f"only {sum(counts.values())} of {expected} events left the cleaning stage within "
            f"{timeout}s: {counts}"
        ) from None
    finally:
        await consumer.stop()
    return got


def luhn(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()][::-1]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0


def scan_for_pii(record: dict[str, Any]) -> list[str]:
    """Clear-text PII anywhere in the record but its event id (a UUID looks like digits)."""
    text = orjson.dumps({k: v for k, v in record.items() if k != "event_id"}, default=str).decode()
    return [
        f"{kind}: {m.group(0)}"
        for kind, rx in PII.items()
        for m in rx.finditer(text)
        if kind != "card" or luhn(m.group(0))
    ]


@pytest.fixture(scope="module")
def prefix() -> str:
    return unique("it-clean") + "."


def test_ten_thousand_events_are_all_accounted_for(
    settings: Settings, worker_factory: type[Worker], prefix: str
) -> None:
    worker = worker_factory(TOPIC_PREFIX=prefix).start()
    wait_until("the worker to be ready", lambda: "Ready" in worker.log_tail(400), timeout=120)
    traffic = TrafficGenerator(seed=2026, bot_share=0.10, malformed_share=0.05).events(TOTAL)
    labels = Counter(g.label for g in traffic)
    assert labels == {"human": 8500, "bot": 1000, "malformed": 500}

    prefixed = dataclasses.replace(settings, topic_prefix=prefix)
    asyncio.run(produce(prefixed, traffic))
    out_topics = [prefix + t for t in [*CLEANED.values(), BOTS, DLQ]]
    got = asyncio.run(drain(settings, out_topics, TOTAL, timeout=300))

    cleaned = sum(len(got[prefix + t]) for t in CLEANED.values())
    bots = len(got[prefix + BOTS])
    dead = [decoder(DLQ)(v) for v in got[prefix + DLQ]]
    assert cleaned + bots + len(dead) == TOTAL, (cleaned, bots, len(dead))

    # Every malformed event is dead-lettered, with its reason and original bytes.
    reasons = Counter(str(d["error_class"]).split(":")[0] for d in dead)
    assert len(dead) == labels["malformed"], reasons
    assert {"undecodable", "negative_amount", "future_time", "bad_id", "missing_product"} <= set(
        reasons
    ), reasons
    assert all(d["original"] and d["source_topic"].startswith(prefix) for d in dead)

    # Bots are kept out of the cleaned topics for the most part (precision/recall: bench/).
    assert bots >= 0.6 * labels["bot"], f"only {bots} of {labels['bot']} bot events caught"
    assert bots <= 1.2 * labels["bot"], f"{bots} events flagged for {labels['bot']} bot events"

    # No clear-text PII on any cleaned topic.
    leaks: list[str] = []
    for topic in [*CLEANED.values(), BOTS]:
        decode = decoder(topic)
        for value in got[prefix + topic]:
            leaks.extend(scan_for_pii(decode(value)))
    assert not leaks, leaks[:10]

    # The worker's own accounting agrees: in = out + dead-lettered + dropped.
    metrics = worker.get("/metrics").text

    def total(name: str) -> float:
        rx = re.compile(rf'^{name}\{{[^}}]*stage="clean"[^}}]*\}} ([0-9.e+]+)$', re.M)
        return sum(float(v) for v in rx.findall(metrics))

    ins = total("headwater_stage_in_total")
    assert ins == TOTAL
    assert ins == total("headwater_stage_out_total") + total(
        "headwater_stage_dead_lettered_total"
    ) + total("headwater_stage_dropped_total")
    assert worker.alive()
