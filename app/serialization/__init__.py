"""Avro codecs in the Confluent wire format, backed by the schema registry.

- :func:`avro_codec` — a Faust codec name for ``value_serializer=``;
- :func:`warm_up` — register the contracts and cache ids at start-up (off the event loop);
- :class:`ContractError` — a contract breaks compatibility; names the subject and fields.
"""

from app.serialization.codec import AvroCodec, avro_codec, get_avro_codec, registered_codecs
from app.serialization.errors import CodecConflict, ContractError, RecordEncodeError
from app.serialization.warmup import warm_up, warm_up_sync

__all__ = [
    "AvroCodec",
    "CodecConflict",
    "ContractError",
    "RecordEncodeError",
    "avro_codec",
    "get_avro_codec",
    "registered_codecs",
    "warm_up",
    "warm_up_sync",
]
