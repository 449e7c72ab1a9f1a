"""Register every contract before the first message, off the event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from schema_registry.client.errors import ClientError

from app.serialization.codec import AvroCodec, get_avro_codec, registered_codecs
from app.serialization.registry_ops import call, contract_error

log = logging.getLogger(__name__)


def _warm_up_one(codec: AvroCodec) -> int:
    try:
        schema_id = call(f"register {codec.subject}", codec.register)
    except ClientError as err:
        if err.http_code == 409:
            raise contract_error(
                codec.client, codec.subject, codec.contract_name, codec.schema.raw_schema, err
            ) from err
        raise
    call(f"prefetch versions of {codec.subject}", codec.prefetch_versions)
    return int(schema_id)


def warm_up_sync(codecs: Iterable[AvroCodec | str] | None = None) -> dict[str, int]:
    """Blocking :func:`warm_up`: subject → schema id. For threads and commands."""
    targets = (
        registered_codecs()
        if codecs is None
        else [c if isinstance(c, AvroCodec) else get_avro_codec(c) for c in codecs]
    )
    ids = {codec.subject: _warm_up_one(codec) for codec in targets}
    log.info("Schema registry: %d contract(s) registered and cached", len(ids))
    return ids


async def warm_up(codecs: Iterable[AvroCodec | str] | None = None) -> dict[str, int]:
    """Register each codec's contract under its subject and cache ids and older versions.

    ``codecs`` are names from :func:`avro_codec` (or codec objects); None means every codec
    created so far. After this, encoding and decoding make no HTTP call for known schema ids.

    Raises :class:`ContractError` (a 409: the contract breaks the subject's compatibility
    level; it names the fields) or :class:`ServiceUnavailable` (the registry did not answer).
    """
    return await asyncio.to_thread(warm_up_sync, None if codecs is None else list(codecs))
