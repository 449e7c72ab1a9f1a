"""Compatibility levels and their meaning, decided by Apache Avro's own checker.

The reader/writer rules (type promotion, defaults, enum symbols, unions, aliases) are exactly the
ones ``avro.compatibility.ReaderWriterCompatibilityChecker`` implements; this module only maps
Confluent's seven levels onto which pairs of schemas must pass that check.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

from registry import errors

DEFAULT_LEVEL = "BACKWARD"


class Level(enum.StrEnum):
    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @property
    def transitive(self) -> bool:
        return self.name.endswith("_TRANSITIVE")

    @property
    def backward(self) -> bool:
        return self.name.startswith(("BACKWARD", "FULL"))

    @property
    def forward(self) -> bool:
        return self.name.startswith(("FORWARD", "FULL"))


def parse_level(value: object) -> Level:
    """``"full"`` or ``"FULL"`` → :attr:`Level.FULL`; anything else is 42203."""
    if isinstance(value, str):
        try:
            return Level(value.strip().upper())
        except ValueError:
            pass
    raise errors.invalid_level(value)


def _pair(reader: avro.schema.Schema, writer: avro.schema.Schema, label: str) -> list[str]:
    # A fresh checker per pair: it memoises on object ids, which cached schemas share.
    result = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
    if result.compatibility is SchemaCompatibilityType.compatible:
        return []
    kinds = ", ".join(sorted({i.value for i in result.incompatibilities})) or "incompatible"
    where = ", ".join(sorted(result.locations))
    detail = "; ".join(sorted(result.messages))
    return [f"{label}: {kinds} at {where}: {detail}"]


def check(
    level: Level,
    new: avro.schema.Schema,
    existing: Sequence[tuple[int, avro.schema.Schema]],
) -> list[str]:
    """Messages explaining why ``new`` breaks ``level`` against ``existing``; empty if it fits.

    ``existing`` holds ``(version, schema)`` of the live versions, oldest first. Non-transitive
    levels look at the newest one only, as Confluent does.
    """
    if level is Level.NONE or not existing:
        return []
    targets = existing if level.transitive else existing[-1:]
    messages: list[str] = []
    for version, old in targets:
        if level.backward:
            messages += _pair(new, old, f"new schema cannot read version {version} (backward)")
        if level.forward:
            messages += _pair(old, new, f"version {version} cannot read new schema (forward)")
    return messages
