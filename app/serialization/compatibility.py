"""Which fields break compatibility between a contract and a registered version, and why.

The registry answers yes or no (HTTP 409 on register); this module names the fields, locally,
with ``avro.compatibility.ReaderWriterCompatibilityChecker``. The checker is run per top-level
field (and per field of nested records) because, for a writer union against a plain reader
type, it reports the incompatibility at the schema root and the field name would be lost.

Compatibility levels (Confluent semantics), "new" is the contract, "old" a registered version:

- BACKWARD: new reads data written with old; FORWARD: old reads data written with new;
- FULL: both; *_TRANSITIVE: against every registered version, not only the latest; NONE: no check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType
from avro.schema import ArraySchema, Field, MapSchema, RecordSchema, Schema, parse

LEVELS = (
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
    "NONE",
)


@dataclass(frozen=True)
class Incompatibility:
    """One field that breaks one direction of compatibility with one registered version."""

    field: str
    version: int | None
    direction: str
    reason: str

    def __str__(self) -> str:
        against = f"version {self.version}" if self.version is not None else "the registered one"
        return f"{self.field}: {self.reason} ({self.direction}, against {against})"


def _parse(schema: dict[str, Any] | str) -> Schema:
    return parse(schema if isinstance(schema, str) else json.dumps(schema))


def _writer_field(writer: RecordSchema, reader_field: Field) -> Field | None:
    aliases: Any = reader_field.props.get("aliases") or []
    names = [reader_field.name, *aliases]
    for name in names:
        found = writer.fields_dict.get(name)
        if found is not None:
            return found  # type: ignore[no-any-return]
    return None


def _record_problems(
    reader: RecordSchema, writer: RecordSchema, prefix: str
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if reader.fullname != writer.fullname:
        problems.append(
            (prefix or "(record)", f"record renamed {writer.fullname} -> {reader.fullname}")
        )
    for reader_field in reader.fields:
        name = f"{prefix}{reader_field.name}"
        writer_field = _writer_field(writer, reader_field)
        if writer_field is None:
            if not reader_field.has_default:
                problems.append((name, "field only in the reader and without a default"))
            continue
        problems.extend(_type_problems(reader_field.type, writer_field.type, name))
    return problems


def _type_problems(reader: Schema, writer: Schema, name: str) -> list[tuple[str, str]]:
    if isinstance(reader, RecordSchema) and isinstance(writer, RecordSchema):
        return _record_problems(reader, writer, f"{name}.")
    if isinstance(reader, ArraySchema) and isinstance(writer, ArraySchema):
        return _type_problems(reader.items, writer.items, f"{name}[]")
    if isinstance(reader, MapSchema) and isinstance(writer, MapSchema):
        return _type_problems(reader.values, writer.values, f"{name}{{}}")
    result = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
    if result.compatibility is SchemaCompatibilityType.compatible:
        return []
    return [(name, "; ".join(sorted(result.messages)) or "incompatible types")]


def reader_writer_problems(
    reader: dict[str, Any] | str, writer: dict[str, Any] | str
) -> list[tuple[str, str]]:
    """(field, reason) for each field the reader schema cannot read from the writer's data."""
    r, w = _parse(reader), _parse(writer)
    if isinstance(r, RecordSchema) and isinstance(w, RecordSchema):
        return _record_problems(r, w, "")
    return _type_problems(r, w, "(value)")


def incompatibilities(
    new: dict[str, Any] | str,
    registered: list[tuple[int | None, dict[str, Any] | str]],
    level: str,
) -> list[Incompatibility]:
    """Every field of ``new`` that breaks ``level`` against the ``registered`` versions.

    ``registered`` is [(version, schema)], oldest first; non-transitive levels use the last.
    """
    level = level.upper()
    if level == "NONE" or not registered:
        return []
    against = registered if level.endswith("_TRANSITIVE") else registered[-1:]
    base = level.removesuffix("_TRANSITIVE")
    found: list[Incompatibility] = []
    for version, old in against:
        if base in ("BACKWARD", "FULL"):
            for field, reason in reader_writer_problems(new, old):
                found.append(
                    Incompatibility(field, version, "new contract cannot read old data", reason)
                )
        if base in ("FORWARD", "FULL"):
            for field, reason in reader_writer_problems(old, new):
                found.append(
                    Incompatibility(field, version, "old readers cannot read new data", reason)
                )
    return found


def _type_text(typ: Any) -> str:
    if isinstance(typ, list):
        return "|".join(_type_text(t) for t in typ)
    if isinstance(typ, dict):
        kind = typ.get("type")
        if typ.get("logicalType") == "decimal":
            return f"decimal({typ.get('precision')},{typ.get('scale')})"
        if "logicalType" in typ:
            return str(typ["logicalType"])
        if kind == "array":
            return f"array<{_type_text(typ['items'])}>"
        if kind == "map":
            return f"map<{_type_text(typ['values'])}>"
        if kind in ("record", "enum", "fixed"):
            return str(typ["name"])
        return _type_text(kind)
    return str(typ)


def _strip(node: Any) -> Any:
    if isinstance(node, list):
        return [_strip(n) for n in node]
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in ("doc", "namespace")}
    return node


def field_diff(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """A readable top-level diff: ``+`` added, ``-`` removed, ``~`` changed type or default."""
    old_fields = {f["name"]: f for f in old.get("fields", [])}
    new_fields = {f["name"]: f for f in new.get("fields", [])}
    lines = []
    for name, f in new_fields.items():
        if name not in old_fields:
            default = f" = {json.dumps(f['default'])}" if "default" in f else " (no default)"
            lines.append(f"+ {name}: {_type_text(f['type'])}{default}")
    for name, f in old_fields.items():
        if name not in new_fields:
            lines.append(f"- {name}: {_type_text(f['type'])}")
    for name in (n for n in new_fields if n in old_fields):
        o, n = old_fields[name], new_fields[name]
        if _strip(o["type"]) != _strip(n["type"]):
            lines.append(f"~ {name}: {_type_text(o['type'])} -> {_type_text(n['type'])}")
        elif o.get("default", ...) != n.get("default", ...):
            before, after = o.get("default", "(none)"), n.get("default", "(none)")
            lines.append(f"~ {name}: default {before!r} -> {after!r}")
    return lines
