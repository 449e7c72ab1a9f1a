"""Schema texts shared by the registry unit tests."""

from __future__ import annotations

import json
from typing import Any


def record(*fields: dict[str, Any], name: str = "Order") -> str:
    return json.dumps({"type": "record", "name": name, "namespace": "t", "fields": list(fields)})


A = {"name": "a", "type": "int"}
B = {"name": "b", "type": "string"}
B_DEFAULT = {"name": "b", "type": "string", "default": ""}
A_STRING = {"name": "a", "type": "string"}

V1 = record(A)
ADD_WITH_DEFAULT = record(A, B_DEFAULT)
ADD_WITHOUT_DEFAULT = record(A, B)
CHANGE_TYPE = record(A_STRING)
