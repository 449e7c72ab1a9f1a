"""Commit → visible-in-the-worker latency of catalog price changes, through the real Kafka.

A private database with a small seeded catalog, the outbox relay, a private topic and a product
read model fed by a consumer of that topic, all in this process. For each of ``--changes``
price changes: warm the model, commit the change through the service layer, then poll the
model until it shows the new price. Prints p50/p99/max in milliseconds.

    .venv/bin/python bench/bench_catalog_propagation.py [--changes 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from decimal import Decimal

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from app.catalog import seed
from app.catalog.changes import decode_json, encode_json
from app.catalog.read_model import (
    CATALOG_WIDE_ENTITIES,
    PRODUCT_ENTITIES,
    ProductReadModel,
    follow,
)
from app.catalog.relay import OutboxRelay
from app.catalog.service import CatalogService
from app.db.testing import scratch_database
from app.settings import get_settings


async def run(changes: int) -> list[float]:
    settings = get_settings()
    topic = f"bench-catalog-changes-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 4, 1)])
    finally:
        await admin.close()
    async with scratch_database(settings.database_url, prefix="hw_bench") as dsn:
        con = await asyncpg.connect(dsn)
        await seed.load(con, seed.generate(100, seed=3))
        await con.close()
        pool = await asyncpg.create_pool(dsn, min_size=2, max_size=4)
        relay = OutboxRelay(dsn, settings.kafka_bootstrap, topic=topic, encode=encode_json)
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=settings.kafka_bootstrap,
            group_id=f"bench-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
            fetch_max_wait_ms=20,
        )
        await relay.start()
        await consumer.start()
        model = ProductReadModel(pool)
        follower = asyncio.create_task(follow(model, consumer, decode_json))
        service = CatalogService(pool)
        delays: list[float] = []
        try:
            # The seeded backlog first; polled because it lives in PostgreSQL, not in this loop.
            while await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):  # noqa: ASYNC110
                await asyncio.sleep(0.1)
            # Then applied: each change re-reads its product, and the measured changes must
            # not queue behind the seeded thousands.
            entities = sorted(PRODUCT_ENTITIES | CATALOG_WIDE_ENTITIES)
            backlog = await pool.fetchval(
                "SELECT count(*) FROM outbox WHERE entity = ANY($1)", entities
            )
            while model.invalidations < backlog:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            skus = await pool.fetch(
                "SELECT DISTINCT ON (product_id) product_id, sku FROM variants "
                "ORDER BY product_id, sku"
            )
            for i in range(changes):
                pid, sku = skus[i % len(skus)]["product_id"], skus[i % len(skus)]["sku"]
                await model.get(pid)
                price = Decimal("0.50") + Decimal(i) / 100  # below every seeded price
                await service.set_price(
                    change_id=uuid.uuid4(), sku=sku, currency="EUR", amount=price, actor="bench"
                )
                committed = time.perf_counter()
                while (got := await model.get(pid)) is None or got.price != price:
                    if time.perf_counter() - committed > 10:
                        raise SystemExit(f"change {i} of {pid} not visible after 10 s")
                    await asyncio.sleep(0.002)
                delays.append(time.perf_counter() - committed)
        finally:
            follower.cancel()
            await consumer.stop()
            await relay.stop()
            await pool.close()
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200)
    args = parser.parse_args()
    delays = sorted(d * 1000 for d in asyncio.run(run(args.changes)))
    q = statistics.quantiles(delays, n=100)
    print(
        f"catalog propagation commit->visible over {len(delays)} price changes: "
        f"p50 {q[49]:.1f} ms, p99 {q[98]:.1f} ms, max {delays[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
