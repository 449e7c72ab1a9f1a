"""Does a Faust Record mirror its Avro contract? Used by the contract test and ``schemas check``.

Compared per field: the name, nullability (``["null", T]`` ↔ ``T | None``), the type family
(below) and the default. Field order is irrelevant: Avro resolves fields by name.

======================================  ==========================================
Avro                                    Python
======================================  ==========================================
string, string/uuid                     str
enum                                    an enum.StrEnum whose values are the symbols
boolean                                 bool
int, long                               int
float, double                           float
bytes                                   bytes
bytes/decimal                           decimal.Decimal
long/timestamp-millis                   datetime.datetime
array<T>                                list[T]
map<T>                                  dict[str, T]
record                                  a Record of the same name, compared in turn
======================================  ==========================================
"""

from __future__ import annotations

import enum
import types
import typing
from datetime import datetime
from decimal import Decimal
from typing import Any

import faust

_MISSING = object()
_PRIMITIVES: dict[str, type] = {
    "string": str,
    "boolean": bool,
    "int": int,
    "long": int,
    "float": float,
    "double": float,
    "bytes": bytes,
}
_LOGICAL: dict[str, type] = {
    "uuid": str,
    "decimal": Decimal,
    "timestamp-millis": datetime,
}


def _split_optional(py: Any) -> tuple[Any, bool]:
    if typing.get_origin(py) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(py) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(py)) == 2:
            return args[0], True
    return py, False


def _split_nullable(avro: Any) -> tuple[Any, bool]:
    if isinstance(avro, list):
        rest = [t for t in avro if t != "null"]
        if len(rest) == 1 and len(avro) == 2:
            return rest[0], True
    return avro, False


class _Comparer:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.named: dict[str, Any] = {}

    def check_record(self, where: str, record: type[faust.Record], schema: dict[str, Any]) -> None:
        name = schema["name"]
        self.named[name] = schema
        if record.__name__ != name:
            self.problems.append(f"{where}: Avro record {name} is mirrored by {record.__name__}")
        py_fields: dict[str, Any] = dict(record._options.fields)
        defaults: dict[str, Any] = dict(record._options.defaults)
        avro_fields = {f["name"]: f for f in schema["fields"]}
        for missing in sorted(avro_fields.keys() - py_fields.keys()):
            self.problems.append(f"{where}.{missing}: in the .avsc, missing from {name} Record")
        for extra in sorted(py_fields.keys() - avro_fields.keys()):
            self.problems.append(f"{where}.{extra}: in the {name} Record, missing from the .avsc")
        for fname in sorted(avro_fields.keys() & py_fields.keys()):
            field = avro_fields[fname]
            path = f"{where}.{fname}"
            if not field.get("doc"):
                self.problems.append(f"{path}: the .avsc field has no doc")
            self.check_field(path, py_fields[fname], field["type"])
            self.check_default(path, field.get("default", _MISSING), defaults.get(fname, _MISSING))

    def check_default(self, path: str, avro: Any, py: Any) -> None:
        if avro is _MISSING and py is not _MISSING:
            self.problems.append(f"{path}: the Record has default {py!r}, the .avsc none")
        elif avro is not _MISSING and py is _MISSING:
            self.problems.append(f"{path}: the .avsc has default {avro!r}, the Record none")
        elif avro is not _MISSING and avro != py:
            self.problems.append(f"{path}: default {avro!r} in the .avsc, {py!r} in the Record")

    def check_field(self, path: str, py: Any, avro: Any) -> None:
        py_inner, py_null = _split_optional(py)
        avro_inner, avro_null = _split_nullable(avro)
        if py_null != avro_null:
            self.problems.append(
                f"{path}: nullable in the {'Record' if py_null else '.avsc'} only "
                f"(Record {py!r}, Avro {avro!r})"
            )
        self.check_type(path, py_inner, avro_inner)

    def check_type(self, path: str, py: Any, avro: Any) -> None:
        if isinstance(avro, str) and avro in self.named:
            avro = self.named[avro]
        if isinstance(avro, list):
            self.problems.append(f"{path}: union {avro!r} has no Python mirror; use ['null', T]")
            return
        if isinstance(avro, str):
            avro = {"type": avro}
        kind = avro["type"]
        logical = avro.get("logicalType")
        origin, args = typing.get_origin(py), typing.get_args(py)
        if logical in _LOGICAL:
            expected: type = _LOGICAL[logical]
            if py is not expected:
                self.problems.append(f"{path}: Avro {kind}/{logical} needs {expected.__name__}")
        elif kind in _PRIMITIVES:
            if py is not _PRIMITIVES[kind]:
                self.problems.append(f"{path}: Avro {kind} needs {_PRIMITIVES[kind].__name__}")
        elif kind == "enum":
            self.named[avro["name"]] = avro
            if not (isinstance(py, type) and issubclass(py, enum.StrEnum)):
                self.problems.append(f"{path}: Avro enum {avro['name']} needs an enum.StrEnum")
            elif [m.value for m in py] != avro["symbols"]:
                self.problems.append(
                    f"{path}: enum {py.__name__} values {[m.value for m in py]} differ from "
                    f"the .avsc symbols {avro['symbols']}"
                )
        elif kind == "array":
            if origin is not list or len(args) != 1:
                self.problems.append(f"{path}: Avro array needs list[T], found {py!r}")
            else:
                self.check_type(f"{path}[]", args[0], avro["items"])
        elif kind == "map":
            if origin is not dict or len(args) != 2 or args[0] is not str:
                self.problems.append(f"{path}: Avro map needs dict[str, T], found {py!r}")
            else:
                self.check_type(f"{path}{{}}", args[1], avro["values"])
        elif kind == "record":
            if not (isinstance(py, type) and issubclass(py, faust.Record)):
                self.problems.append(f"{path}: Avro record {avro['name']} needs a faust.Record")
            else:
                self.check_record(path, py, avro)
        else:
            self.problems.append(f"{path}: Avro type {kind!r} is not supported by the codec")


