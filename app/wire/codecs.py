"""Encoders and decoders per topic, in the Confluent wire format.

Stage code encodes and decodes explicitly (topics carry raw bytes), so a record that fails to
decode is dead-lettered with its bytes instead of being dropped inside Faust.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from faust.serializers import codecs

from app.wire.contracts import TOPIC_CONTRACTS, value_codec


@cache
def _codec(logical_topic: str) -> codecs.CodecT:
    return codecs.get_codec(value_codec(logical_topic))


def encoder(logical_topic: str) -> Callable[[Any], bytes]:
    """Record or dict → Confluent-framed Avro for ``logical_topic`` (name without prefix)."""
    return _codec(logical_topic).dumps


def decoder(logical_topic: str) -> Callable[[bytes], Any]:
    """Confluent-framed Avro → dict in the current contract's shape."""
    return _codec(logical_topic).loads


def all_codec_names() -> list[str]:
    """The codec of every topic with a contract (what the worker warms up at start)."""
    return [value_codec(topic) for topic in TOPIC_CONTRACTS]
