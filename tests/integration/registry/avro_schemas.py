"""Small Avro schemas for the registry integration tests."""

from __future__ import annotations

import json
from typing import Any

A = {"name": "a", "type": "int"}
A_STRING = {"name": "a", "type": "string"}
B = {"name": "b", "type": "string"}
B_DEFAULT = {"name": "b", "type": "string", "default": ""}


def record(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": "Order", "namespace": "it", "fields": list(fields)}


def text(*fields: dict[str, Any]) -> str:
    return json.dumps(record(*fields))
