"""Faust codecs for the Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro.

``avro_codec(subject, Record)`` registers one codec per subject in Faust's codec registry and
returns its name, to pass as a topic's ``value_serializer``. Faust then calls the codec with
``Record.to_representation()`` on send, and hands what the codec decodes to
``Record.from_data`` on receive, so agents get Record instances.

The registry is reached only by :meth:`AvroCodec.register` (from :func:`warm_up`, in a thread)
and, as a fallback, on the first message of a codec that was not warmed up or of a schema id
not seen before (a producer with a newer contract): both log a warning, since that one call
blocks the event loop.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, cast

import faust
from fastavro import schemaless_reader
from faust.serializers import codecs
from schema_registry.client.errors import ClientError
from schema_registry.client.schema import AvroSchema
from schema_registry.serializers import AvroMessageSerializer
from schema_registry.serializers.errors import SerializerError

from app.models import CONTRACTS, load_contract
from app.serialization.client import RegistryClient, registry_client
from app.serialization.datum import fix_decoded, record_fields, to_datum, uuid_fields
from app.serialization.errors import CodecConflict, RecordEncodeError
from app.streaming.registry_serializer import decoder_func, encoder_func

log = logging.getLogger(__name__)

CODEC_PREFIX = "avro:"

_codecs: dict[str, AvroCodec] = {}
_codecs_lock = threading.Lock()


class AvroCodec(faust.Codec):
    """Encodes one Record type under one subject; decodes any version of that subject."""

    def __init__(self, subject: str, record: type[faust.Record], **kwargs: Any) -> None:
        super().__init__(subject=subject, record=record, **kwargs)
        self.subject = subject
        self.record = record
        self.contract_name = CONTRACTS.get(record, record.__name__)
        self.schema = AvroSchema(load_contract(record))
        self.schema_id: int | None = None
        self._uuids = uuid_fields(self.schema.raw_schema)
        self._nested = record_fields(record)
        self._serializer: AvroMessageSerializer | None = None
        self._lock = threading.Lock()

    @property
    def serializer(self) -> AvroMessageSerializer:
        """The library serializer on the shared client; built on first use."""
        if self._serializer is None:
            self._serializer = AvroMessageSerializer(
                cast(Any, registry_client()),
                # Decode every writer version into the current contract (Avro resolution).
                # The library passes this straight to fastavro, which wants the parsed dict.
                reader_schema=cast(Any, self.schema.schema),
            )
        return self._serializer

    @property
    def client(self) -> RegistryClient:
        return cast(RegistryClient, self.serializer.schemaregistry_client)

    def register(self) -> int:
        """Register the contract under the subject (blocking HTTP) and keep its id.

        Raises ``schema_registry.client.errors.ClientError`` (409 when incompatible); callers
        turn that into a :class:`ContractError` with the fields that broke.
        """
        with self._lock:
            if self.schema_id is None:
                schema_id = self.client.register(self.subject, self.schema)
                self.serializer.id_to_writers.setdefault(
                    schema_id, encoder_func(self.serializer, self.schema)
                )
                self._cache_decoder(schema_id, self.schema)
                self.schema_id = schema_id
            return self.schema_id

    def prefetch_versions(self) -> int:
        """Fetch every registered version of the subject, so decoding old data needs no HTTP."""
        versions = self.client.get_versions(self.subject)
        for number in versions:
            version = self.client.get_schema(self.subject, number)
            if version is not None:
                self._cache_decoder(int(version.schema_id), version.schema)
        return len(versions)

    def _cache_decoder(self, schema_id: int, writer: Any) -> None:
        # The library builds a decoder on the first message of each id (asking the client for
        # the writer schema); building it here keeps even that lookup off the hot path.
        decoders = self.serializer.id_to_decoder_func
        if schema_id in decoders:
            return
        if writer.schema == self.schema.schema:
            # Data written with the current contract needs no Avro resolution, which fastavro
            # would otherwise redo on every record (measurements: docs/benchmarks.md, Design
            # decisions, app/serialization/codec.py).
            parsed = writer.schema
            decoders[schema_id] = lambda payload: schemaless_reader(payload, parsed, None)
        else:
            decoders[schema_id] = decoder_func(self.serializer, writer)

    def _dumps(self, obj: Any) -> bytes:
        schema_id = self.schema_id
        if schema_id is None:
            log.warning(
                "Codec %s%s was not warmed up: registering on the event loop. Call "
                "app.serialization.warm_up() at start-up.",
                CODEC_PREFIX,
                self.subject,
            )
            schema_id = self.register()
        try:
            return self.serializer.encode_record_with_schema_id(
                schema_id, to_datum(obj, self._nested)
            )
        except (ValueError, TypeError, AttributeError, KeyError) as err:
            raise RecordEncodeError(
                self.subject, self.contract_name, f"{type(err).__name__}: {err}"
            ) from err

    def _loads(self, s: bytes) -> Any:
        datum = self.serializer.decode_message(s)
        if not isinstance(datum, dict):
            raise SerializerError(f"subject {self.subject!r}: decoded {type(datum).__name__}")
        return fix_decoded(datum, self._uuids)

    def clone(self, *children: Any) -> Any:
        raise TypeError(
            f"Codec {CODEC_PREFIX}{self.subject} writes the Confluent wire format and cannot be "
            "chained with other codecs"
        )


def codec_name(subject: str) -> str:
    return f"{CODEC_PREFIX}{subject}"


def avro_codec(subject: str, record: type[faust.Record]) -> str:
    """Register (once) the codec for ``subject`` carrying ``record``; return its Faust name.

    Use the TopicNameStrategy subject, ``<topic>-value``::

        app.topic(name, value_type=Rec, value_serializer=avro_codec(f"{name}-value", Rec))
    """
    name = codec_name(subject)
    with _codecs_lock:
        existing = _codecs.get(name)
        if existing is not None:
            if existing.record is not record:
                raise CodecConflict(
                    f"Subject {subject!r} already carries {existing.record.__name__}, not "
                    f"{record.__name__}: one subject holds one contract; use another topic"
                )
            return name
        codec = AvroCodec(subject, record)
        _codecs[name] = codec
        codecs.register(name, codec)
    return name


def registered_codecs() -> list[AvroCodec]:
    """Every codec made by :func:`avro_codec` in this process."""
    with _codecs_lock:
        return list(_codecs.values())


def get_avro_codec(name_or_subject: str) -> AvroCodec:
    """The codec for a name from :func:`avro_codec` (or for a subject)."""
    name = (
        name_or_subject if name_or_subject.startswith(CODEC_PREFIX) else codec_name(name_or_subject)
    )
    try:
        return _codecs[name]
    except KeyError:
        raise KeyError(
            f"No Avro codec {name!r}: create it with avro_codec(subject, Record)"
        ) from None


def reset_codecs() -> None:
    """Forget every codec (tests that swap the registry client between cases)."""
    with _codecs_lock:
        for name in _codecs:
            codecs.codecs.pop(name, None)
        _codecs.clear()


__all__ = [
    "CODEC_PREFIX",
    "AvroCodec",
    "ClientError",
    "avro_codec",
    "codec_name",
    "get_avro_codec",
    "registered_codecs",
    "reset_codecs",
]
