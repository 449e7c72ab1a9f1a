"""The codec writes the Confluent wire format and Faust decodes it back into the Record."""

from __future__ import annotations

import asyncio
import io
import struct
import uuid
from decimal import Decimal
from typing import Any

import fastavro
import faust
import pytest
from faust.serializers import codecs

from app.models import (
    ConversionEvent,
    ConversionEventType,
    LineItem,
    Recommendation,
    RecommendedItem,
    load_contract,
)
from app.serialization import CodecConflict, RecordEncodeError, avro_codec, warm_up
from app.serialization.codec import get_avro_codec
from app.serialization.datum import to_datum
from tests.unit.app.serialization.fake_registry import FakeRegistry
from tests.unit.app.serialization.samples import conversion, recommendation


def _subject() -> str:
    return f"t-{uuid.uuid4().hex[:8]}-value"


@pytest.fixture
def offline_app() -> faust.App:
    # No broker is contacted: serializers and test_context run in-process. This Faust build
    # ships no memory:// transport, so the URL points at a port nothing listens on.
    app = faust.App(
        f"codec-test-{uuid.uuid4().hex[:8]}",
        broker="kafka://127.0.0.1:1",
        store="memory://",
        autodiscover=False,
    )
    app.finalize()
    app.flow_control.resume()
    return app


def test_avro_codec_registers_one_faust_codec_per_subject(registry: FakeRegistry) -> None:
    subject = _subject()
    name = avro_codec(subject, ConversionEvent)
    assert name == f"avro:{subject}"
    assert avro_codec(subject, ConversionEvent) == name
    assert codecs.get_codec(name) is get_avro_codec(name)
    with pytest.raises(CodecConflict, match=f"{subject}.*ConversionEvent"):
        avro_codec(subject, Recommendation)
    assert registry.calls == []  # nothing reaches the registry before the first use


async def test_wire_format_is_magic_byte_schema_id_then_avro(registry: FakeRegistry) -> None:
    name = avro_codec(_subject(), ConversionEvent)
    ids = await warm_up([name])
    data = conversion().dumps(serializer=name)
    magic, schema_id = struct.unpack(">bI", data[:5])
    assert (magic, schema_id) == (0, next(iter(ids.values())))


@pytest.mark.parametrize("make", [conversion, recommendation])
async def test_faust_serializer_registry_round_trips_the_record(
    registry: FakeRegistry, offline_app: faust.App, make: Any
) -> None:
    record = make()
    rec_type = type(record)
    name = avro_codec(_subject(), rec_type)
    await warm_up([name])
    registry.calls.clear()

    data = offline_app.serializers.dumps_value(rec_type, record, serializer=name)
    assert isinstance(data, bytes)
    back = offline_app.serializers.loads_value(rec_type, data, serializer=name)

    assert type(back) is rec_type
    assert back == record
    assert registry.calls == []  # warmed up: no registry call on the hot path


async def test_decoded_values_have_their_python_types(
    registry: FakeRegistry, offline_app: faust.App
) -> None:
    name = avro_codec(_subject(), ConversionEvent)
    await warm_up([name])
    back = offline_app.serializers.loads_value(
        ConversionEvent, conversion().dumps(serializer=name), serializer=name
    )
    assert back.event_type is ConversionEventType.ORDER
    assert isinstance(back.event_id, str)
    assert isinstance(back.items[0], LineItem)
    assert back.items[1].unit_price == Decimal("5.00")
    assert back.occurred_at.utcoffset() is not None


async def test_an_agent_on_the_topic_receives_record_instances(
    registry: FakeRegistry, offline_app: faust.App
) -> None:
    name = avro_codec(_subject(), Recommendation)
    await warm_up([name])
    topic = offline_app.topic(
        "action.recommendations", value_type=Recommendation, value_serializer=name
    )
    seen: list[Any] = []

    @offline_app.agent(topic)
    async def consume(stream: Any) -> None:
        async for value in stream:
            seen.append(value)

    original = recommendation()
    async with consume.test_context(channel=topic) as agent:
        # The test channel is the topic itself, so put() runs the bytes through its codec.
        await asyncio.wait_for(agent.put(original.dumps(serializer=name)), timeout=10)

    assert len(seen) == 1
    assert isinstance(seen[0], Recommendation)
    assert isinstance(seen[0].items[0], RecommendedItem)
    assert seen[0] == original


async def test_a_value_that_does_not_fit_the_contract_is_named(registry: FakeRegistry) -> None:
    subject = _subject()
    name = avro_codec(subject, ConversionEvent)
    await warm_up([name])
    bad = conversion()
    bad.total = Decimal("1.234")  # three places: the contract has scale 2
    with pytest.raises(RecordEncodeError, match=f"ConversionEvent for subject '{subject}'"):
        bad.dumps(serializer=name)


def test_a_codec_not_warmed_up_still_works_and_warns(
    registry: FakeRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    name = avro_codec(_subject(), ConversionEvent)
    data = conversion().dumps(serializer=name)
    assert "was not warmed up" in caplog.text
    assert get_avro_codec(name).loads(data)["order_id"] == "o-1"


async def test_data_written_with_an_older_version_decodes_into_the_current_record(
    registry: FakeRegistry, offline_app: faust.App
) -> None:
    subject = _subject()
    contract = load_contract(ConversionEvent)
    old_contract = {**contract, "fields": [f for f in contract["fields"] if f["name"] != "email"]}
    old_id = registry.register(subject, old_contract)
    datum = to_datum(conversion())
    del datum["email"]
    buf = io.BytesIO()
    buf.write(struct.pack(">bI", 0, old_id))
    fastavro.schemaless_writer(buf, fastavro.parse_schema(old_contract), datum)

    name = avro_codec(subject, ConversionEvent)
    ids = await warm_up([name])  # registers the current contract, prefetches version 1
    assert ids[subject] != old_id
    registry.calls.clear()
    back = offline_app.serializers.loads_value(ConversionEvent, buf.getvalue(), serializer=name)

    assert isinstance(back, ConversionEvent)
    assert back.email is None
    assert back == conversion()
    assert registry.calls == []
