"""A Record encoded by the codec, through the real broker, decoded by an independent reader."""

from __future__ import annotations

import asyncio
import io
import json
import struct
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import fastavro
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from app.models import (
    ConversionEvent,
    ConversionEventType,
    LineItem,
    Recommendation,
    RecommendedItem,
)
from app.serialization import avro_codec, warm_up
from app.settings import Settings
from tests.integration.harness import unique

WHEN = datetime(2024, 5, 1, 12, 30, 1, 250000, tzinfo=UTC)


def _conversion() -> ConversionEvent:
    return ConversionEvent(
        event_id=str(uuid.uuid4()),
        event_type=ConversionEventType.RETURN,
        occurred_at=WHEN,
        anonymous_id="anon-1",
        session_id="s-1",
        order_id="o-1",
        items=[LineItem(product_id="p-1", quantity=2, unit_price=Decimal("19.90"))],
        total=Decimal("39.80"),
        currency="EUR",
    )


def _recommendation() -> Recommendation:
    return Recommendation(
        recommendation_id=str(uuid.uuid4()),
        user_key="k-1",
        generated_at=WHEN,
        items=[
            RecommendedItem(
                product_id="p-9",
                score=0.5,
                rank=1,
                explanation="popular",
                contributions={"popular": 1.0},
            )
        ],
        personalized=False,
    )


async def _round_trip_through_kafka(bootstrap: str, topic: str, values: list[bytes]) -> list[bytes]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value=value, key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=unique("g")
    )
    await consumer.start()
    got: list[bytes] = []
    try:
        async with asyncio.timeout(30):
            while len(got) < len(values):
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    got.extend(r.value for r in records if r.value is not None)
    except TimeoutError:
        raise AssertionError(
            f"{len(got)} of {len(values)} records came back from {topic}"
        ) from None
    finally:
        await consumer.stop()
    return got


def _independent_decode(registry_url: str, data: bytes) -> dict[str, Any]:
    """Confluent wire format by hand: magic 0, big-endian id, schema by plain HTTP, fastavro."""
    magic, schema_id = struct.unpack(">bI", data[:5])
    assert magic == 0
    response = httpx.get(f"{registry_url}/schemas/ids/{schema_id}", timeout=10)
    response.raise_for_status()
    schema = fastavro.parse_schema(json.loads(response.json()["schema"]))
    datum = fastavro.schemaless_reader(io.BytesIO(data[5:]), schema, None)
    assert isinstance(datum, dict)
    return datum


async def test_codec_output_survives_the_broker_and_decodes_independently(
    settings: Settings, fresh_codecs: str
) -> None:
    topic = unique("it-avro")
    conversion_codec = avro_codec(f"{topic}-value", ConversionEvent)
    recommendation_codec = avro_codec(f"{topic}-reco-value", Recommendation)
    ids = await warm_up([conversion_codec, recommendation_codec])
    conversion, recommendation = _conversion(), _recommendation()

    sent = [
        conversion.dumps(serializer=conversion_codec),
        recommendation.dumps(serializer=recommendation_codec),
    ]
    received = await _round_trip_through_kafka(settings.kafka_bootstrap, topic, sent)
    assert received == sent

    c = await asyncio.to_thread(_independent_decode, fresh_codecs, received[0])
    assert struct.unpack(">I", received[0][1:5])[0] == ids[f"{topic}-value"]
    assert str(c["event_id"]) == conversion.event_id
    assert c["event_type"] == "return"
    assert c["occurred_at"] == WHEN
    assert c["items"] == [{"product_id": "p-1", "quantity": 2, "unit_price": Decimal("19.90")}]
    assert c["total"] == Decimal("39.80")
    assert c["email"] is None
    assert c["user_id"] is None

    r = await asyncio.to_thread(_independent_decode, fresh_codecs, received[1])
    assert str(r["recommendation_id"]) == recommendation.recommendation_id
    assert r["items"][0]["contributions"] == {"popular": 1.0}
    assert r["personalized"] is False
    assert r["model_versions"] == {}


async def test_the_codec_decodes_bytes_written_by_the_independent_writer(
    settings: Settings, fresh_codecs: str
) -> None:
    """The other direction: hand-made wire bytes decode into the Record through Faust."""
    from app.core import app

    subject = f"{unique('it-avro')}-value"
    name = avro_codec(subject, ConversionEvent)
    [schema_id] = (await warm_up([name])).values()
    url = f"{fresh_codecs}/schemas/ids/{schema_id}"
    contract = (await asyncio.to_thread(httpx.get, url, timeout=10)).json()["schema"]
    original = _conversion()
    datum = {
        **original.asdict(),
        "items": [i.asdict() for i in original.items],
        "event_type": "return",
    }
    buf = io.BytesIO()
    buf.write(struct.pack(">bI", 0, schema_id))
    fastavro.schemaless_writer(buf, fastavro.parse_schema(json.loads(contract)), datum)

    back = app.serializers.loads_value(ConversionEvent, buf.getvalue(), serializer=name)
    assert isinstance(back, ConversionEvent)
    assert back == original
