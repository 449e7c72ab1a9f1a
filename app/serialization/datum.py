"""Faust Record ↔ the plain ``dict`` that fastavro writes and reads.

Encoding: Faust hands a codec ``Record.to_representation()``: fields plus a ``__faust`` marker,
with nested Records left as objects. fastavro needs plain containers, so nested Records become
dicts and the marker goes. datetime, Decimal and StrEnum values pass through unchanged: fastavro
writes them with the contract's logical types (a StrEnum member is a str).

Decoding: fastavro returns a ``uuid.UUID`` for a ``uuid`` logical type while Records hold ids as
str; everything else (aware UTC datetime, Decimal, enum symbol, nested dicts) is what
``Record.from_data`` expects: Faust builds nested Records and coerces the enum symbols.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import faust

R = TypeVar("R", bound=faust.Record)

_FAUST_MARKER = "__faust"


def _plain(value: Any) -> Any:
    if isinstance(value, faust.Record):
        return {k: _plain(v) for k, v in value.asdict().items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_datum(
    value: faust.Record | Mapping[str, Any], nested: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """A Record (or its ``to_representation()``) as a dict fastavro can write.

    ``nested`` names the fields that may hold Records (see :func:`record_fields`); the others
    are copied as they are. None walks every field.
    """
    fields = value.asdict() if isinstance(value, faust.Record) else value
    if nested is None:
        return {k: _plain(v) for k, v in fields.items() if k != _FAUST_MARKER}
    datum = dict(fields)
    datum.pop(_FAUST_MARKER, None)
    for name in nested:
        if name in datum:
            datum[name] = _plain(datum[name])
    return datum


def record_fields(record: type[faust.Record]) -> tuple[str, ...]:
    """Fields of ``record`` whose type involves a Record (directly or in a list or dict)."""
    descriptors = record._options.descriptors
    return tuple(name for name, d in descriptors.items() if d.related_models)


def uuid_fields(schema: Mapping[str, Any]) -> tuple[str, ...]:
    """Top-level fields of a record schema with the ``uuid`` logical type."""
    found = []
    for field in schema["fields"]:
        typ = field["type"]
        branches = typ if isinstance(typ, list) else [typ]
        if any(isinstance(b, dict) and b.get("logicalType") == "uuid" for b in branches):
            found.append(field["name"])
    return tuple(found)


def fix_decoded(datum: dict[str, Any], uuids: tuple[str, ...]) -> dict[str, Any]:
    """Turn the decoded UUIDs of ``uuids`` into the str that Records hold, in place."""
    for name in uuids:
        value = datum.get(name)
        if value is not None:
            datum[name] = str(value)
    return datum


def from_datum(record: type[R], datum: dict[str, Any], uuids: tuple[str, ...] = ()) -> R:
    """The Record for a decoded datum, built the way Faust builds a topic's ``value_type``."""
    return record.from_data(fix_decoded(datum, uuids), preferred_type=record)  # type: ignore[return-value]
