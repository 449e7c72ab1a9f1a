"""The real broker: produce and consume, and a restart keeps a topic's records."""

from __future__ import annotations

import asyncio
import subprocess

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from app.settings import Settings
from tests.integration.harness import ROOT, unique


async def produce(bootstrap: str, topic: str, n: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for i in range(n):
            await producer.send(topic, key=f"k{i % 3}".encode(), value=f"v{i}".encode())
        await producer.flush()
    finally:
        await producer.stop()


async def consume_all(bootstrap: str, topic: str, n: int, timeout: float = 30) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=unique("g")
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        async with asyncio.timeout(timeout):
            while len(values) < n:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    values.extend(r.value for r in records if r.value is not None)
    except TimeoutError:
        raise AssertionError(
            f"only {len(values)} of {n} records arrived from {topic} within {timeout}s"
        ) from None
    finally:
        await consumer.stop()
    return values


async def test_produce_and_consume(settings: Settings) -> None:
    topic = unique("it-kafka")
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()
    await produce(settings.kafka_bootstrap, topic, 100)
    values = await consume_all(settings.kafka_bootstrap, topic, 100)
    assert sorted(values) == sorted(f"v{i}".encode() for i in range(100))


def test_broker_restart_keeps_records(settings: Settings) -> None:
    """`make down && make up` for Kafka: the data under .stack/ survives."""
    topic = unique("it-durable")
    asyncio.run(produce(settings.kafka_bootstrap, topic, 20))
    restart = subprocess.run(
        [str(ROOT / "scripts/stack.sh"), "restart", "kafka"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert restart.returncode == 0, restart.stdout + restart.stderr
    values = asyncio.run(consume_all(settings.kafka_bootstrap, topic, 20, timeout=60))
    assert sorted(values) == sorted(f"v{i}".encode() for i in range(20))
