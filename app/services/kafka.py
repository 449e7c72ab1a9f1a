"""A liveness probe for the Kafka cluster, independent of the worker's own consumer."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaClient
from aiokafka.errors import KafkaError

from app.errors import ServiceUnavailable


async def ping_kafka(bootstrap: str, timeout: float) -> int:
    """Fetch cluster metadata; return the number of brokers or raise ServiceUnavailable."""
    client = AIOKafkaClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=int(timeout * 1000),
        connections_max_idle_ms=int(timeout * 1000) + 1000,
    )
    try:
        async with asyncio.timeout(timeout):
            await client.bootstrap()
            return len(client.cluster.brokers())
    except (TimeoutError, KafkaError, OSError) as err:
        raise ServiceUnavailable("kafka", f"{type(err).__name__}: {err or 'no answer'}") from err
    finally:
        await client.close()