def nested_records(schema: dict[str, Any]) -> set[str]:
    """Names of the records defined inside ``schema`` (not the top-level record itself)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if node.get("type") == "record" and node is not schema:
                found.add(node["name"])
            for key in ("type", "items", "values", "fields"):
                if key in node:
                    walk(node[key])

    walk(schema)
    return found


def mismatches(record: type[faust.Record], schema: dict[str, Any]) -> list[str]:
    """Every way ``record`` fails to mirror ``schema``, one readable line each; [] when equal."""
    comparer = _Comparer()
    comparer.check_record(record.__name__, record, schema)
    return comparer.problems


def _mirror_type(py: Any, mirrors: dict[type, type]) -> Any:
    """A Record field's type as its decoded dict holds it: enums as ``str``, nested Records
    as their TypedDict mirrors, inside ``list``/``dict``/``| None`` too."""
    if isinstance(py, type) and issubclass(py, enum.StrEnum):
        return str
    if isinstance(py, type) and issubclass(py, faust.Record):
        return mirrors.get(py, py)
    origin, args = typing.get_origin(py), typing.get_args(py)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_mirror_type(a, mirrors) for a in args)]  # noqa: UP007
    if origin is list:
        return list[_mirror_type(args[0], mirrors)]  # type: ignore[misc,valid-type]
    if origin is dict:
        return dict[args[0], _mirror_type(args[1], mirrors)]  # type: ignore[misc,valid-type]
    return py


def dict_mismatches(
    typed: type, record: type[faust.Record], mirrors: dict[type, type], *, subset: bool = False
) -> list[str]:
    """Every way the TypedDict ``typed`` fails to mirror ``record``; [] when it does.

    ``subset``: ``typed`` covers several Records (each a subset of its keys), so it may hold
    keys the Record has not, and a field may be ``T | None`` where one Record has ``T``.
    """
    hints = typing.get_type_hints(typed)
    fields: dict[str, Any] = dict(record._options.fields)
    where = f"{typed.__name__} vs {record.__name__}"
    problems = [f"{where}: no key {k!r}" for k in sorted(fields.keys() - hints.keys())]
    if not subset:
        problems += [f"{where}: key {k!r} not in the Record" for k in sorted(hints.keys() - fields)]
    for name in sorted(fields.keys() & hints.keys()):
        want = _mirror_type(fields[name], mirrors)
        got = hints[name]
        if got == want or (subset and got == typing.Optional[want]):  # noqa: UP045
            continue
        problems.append(f"{where}.{name}: {got!r} in the TypedDict, the Record needs {want!r}")
    return problems
