"""``faust -A app dlq-replay``: send dead-lettered events back to the topic they came from.

Replays from where the last replay stopped (its own consumer group), so fixing the cause and
replaying twice does not double events. The dead-letter topic has a short retention
(``DLQ_RETENTION_HOURS``) because its original bytes may hold personal data.
"""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faust.cli import AppCommand, option

from app.core import app, settings
from app.wire.codecs import decoder
from app.wire.topics import DLQ


@app.command(
    option("--limit", type=int, default=0, help="Stop after this many (0: all available)."),
    option("--reason", default="", help="Only records whose error class starts with this."),
    option("--dry-run", is_flag=True, default=False, help="Print, do not send."),
)
async def dlq_replay(self: AppCommand, limit: int, reason: str, dry_run: bool) -> None:
    """Replay dead-lettered events to their source topics."""
    decode = decoder(DLQ)
    consumer = AIOKafkaConsumer(
        settings.topic(DLQ),
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=f"{settings.app_id}-dlq-replay",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await consumer.start()
    await producer.start()
    sent = skipped = 0
    try:
        while not limit or sent < limit:
            batch = await consumer.getmany(timeout_ms=2000, max_records=500)
            if not batch:
                break
            for records in batch.values():
                for rec in records:
                    dead = decode(rec.value)
                    if reason and not str(dead["error_class"]).startswith(reason):
                        skipped += 1
                        continue
                    print(
                        f"{dead['source_topic']}:{dead['source_partition']}@"
                        f"{dead['source_offset']} {dead['error_class']}"
                    )
                    if not dry_run:
                        await producer.send_and_wait(
                            dead["source_topic"], dead["original"], key=dead["source_key"]
                        )
                    sent += 1
            if not dry_run:
                await consumer.commit()
    finally:
        await asyncio.gather(consumer.stop(), producer.stop())
    print(f"{'would replay' if dry_run else 'replayed'} {sent}, skipped {skipped}")
