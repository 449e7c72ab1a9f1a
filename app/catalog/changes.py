"""The ``catalog.changes`` message: what the outbox relay sends and the product read model reads.

Field for field the ``CatalogChange`` record (``app/models/catalog.py``): change_id, entity,
entity_id, op (insert|update|delete), changed_at, txid, payload (JSON text or null).
Consumers de-duplicate by ``change_id``: delivery is at-least-once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import orjson

Encoder = Callable[[dict[str, Any]], bytes]
Decoder = Callable[[bytes], dict[str, Any]]

TOPIC = "catalog.changes"


def from_outbox(row: Mapping[str, Any]) -> dict[str, Any]:
    payload = row["payload"]
    return {
        "change_id": str(row["change_id"]),
        "entity": row["entity"],
        "entity_id": row["entity_id"],
        "op": row["op"],
        "changed_at": row["created_at"],
        "txid": int(row["txid"]),
        # The outbox holds jsonb text; passed on as JSON text, as the Avro schema has it.
        "payload": payload
        if payload is None or isinstance(payload, str)
        else orjson.dumps(payload).decode(),
    }


def encode_json(change: dict[str, Any]) -> bytes:
    return orjson.dumps(change)


def decode_json(data: bytes) -> dict[str, Any]:
    change: dict[str, Any] = orjson.loads(data)
    if isinstance(change.get("changed_at"), str):
        change["changed_at"] = datetime.fromisoformat(change["changed_at"])
    return change


def default_codec() -> tuple[Encoder, Decoder]:
    """The Avro codec of ``app.serialization`` once it exists, JSON until then."""
    try:
        from app.serialization import catalog as avro  # type: ignore[attr-defined]

        return avro.encode_catalog_change, avro.decode_catalog_change
    except (ImportError, AttributeError):
        return encode_json, decode_json
