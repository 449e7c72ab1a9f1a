"""Hypothesis strategies that build Records from their Avro contract, field by field."""

from __future__ import annotations

import typing
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import faust
from hypothesis import strategies as st

from app.models.conformance import _split_nullable, _split_optional

_TIMES = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
_MONEY = st.decimals(
    min_value=Decimal("-9999999999.99"),
    max_value=Decimal("9999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
_SIMPLE: dict[str, st.SearchStrategy[Any]] = {
    "string": st.text(max_size=20),
    "boolean": st.booleans(),
    "int": st.integers(-(2**31), 2**31 - 1),
    "long": st.integers(-(2**63), 2**63 - 1),
    "float": st.floats(width=32, allow_nan=False),
    "double": st.floats(allow_nan=False),
    "bytes": st.binary(max_size=20),
}
_LOGICAL: dict[str, st.SearchStrategy[Any]] = {
    "uuid": st.uuids().map(str),
    "timestamp-millis": _TIMES,
    "decimal": _MONEY,
}


def _value(py: Any, avro: Any, named: dict[str, Any]) -> st.SearchStrategy[Any]:
    py, py_null = _split_optional(py)
    avro, avro_null = _split_nullable(avro)
    inner = _inner(py, avro, named)
    return st.none() | inner if py_null and avro_null else inner


def _inner(py: Any, avro: Any, named: dict[str, Any]) -> st.SearchStrategy[Any]:
    if isinstance(avro, str):
        avro = named.get(avro, {"type": avro})
    kind, logical = avro["type"], avro.get("logicalType")
    if logical in _LOGICAL:
        return _LOGICAL[logical]
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind == "enum":
        named[avro["name"]] = avro
        return st.sampled_from(list(py))
    if kind == "array":
        return st.lists(_inner(typing.get_args(py)[0], avro["items"], named), max_size=3)
    if kind == "map":
        values = _inner(typing.get_args(py)[1], avro["values"], named)
        return st.dictionaries(st.text(max_size=8), values, max_size=3)
    if kind == "record":
        return records(py, avro, named)
    raise AssertionError(f"no strategy for Avro type {avro!r}")


def records(
    record: type[faust.Record], schema: dict[str, Any], named: dict[str, Any] | None = None
) -> st.SearchStrategy[faust.Record]:
    """Records of type ``record`` with every field drawn from its Avro type."""
    named = {} if named is None else named
    named[schema["name"]] = schema
    fields = record._options.fields
    kwargs = {f["name"]: _value(fields[f["name"]], f["type"], named) for f in schema["fields"]}
    return st.builds(record, **kwargs)
