"""Outbox relay: committed catalog changes from PostgreSQL to the ``catalog.changes`` topic.

The triggers write one ``outbox`` row per changed row in the same transaction as the change, and
``NOTIFY catalog_changes`` wakes this relay at commit. A poll every ``poll_interval`` seconds is
the backstop for a lost notification or a relay that was down: rows simply wait in the outbox,
so a change committed while no worker runs is published when one starts.

Each drain runs in one transaction: it takes ``pg_try_advisory_xact_lock(RELAY_LOCK)`` (one
relay drains at a time, so per-key order holds with many workers), reads a batch in id order,
produces every row keyed by entity id, waits for the broker's acks (``acks=all``), then marks
the rows published. A crash between the ack and the commit re-sends the batch: at-least-once,
consumers de-duplicate by ``change_id``.

Operator action: published rows are purged after ``retention`` (default 7 days); an outbox that
keeps growing with ``published_at IS NULL`` means no relay is running or Kafka refuses writes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from mode import Service

from app.catalog.changes import TOPIC, Encoder, default_codec, from_outbox

log = logging.getLogger(__name__)

#: Shared by every relay: "hw" "re" "la" "y" in ASCII.
RELAY_LOCK = 0x6877_7265_6C61
CHANNEL = "catalog_changes"

_BATCH = """
SELECT id, change_id, entity, entity_id, op, payload::text AS payload, txid, created_at
  FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1
"""


class OutboxRelay(Service):
    """Drains ``outbox`` into Kafka; LISTEN for latency, poll as the backstop."""

    def __init__(
        self,
        dsn: str,
        bootstrap: str,
        *,
        topic: str = TOPIC,
        encode: Encoder | None = None,
        poll_interval: float = 1.0,
        batch_size: int = 500,
        retention: timedelta = timedelta(days=7),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.dsn = dsn
        self.bootstrap = bootstrap
        self.topic = topic
        self.encode = encode or default_codec()[0]
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.retention = retention
        self.published = 0
        self._wake = asyncio.Event()
        self._listen: asyncpg.Connection | None = None
        self._con: asyncpg.Connection | None = None
        self._producer: AIOKafkaProducer | None = None

    async def on_start(self) -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            acks="all",
            enable_idempotence=True,
            linger_ms=0,
        )
        await self._producer.start()

    async def on_stop(self) -> None:
        for con in (self._listen, self._con):
            if con is not None and not con.is_closed():
                await con.close()
        self._listen = self._con = None
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    def _notified(self, *_: Any) -> None:
        self._wake.set()

    async def _connect(self) -> asyncpg.Connection:
        if self._listen is None or self._listen.is_closed():
            self._listen = await asyncpg.connect(self.dsn)
            await self._listen.add_listener(CHANNEL, self._notified)
            self._wake.set()  # changes may have been committed while we were not listening
        if self._con is None or self._con.is_closed():
            self._con = await asyncpg.connect(self.dsn)
        return self._con

    @Service.task
    async def _relay(self) -> None:
        purged_at = 0.0
        while not self.should_stop:
            # Cleared before the drain: a commit during the drain wakes the next round.
            self._wake.clear()
            try:
                con = await self._connect()
                while await self.drain(con) == self.batch_size:
                    pass
                loop_time = asyncio.get_running_loop().time()
                if loop_time - purged_at > 3600:
                    await self.purge(con)
                    purged_at = loop_time
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
                log.warning("outbox relay: PostgreSQL: %s; retrying", err)
                await self._reset()
            except Exception as err:  # Kafka errors: the batch stays unpublished, retried
                log.warning("outbox relay: %s: %s; retrying", type(err).__name__, err)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    async def _reset(self) -> None:
        for con in (self._listen, self._con):
            if con is not None:
                con.terminate()
        self._listen = self._con = None

    async def drain(self, con: asyncpg.Connection) -> int:
        """Publish one batch; return how many rows it held (0: nothing to do or locked)."""
        assert self._producer is not None, "start the relay before draining"
        async with con.transaction():
            if not await con.fetchval("SELECT pg_try_advisory_xact_lock($1)", RELAY_LOCK):
                return 0
            rows = await con.fetch(_BATCH, self.batch_size)
            if not rows:
                return 0
            futures = [
                await self._producer.send(
                    self.topic,
                    key=str(r["entity_id"]).encode(),
                    value=self.encode(from_outbox(r)),
                )
                for r in rows
            ]
            await asyncio.gather(*futures)  # broker acks; raises if any send failed
            await con.execute(
                "UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])",
                [r["id"] for r in rows],
            )
        self.published += len(rows)
        return len(rows)

    async def purge(self, con: asyncpg.Connection) -> int:
        status = await con.execute(
            "DELETE FROM outbox WHERE published_at < now() - $1::interval", self.retention
        )
        return int(status.split()[-1])


async def _run(args: argparse.Namespace) -> None:
    relay = OutboxRelay(args.dsn, args.bootstrap, topic=args.topic)
    await relay.start()
    try:
        await relay.wait_until_stopped()
    finally:
        await relay.stop()


def main(argv: list[str] | None = None) -> None:
    """``python -m app.catalog.relay``: the relay alone, without a worker (ops and tests)."""
    from app.settings import get_settings

    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m app.catalog.relay")
    parser.add_argument("--dsn", default=settings.database_url)
    parser.add_argument("--bootstrap", default=settings.kafka_bootstrap)
    parser.add_argument("--topic", default=TOPIC)
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
