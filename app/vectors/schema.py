"""The four logical collections, their physical names and the record written to them.

A logical collection (``products``) has one physical collection per model version
(``<prefix>products_<version>``) and an alias ``<prefix>products`` naming the live one; the
alias ``<prefix>products__previous`` remembers what ``rollback`` returns to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from app.vectors.encoders import check_version
from app.vectors.errors import VectorError
from app.vectors.validation import Bounds

KINDS = ("products", "users", "sessions", "content")
FILTERED = frozenset({"products", "content"})  # the kinds recommendation filters apply to
DEFAULT_DIM = 64
DEFAULT_PREFIX = "hw_"
_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")

# HNSW is what Milvus Lite builds with faiss; unsupported types are silently not built, so the
# type is fixed here rather than configurable. ef at search time trades latency for recall.
INDEX_PARAMS = {
    "index_type": "HNSW",
    "metric_type": "IP",
    "params": {"M": 16, "efConstruction": 128},
}
SEARCH_PARAMS = {"metric_type": "IP", "params": {"ef": 128}}


@dataclass(frozen=True)
class Spec:
    kind: str
    dim: int = DEFAULT_DIM

    @property
    def filtered(self) -> bool:
        return self.kind in FILTERED

    @property
    def bounds(self) -> Bounds:
        return Bounds(self.dim)


@dataclass(frozen=True)
class VectorRecord:
    """One row: ``updated_at`` is epoch milliseconds of the source change (not of the write)."""

    id: str
    vector: npt.ArrayLike
    model_version: str
    updated_at: int
    category: str = ""
    in_stock: bool = False
    price_band: str = ""

    def row(self, vector: npt.NDArray[np.float32], filtered: bool) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": self.id,
            "vector": vector.tolist(),
            "model_version": self.model_version,
            "updated_at": int(self.updated_at),
        }
        if filtered:
            row.update(category=self.category, in_stock=self.in_stock, price_band=self.price_band)
        return row


@dataclass(frozen=True)
class Names:
    """Physical and alias names under one prefix (tests use their own prefix)."""

    prefix: str = DEFAULT_PREFIX

    def __post_init__(self) -> None:
        if not _PREFIX.match(self.prefix):
            raise VectorError(
                f"collection prefix {self.prefix!r} is invalid; use letters, digits and "
                "underscores, starting with a letter or underscore (for example 'hw_')"
            )

    def kind(self, kind: str) -> str:
        if kind not in KINDS:
            raise VectorError(f"unknown vector collection {kind!r}; use one of {', '.join(KINDS)}")
        return kind

    def physical(self, kind: str, version: str) -> str:
        return f"{self.prefix}{self.kind(kind)}_{check_version(version)}"

    def alias(self, kind: str) -> str:
        return f"{self.prefix}{self.kind(kind)}"

    def previous_alias(self, kind: str) -> str:
        return f"{self.prefix}{self.kind(kind)}__previous"

    def version_of(self, kind: str, physical: str) -> str:
        head = f"{self.prefix}{kind}_"
        if not physical.startswith(head):
            raise VectorError(f"collection {physical!r} is not a version of {head}*")
        return physical[len(head) :]


def milvus_schema(client: Any, spec: Spec) -> Any:
    """The pymilvus schema of one physical collection (built with the sync client)."""
    from pymilvus import DataType

    s = client.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("id", DataType.VARCHAR, is_primary=True, max_length=128)
    s.add_field("vector", DataType.FLOAT_VECTOR, dim=spec.dim)
    s.add_field("model_version", DataType.VARCHAR, max_length=64)
    s.add_field("updated_at", DataType.INT64)
    if spec.filtered:
        # Scalar fields, not JSON: Milvus Lite filters on JSON far more slowly (measurements:
        # docs/benchmarks.md, Design decisions, app/vectors/schema.py).
        s.add_field("category", DataType.VARCHAR, max_length=128)
        s.add_field("in_stock", DataType.BOOL)
        s.add_field("price_band", DataType.VARCHAR, max_length=32)
    return s


def filter_expr(
    category: str | None = None, in_stock: bool | None = None, price_band: str | None = None
) -> str:
    """A Milvus boolean expression on the scalar fields; strings are escaped."""
    parts = []
    if category is not None:
        parts.append(f"category == {_quote(category)}")
    if in_stock is not None:
        parts.append(f"in_stock == {'true' if in_stock else 'false'}")
    if price_band is not None:
        parts.append(f"price_band == {_quote(price_band)}")
    return " and ".join(parts)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
