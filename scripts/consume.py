"""Print a topic's records as JSON, decoding the Confluent wire format like any Kafka client:
magic byte, 4-byte schema id, Avro body; the schema is fetched from the registry by id.

    .venv/bin/python scripts/consume.py action.recommendations [--from-beginning] [--max N]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import struct
import sys
from typing import Any

import httpx
import orjson
from aiokafka import AIOKafkaConsumer
from fastavro import parse_schema, schemaless_reader

from app.settings import get_settings


def _schema(registry: str, schema_id: int, cache: dict[int, Any]) -> Any:
    if schema_id not in cache:
        body = httpx.get(f"{registry}/schemas/ids/{schema_id}", timeout=10).json()
        cache[schema_id] = parse_schema(orjson.loads(body["schema"]))
    return cache[schema_id]


async def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("topic", help="logical name, e.g. action.recommendations (TOPIC_PREFIX added)")
    p.add_argument("--from-beginning", action="store_true")
    p.add_argument("--max", type=int, default=0, help="stop after N records (0: run forever)")
    args = p.parse_args()
    s = get_settings()
    consumer = AIOKafkaConsumer(
        s.topic(args.topic),
        bootstrap_servers=s.kafka_bootstrap,
        auto_offset_reset="earliest" if args.from_beginning else "latest",
        enable_auto_commit=False,
    )
    await consumer.start()
    cache: dict[int, Any] = {}
    seen = 0
    try:
        async for msg in consumer:
            if msg.value is None or len(msg.value) < 5 or msg.value[0] != 0:
                print(f"# {msg.partition}@{msg.offset}: not Confluent-framed", file=sys.stderr)
                continue
            schema_id = struct.unpack(">I", msg.value[1:5])[0]
            record = schemaless_reader(
                io.BytesIO(msg.value[5:]), _schema(s.schema_registry_url, schema_id, cache)
            )
            print(
                orjson.dumps(
                    {"key": (msg.key or b"").decode(), "value": record}, default=str
                ).decode(),
                flush=True,
            )
            seen += 1
            if args.max and seen >= args.max:
                break
    finally:
        await consumer.stop()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
