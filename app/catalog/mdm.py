"""Master-data management: several source feeds merged into one golden product record.

Each feed (PIM, supplier file, marketplace, regulatory register...) sends partial product
records. :func:`merge` picks, field by field, the surviving value by declared rules:

* ``priority``: the first source in the rule's list that has a value wins; sources not listed
  rank after the listed ones; ties go to the most recent record;
* ``most_recent``: the newest record with a value wins; ties go to source priority;
* never overwrite with null: a ``None`` is "no information", never a value. A field no source
  has any more keeps the previous golden value and its lineage.

Ties end on the source name, so the result never depends on the order records arrive in.
Lineage records, per field, the source and observation time of the surviving value; it is
stored in ``products.lineage`` next to the golden record (:func:`ingest`).

Nested ``attributes`` are merged per attribute: the field name is ``attributes.<name>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import asyncpg

from app.catalog.db import Database, dumps, loads
from app.catalog.errors import CatalogValidationError

Strategy = Literal["priority", "most_recent"]

#: Golden-record fields stored in their own ``products`` column; the rest are attributes.
COLUMNS = ("name", "brand", "description", "category_id", "requires_prescription")


@dataclass(frozen=True)
class SourceRecord:
    source: str
    observed_at: datetime
    values: Mapping[str, Any]


@dataclass(frozen=True)
class FieldRule:
    strategy: Strategy = "most_recent"
    priority: tuple[str, ...] = ()


@dataclass(frozen=True)
class Survivorship:
    rules: Mapping[str, FieldRule] = field(default_factory=dict)
    default: FieldRule = FieldRule()
    #: Tie-break order shared by every rule; a rule's own ``priority`` comes first.
    source_priority: tuple[str, ...] = ()

    def rule(self, name: str) -> FieldRule:
        return self.rules.get(name, self.default)


@dataclass(frozen=True)
class Lineage:
    source: str
    observed_at: datetime

    def as_json(self) -> dict[str, str]:
        return {"source": self.source, "observed_at": self.observed_at.isoformat()}


@dataclass(frozen=True)
class Golden:
    values: dict[str, Any]
    lineage: dict[str, Lineage]


DEFAULT_SURVIVORSHIP = Survivorship(
    rules={
        "name": FieldRule("priority", ("pim", "supplier", "marketplace")),
        "brand": FieldRule("priority", ("supplier", "pim", "marketplace")),
        "category_id": FieldRule("priority", ("pim", "marketplace", "supplier")),
        "requires_prescription": FieldRule("priority", ("regulatory", "pim", "supplier")),
        "description": FieldRule("most_recent"),
    },
    default=FieldRule("most_recent"),
    source_priority=("pim", "regulatory", "supplier", "marketplace"),
)


def flatten(values: Mapping[str, Any]) -> dict[str, Any]:
    """``{"attributes": {"color": "x"}}`` → ``{"attributes.color": "x"}``."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if key == "attributes" and isinstance(value, Mapping):
            flat.update({f"attributes.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


def _rank(order: tuple[str, ...], source: str) -> int:
    return order.index(source) if source in order else len(order)


def _winner(
    name: str, rule: FieldRule, shared: tuple[str, ...], candidates: list[SourceRecord]
) -> SourceRecord:
    def key(r: SourceRecord) -> tuple[Any, ...]:
        rank = (_rank(rule.priority, r.source), _rank(shared, r.source))
        newest = -r.observed_at.timestamp()
        first = (*rank, newest) if rule.strategy == "priority" else (newest, *rank)
        # Last resort for two records of one source at one instant: the value itself.
        return (*first, r.source, dumps(r.values[name]))

    return min(candidates, key=key)


def merge(
    records: Iterable[SourceRecord],
    rules: Survivorship = DEFAULT_SURVIVORSHIP,
    previous: Golden | None = None,
) -> Golden:
    """The golden record of ``records`` (flattened field names) with its lineage."""
    flat = [SourceRecord(r.source, r.observed_at, flatten(r.values)) for r in records]
    values = dict(previous.values) if previous else {}
    lineage = dict(previous.lineage) if previous else {}
    names = sorted({k for r in flat for k, v in r.values.items() if v is not None})
    for name in names:
        candidates = [r for r in flat if r.values.get(name) is not None]
        best = _winner(name, rules.rule(name), rules.source_priority, candidates)
        values[name] = best.values[name]
        lineage[name] = Lineage(best.source, best.observed_at)
    return Golden(values, lineage)


# -- persistence -------------------------------------------------------------------------------


def _previous(row: asyncpg.Record | None) -> Golden | None:
    if row is None:
        return None
    values: dict[str, Any] = {c: row[c] for c in COLUMNS if row[c] is not None}
    values.update({f"attributes.{k}": v for k, v in loads(row["attributes"]).items()})
    lineage = {
        k: Lineage(v["source"], datetime.fromisoformat(v["observed_at"]))
        for k, v in loads(row["lineage"]).items()
    }
    return Golden(values, lineage)


async def ingest(
    db: Database,
    record: SourceRecord,
    product_id: str,
    *,
    rules: Survivorship = DEFAULT_SURVIVORSHIP,
    actor: str = "mdm",
) -> Golden:
    """Store ``record`` as the latest of its source for ``product_id`` and rewrite the golden
    record and its lineage from every source's latest record, in one transaction.

    A record older than the one already held for its source is kept out (late re-delivery).
    """
    async with db.acquire() as con, con.transaction():
        await con.execute("SELECT set_config('headwater.actor', $1, true)", actor)
        # Serialises merges of one product, including its first insert.
        await con.execute("SELECT pg_advisory_xact_lock(hashtext('mdm:' || $1))", product_id)
        await con.execute(
            """
            INSERT INTO source_records (source, product_id, observed_at, payload)
            VALUES ($1, $2, $3, $4::jsonb)
            ON CONFLICT (product_id, source) DO UPDATE
               SET observed_at = EXCLUDED.observed_at, payload = EXCLUDED.payload,
                   received_at = now()
             WHERE source_records.observed_at <= EXCLUDED.observed_at
            """,
            record.source,
            product_id,
            record.observed_at,
            dumps(dict(record.values)),
        )
        rows = await con.fetch(
            "SELECT source, observed_at, payload FROM source_records WHERE product_id = $1",
            product_id,
        )
        current = await con.fetchrow(
            f"SELECT {', '.join(COLUMNS)}, attributes, lineage FROM products "
            "WHERE product_id = $1 FOR UPDATE",
            product_id,
        )
        golden = merge(
            [SourceRecord(r["source"], r["observed_at"], loads(r["payload"])) for r in rows],
            rules,
            _previous(current),
        )
        await _write(con, product_id, golden, exists=current is not None)
        return golden


async def _write(con: asyncpg.Connection, product_id: str, golden: Golden, *, exists: bool) -> None:
    for required in ("name", "category_id"):
        if golden.values.get(required) is None:
            raise CatalogValidationError(
                required,
                f"no source has given product {product_id!r} a {required}",
                f"send a record with {required} from one of the feeds first",
            )
    columns = {c: golden.values.get(c) for c in COLUMNS}
    if columns["requires_prescription"] is None:
        columns["requires_prescription"] = False
    attributes = {
        k.removeprefix("attributes."): v
        for k, v in golden.values.items()
        if k.startswith("attributes.")
    }
    lineage = {k: v.as_json() for k, v in sorted(golden.lineage.items())}
    names = list(columns)
    if exists:
        sets = ", ".join(f"{n} = ${i}" for i, n in enumerate(names, start=4))
        await con.execute(
            f"UPDATE products SET {sets}, attributes = $2::jsonb, lineage = $3::jsonb, "
            "version = version + 1, updated_at = now() WHERE product_id = $1",
            product_id,
            dumps(attributes),
            dumps(lineage),
            *columns.values(),
        )
    else:
        placeholders = ", ".join(f"${i}" for i in range(4, 4 + len(names)))
        await con.execute(
            f"INSERT INTO products (product_id, attributes, lineage, {', '.join(names)}) "
            f"VALUES ($1, $2::jsonb, $3::jsonb, {placeholders})",
            product_id,
            dumps(attributes),
            dumps(lineage),
            *columns.values(),
        )
