"""The encoder and decoder functions python-schema-registry-client builds per schema id.

:class:`app.serialization.codec.AvroCodec` fills the serializer's ``id_to_writers`` and
``id_to_decoder_func`` caches ahead of the first message (so no registry lookup happens on the
event loop), with the same functions the library would build there: these two private methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from schema_registry.serializers import AvroMessageSerializer


def encoder_func(serializer: AvroMessageSerializer, schema: Any) -> Callable[..., Any]:
    """What ``encode_record_with_schema_id`` stores in ``id_to_writers`` for ``schema``."""
    return serializer._get_encoder_func(schema)


def decoder_func(serializer: AvroMessageSerializer, writer_schema: Any) -> Callable[..., Any]:
    """What ``decode_message`` stores in ``id_to_decoder_func`` for ``writer_schema``.

    The library's payload argument is unused by the Avro serializer's function (it reads the
    payload it is later called with), so None is passed.
    """
    return serializer._get_decoder_func(cast(Any, None), writer_schema)
