"""The naive Faust pipeline: three agents, one ``await topic.send`` per event per hop, the
shape of most Faust examples. Same Avro codecs as the worker. Run by the benchmark as
``faust -A bench.pipeline.naive_faust worker`` with ``BENCH_PREFIX`` and ``BENCH_APP_ID`` set.
"""

from __future__ import annotations

import asyncio
import os

import faust

from app.serialization import warm_up
from app.wire.codecs import decoder, encoder
from app.wire.contracts import value_codec
from app.wire.topics import RAW
from bench.pipeline.hops import HOPS, family_of, hop_topic

PREFIX = os.environ.get("BENCH_PREFIX", "bench.")
MODE = os.environ.get("BENCH_MODE", "naive")
SYSTEM = MODE


class NaiveApp(faust.App):
    async def on_start(self) -> None:
        await super().on_start()
        await warm_up([value_codec(t) for t in RAW.values()])


app = NaiveApp(
    os.environ.get("BENCH_APP_ID", "bench-naive"),
    broker=os.environ.get("BENCH_BROKER", "kafka://127.0.0.1:9092"),
    store="memory://",
    datadir=os.environ.get("BENCH_DATA_DIR", "/tmp/bench-naive"),
    web_port=int(os.environ.get("BENCH_WEB_PORT", "6099")),
    web_host="127.0.0.1",
    topic_partitions=4,
    consumer_auto_offset_reset="earliest",
)


def _topic(name: str) -> faust.TopicT:
    return app.topic(name, key_serializer="raw", value_serializer="raw", partitions=4)


def _hop_agent(hop: int) -> None:
    sources = [_topic(hop_topic(PREFIX, SYSTEM, f, hop - 1)) for f in RAW]
    targets = {f: _topic(hop_topic(PREFIX, SYSTEM, f, hop)) for f in RAW}

    async def hop_agent(stream: faust.StreamT) -> None:
        async for event in stream.events():
            family = family_of(PREFIX, event.message.topic)
            value = encoder(RAW[family])(decoder(RAW[family])(event.value))
            await targets[family].send(key=event.key, value=value)

    async def batched_agent(stream: faust.StreamT) -> None:
        async for events in stream.take_events(500, within=0.05):  # type: ignore[attr-defined]
            futures = []
            for event in events:
                family = family_of(PREFIX, event.message.topic)
                value = encoder(RAW[family])(decoder(RAW[family])(event.value))
                futures.append(
                    await app.producer.send(
                        targets[family].get_topic_name(), event.key, value, None, None, None
                    )
                )
            await asyncio.gather(*futures)

    if MODE == "batched":
        hop_agent = batched_agent

    hop_agent.__name__ = f"hop{hop}"
    app.agent(
        app.topic(
            *(s.get_topic_name() for s in sources), key_serializer="raw", value_serializer="raw"
        ),
        name=f"hop{hop}",
    )(hop_agent)


for _hop in range(1, HOPS + 1):
    _hop_agent(_hop)
