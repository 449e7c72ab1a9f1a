"""Product attributes (JSONB) checked against the per-category attribute definitions.

Pure functions: the service layer calls :func:`violations` before writing and the quality check
runs it over what is stored, which also catches attributes written by plain SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.catalog.db import loads


@dataclass(frozen=True)
class AttributeDefinition:
    name: str
    type: str  # text | number | integer | boolean | enum
    required: bool = False
    allowed: tuple[Any, ...] | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    unit: str | None = None


def _type_problem(d: AttributeDefinition, value: Any) -> str | None:
    if d.type == "text":
        return None if isinstance(value, str) else "must be a string"
    if d.type == "boolean":
        return None if isinstance(value, bool) else "must be true or false"
    if d.type in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be a{'n integer' if d.type == 'integer' else ' number'}"
        if d.type == "integer" and not float(value).is_integer():
            return "must be an integer"
        if d.min_value is not None and Decimal(str(value)) < d.min_value:
            return f"must be at least {d.min_value}"
        if d.max_value is not None and Decimal(str(value)) > d.max_value:
            return f"must be at most {d.max_value}"
        return None
    if d.type == "enum":
        allowed = d.allowed or ()
        return None if value in allowed else f"must be one of {', '.join(map(str, allowed))}"
    return f"has unknown definition type {d.type!r}"


def violations(
    definitions: Iterable[AttributeDefinition], attributes: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """``[(attribute, problem), ...]``; empty when ``attributes`` fits ``definitions``."""
    by_name = {d.name: d for d in definitions}
    found: list[tuple[str, str]] = []
    for name, d in sorted(by_name.items()):
        if name not in attributes or attributes[name] is None:
            if d.required:
                found.append((name, "is required for this category"))
            continue
        problem = _type_problem(d, attributes[name])
        if problem:
            found.append((name, problem))
    for name in sorted(set(attributes) - set(by_name)):
        found.append((name, "is not defined for this category"))
    return found


def from_row(row: Mapping[str, Any]) -> AttributeDefinition:
    allowed = loads(row["allowed"])
    return AttributeDefinition(
        name=row["name"],
        type=row["type"],
        required=row["required"],
        allowed=tuple(allowed) if allowed is not None else None,
        min_value=row["min_value"],
        max_value=row["max_value"],
        unit=row["unit"],
    )


#: Definitions of a category and its ancestors (paths are ``root/child/...``).
DEFINITIONS_SQL = """
SELECT d.name, d.type, d.required, d.allowed, d.min_value, d.max_value, d.unit
  FROM taxonomy c
  JOIN taxonomy a ON c.path = a.path OR c.path LIKE a.path || '/%'
  JOIN attribute_definitions d ON d.category_id = a.category_id
 WHERE c.category_id = $1
 ORDER BY a.depth
"""
