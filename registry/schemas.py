"""Parsing submitted schemas and the canonical text that decides schema identity.

Identity is the parsed schema re-serialised as compact JSON with sorted keys: whitespace, key
order and the ``"type": "int"`` vs ``"int"`` spellings vanish, while defaults, docs, aliases and
logical types stay. Avro's Parsing Canonical Form is *not* used because it drops defaults, and
two schemas that differ only in a default are different schemas for compatibility.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import avro.schema

from registry import errors

AVRO = "AVRO"


@dataclass(frozen=True)
class ParsedSchema:
    canonical: str
    avro: avro.schema.Schema


def check_type(schema_type: object) -> None:
    """Refuse every schema type but Avro with a message saying what is supported."""
    if schema_type is None or schema_type == AVRO:
        return
    raise errors.invalid_schema(
        f"schemaType {schema_type!r} is not supported by this registry; only AVRO is. "
        "Use Confluent Schema Registry or Karapace for PROTOBUF and JSON schemas"
    )


@lru_cache(maxsize=1024)
def parse(text: str) -> ParsedSchema:
    """Parse Avro schema text; any parser failure is the client's invalid schema (42201).

    Parsing is pure CPU on small documents (well under a millisecond for typical records), so
    it runs on the event loop; the cache makes repeated compatibility checks cheap.
    """
    try:
        parsed = avro.schema.parse(text)
    except Exception as err:  # avro raises SchemaParseException but also TypeError & co.
        raise errors.invalid_schema(f"{type(err).__name__}: {err}") from err
    canonical = json.dumps(parsed.to_json(), sort_keys=True, separators=(",", ":"))
    return ParsedSchema(canonical=canonical, avro=parsed)
