"""Kafka helpers for the catalog tests: a private topic and a consumer reading it."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from tests.integration.harness import unique


async def create_topic(bootstrap: str, partitions: int = 2) -> str:
    name = unique("it-catalog-changes")
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        await admin.close()
    return name


async def consumer(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    c = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=unique("it-catalog-cache"),
        auto_offset_reset="earliest",
        # The broker answers a fetch as soon as data arrives or after this long.
        fetch_max_wait_ms=20,
    )
    await c.start()
    return c
