"""Commit → outbox → relay → real Kafka topic → product read model, and no loss across a relay
kill."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal

import asyncpg

from app.catalog.changes import decode_json, encode_json
from app.catalog.read_model import (
    CATALOG_WIDE_ENTITIES,
    PRODUCT_ENTITIES,
    ProductReadModel,
    follow,
)
from app.catalog.relay import OutboxRelay
from app.catalog.service import CatalogService
from app.settings import Settings
from tests.integration.app.catalog.kafka import consumer, create_topic
from tests.integration.harness import ROOT


async def _wait(what: str, check: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout}s")


async def test_price_change_is_visible_in_the_read_model_within_one_second(
    pool: asyncpg.Pool, settings: Settings
) -> None:
    topic = await create_topic(settings.kafka_bootstrap)
    relay = OutboxRelay(
        str(pool._connect_args[0]), settings.kafka_bootstrap, topic=topic, encode=encode_json
    )
    await relay.start()
    cons = await consumer(settings.kafka_bootstrap, topic)
    model = ProductReadModel(pool)
    follower = asyncio.create_task(follow(model, cons, decode_json))
    service = CatalogService(pool)
    delays: list[float] = []
    try:
        await _wait(
            "the seeded backlog published",
            lambda: _no_backlog(pool),
            timeout=30,
        )
        # Each change re-reads its product: measured from an empty backlog, not behind it.
        await _wait("the seeded backlog applied", lambda: _backlog_applied(pool, model), 30)
        skus = await pool.fetch(
            "SELECT DISTINCT ON (product_id) product_id, sku FROM variants ORDER BY product_id, sku"
        )
        for i, row in enumerate(skus[:5]):
            pid, sku = row["product_id"], row["sku"]
            warm = await model.get(pid)
            assert warm is not None
            new_price = Decimal("1.00") + Decimal(i) / 100  # below any seeded price
            assert warm.price != new_price
            await service.set_price(
                change_id=uuid.uuid4(), sku=sku, currency="EUR", amount=new_price, actor="it"
            )
            committed = time.monotonic()
            while (await model.get(pid)).price != new_price:  # type: ignore[union-attr]
                assert time.monotonic() - committed < 5, f"{pid} price never reached the model"
                await asyncio.sleep(0.005)
            delays.append(time.monotonic() - committed)
            engine = model.catalog.get(pid)  # the engine's copy was updated by the same read
            assert engine is not None
            assert engine.price == float(new_price)
    finally:
        follower.cancel()
        await cons.stop()
        await relay.stop()
    print(f"commit -> model-visible delays (s): {[round(d, 3) for d in delays]}")
    assert max(delays) < 1.0, delays


async def _no_backlog(pool: asyncpg.Pool) -> bool:
    return not await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")


async def _backlog_applied(pool: asyncpg.Pool, model: ProductReadModel) -> bool:
    """Every published change the model acts on has been applied (once at least)."""
    entities = sorted(PRODUCT_ENTITIES | CATALOG_WIDE_ENTITIES)
    count = await pool.fetchval("SELECT count(*) FROM outbox WHERE entity = ANY($1)", entities)
    return bool(model.invalidations >= count)


def _start_relay(dsn: str, bootstrap: str, topic: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.catalog.relay",
            "--dsn",
            dsn,
            "--bootstrap",
            bootstrap,
            "--topic",
            topic,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


async def test_changes_committed_while_the_relay_is_dead_arrive_after_restart(
    pool: asyncpg.Pool, settings: Settings
) -> None:
    dsn = str(pool._connect_args[0])
    topic = await create_topic(settings.kafka_bootstrap)
    start_id = await pool.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
    service = CatalogService(pool)
    skus = [r["sku"] for r in await pool.fetch("SELECT sku FROM variants ORDER BY sku LIMIT 4")]

    async def commit(n: int) -> None:
        for i in range(n):
            await service.adjust_inventory(
                change_id=uuid.uuid4(), sku=skus[i % 4], location_id="ONLINE", delta=1, actor="it"
            )

    relay = _start_relay(dsn, settings.kafka_bootstrap, topic)
    try:
        await commit(10)
        # SIGKILL: no clean shutdown, as when a worker's machine dies.
        await asyncio.sleep(1.0)
        os.killpg(relay.pid, signal.SIGKILL)
        relay.wait(10)
        await commit(10)
        waiting = await pool.fetchval(
            "SELECT count(*) FROM outbox WHERE id > $1 AND published_at IS NULL", start_id
        )
        assert waiting >= 10, "changes committed while the relay was dead should wait"
        relay = _start_relay(dsn, settings.kafka_bootstrap, topic)
        expected = {
            str(r["change_id"])
            for r in await pool.fetch("SELECT change_id FROM outbox WHERE id > $1", start_id)
        }
        assert len(expected) == 20  # one inventory row per change
        cons = await consumer(settings.kafka_bootstrap, topic)
        seen: set[str] = set()
        try:
            deadline = time.monotonic() + 30
            while not expected <= seen:
                assert time.monotonic() < deadline, f"missing {len(expected - seen)} changes"
                batch = await cons.getmany(timeout_ms=500)
                for messages in batch.values():
                    seen.update(decode_json(m.value)["change_id"] for m in messages)
        finally:
            await cons.stop()
        await _wait("every outbox row marked published", lambda: _no_backlog(pool), timeout=10)
    finally:
        if relay.poll() is None:
            os.killpg(relay.pid, signal.SIGTERM)
            relay.wait(10)
