"""The one write path for catalog changes: transactional, validated, idempotent by change id.

Every public method runs in one transaction that

1. records the caller's ``change_id`` in ``applied_changes`` (``ON CONFLICT DO NOTHING``): a
   retried change finds its row and returns the first result without applying it again; a
   concurrent duplicate blocks on the primary key until the first commits, then does the same;
2. sets ``headwater.actor`` for the audit trigger;
3. locks the rows it reads before writing them (``FOR UPDATE``), so concurrent conflicting
   changes serialise: deltas all apply (no lost update), and a stale ``expected_version`` loses
   with :class:`CatalogConflict`.

The audit rows and outbox rows are written by the database triggers of the same transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import asyncpg

from app.catalog import attributes as attrs
from app.catalog.db import Database, dumps, loads
from app.catalog.errors import CatalogConflict, CatalogNotFound, CatalogValidationError

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_MAX_AMOUNT = Decimal("9999999999.99")
_MAX_QUANTITY = 10_000_000
#: Product fields a service-layer update may change.
PRODUCT_FIELDS = frozenset(
    {"name", "brand", "description", "category_id", "attributes", "requires_prescription"}
)


@dataclass(frozen=True)
class ChangeResult:
    change_id: uuid.UUID
    #: False when this change id had been applied before: nothing was changed this time.
    applied: bool
    entity_id: str
    result: dict[str, Any] = field(default_factory=dict)


def parse_change_id(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError as err:
        raise CatalogValidationError(
            "change_id", f"{value!r} is not a UUID", "send a new UUID (v4) per change"
        ) from err


def parse_amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation as err:
        raise CatalogValidationError(
            "amount", f"{value!r} is not a number", 'send a decimal such as "19.99"'
        ) from err
    if not amount.is_finite() or amount <= 0 or amount > _MAX_AMOUNT:
        raise CatalogValidationError(
            "amount", f"{value!r} is out of range", f"send a price above 0 and up to {_MAX_AMOUNT}"
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise CatalogValidationError(
            "amount", f"{value!r} has more than two decimals", "round it to cents"
        )
    return amount


def parse_currency(value: Any) -> str:
    if not isinstance(value, str) or not _CURRENCY.match(value):
        raise CatalogValidationError(
            "currency", f"{value!r} is not an ISO 4217 code", 'send three capitals such as "EUR"'
        )
    return value


def parse_quantity(value: Any, name: str = "quantity", *, signed: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CatalogValidationError(name, f"{value!r} is not an integer", "send a whole number")
    low = -_MAX_QUANTITY if signed else 0
    if not low <= value <= _MAX_QUANTITY:
        raise CatalogValidationError(
            name, f"{value} is out of range", f"send a number between {low} and {_MAX_QUANTITY}"
        )
    return value


def parse_version(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CatalogValidationError(
            "expected_version", f"{value!r} is not a version", "send the version you last read"
        )
    return value


class CatalogService:
    """Price, inventory and product changes; reads live in :mod:`app.catalog.queries`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _begin(
        self, con: asyncpg.Connection, change_id: uuid.UUID, kind: str, entity_id: str, actor: str
    ) -> ChangeResult | None:
        """Claim ``change_id``; return the earlier result when it was applied before."""
        await con.execute("SELECT set_config('headwater.actor', $1, true)", actor)
        claimed = await con.fetchval(
            "INSERT INTO applied_changes (change_id, kind, entity_id) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING RETURNING change_id",
            change_id,
            kind,
            entity_id,
        )
        if claimed is not None:
            return None
        row = await con.fetchrow(
            "SELECT kind, entity_id, result FROM applied_changes WHERE change_id = $1", change_id
        )
        assert row is not None
        if (row["kind"], row["entity_id"]) != (kind, entity_id):
            raise CatalogValidationError(
                "change_id",
                f"{change_id} was already used for {row['kind']} of {row['entity_id']!r}",
                "send a new UUID for every distinct change",
            )
        return ChangeResult(change_id, False, entity_id, loads(row["result"]) or {})

    async def _finish(
        self, con: asyncpg.Connection, change_id: uuid.UUID, entity_id: str, result: dict[str, Any]
    ) -> ChangeResult:
        await con.execute(
            "UPDATE applied_changes SET result = $2::jsonb WHERE change_id = $1",
            change_id,
            dumps(result),
        )
        return ChangeResult(change_id, True, entity_id, result)

    async def _variant(self, con: asyncpg.Connection, sku: str) -> str:
        # FOR NO KEY UPDATE serialises changes to one SKU without blocking FK checks.
        product_id = await con.fetchval(
            "SELECT product_id FROM variants WHERE sku = $1 FOR NO KEY UPDATE", sku
        )
        if product_id is None:
            raise CatalogNotFound("sku", sku)
        return str(product_id)

    async def set_price(
        self,
        *,
        change_id: Any,
        sku: str,
        currency: Any,
        amount: Any,
        actor: str,
        valid_from: datetime | None = None,
    ) -> ChangeResult:
        """Close the open price window of ``sku``/``currency`` and open a new one."""
        cid = parse_change_id(change_id)
        cur = parse_currency(currency)
        value = parse_amount(amount)
        async with self.db.acquire() as con, con.transaction():
            earlier = await self._begin(con, cid, "price", sku, actor)
            if earlier is not None:
                return earlier
            product_id = await self._variant(con, sku)
            start = valid_from or await con.fetchval("SELECT now()")
            open_row = await con.fetchrow(
                "SELECT price_id, amount, valid_from FROM prices "
                "WHERE sku = $1 AND currency = $2 AND valid_to IS NULL",
                sku,
                cur,
            )
            if open_row is not None and open_row["valid_from"] > start:
                raise CatalogValidationError(
                    "valid_from",
                    f"{start.isoformat()} is before the open price of {sku} "
                    f"({open_row['valid_from'].isoformat()})",
                    "send a later valid_from or omit it to mean now",
                )
            if open_row is not None:
                await con.execute(
                    "UPDATE prices SET valid_to = $2 WHERE price_id = $1",
                    open_row["price_id"],
                    start,
                )
            price_id = await con.fetchval(
                "INSERT INTO prices (sku, product_id, currency, amount, valid_from) "
                "VALUES ($1, $2, $3, $4, $5) RETURNING price_id",
                sku,
                product_id,
                cur,
                value,
                start,
            )
            result = {
                "product_id": product_id,
                "sku": sku,
                "currency": cur,
                "amount": str(value),
                "price_id": price_id,
                "previous": str(open_row["amount"]) if open_row else None,
            }
            return await self._finish(con, cid, sku, result)

    async def _inventory_row(
        self, con: asyncpg.Connection, sku: str, location_id: str
    ) -> tuple[str, asyncpg.Record | None]:
        product_id = await self._variant(con, sku)
        if not await con.fetchval("SELECT 1 FROM locations WHERE location_id = $1", location_id):
            raise CatalogNotFound("location", location_id)
        row = await con.fetchrow(
            "SELECT quantity, version FROM inventory "
            "WHERE sku = $1 AND location_id = $2 FOR UPDATE",
            sku,
            location_id,
        )
        return product_id, row

    async def _write_inventory(
        self,
        con: asyncpg.Connection,
        product_id: str,
        sku: str,
        location_id: str,
        quantity: int,
        exists: bool,
    ) -> int:
        if exists:
            version: int = await con.fetchval(
                "UPDATE inventory SET quantity = $3, version = version + 1, updated_at = now() "
                "WHERE sku = $1 AND location_id = $2 RETURNING version",
                sku,
                location_id,
                quantity,
            )
            return version
        version = await con.fetchval(
            "INSERT INTO inventory (sku, product_id, location_id, quantity) "
            "VALUES ($1, $2, $3, $4) RETURNING version",
            sku,
            product_id,
            location_id,
            quantity,
        )
        return version

    async def set_inventory(
        self,
        *,
        change_id: Any,
        sku: str,
        location_id: str,
        quantity: Any,
        actor: str,
        expected_version: Any = None,
    ) -> ChangeResult:
        """Set the stock of ``sku`` at ``location_id``; with ``expected_version`` it is a
        compare-and-set (0 means "the row must not exist yet")."""
        cid = parse_change_id(change_id)
        qty = parse_quantity(quantity)
        expected = parse_version(expected_version)
        key = f"{sku}/{location_id}"
        async with self.db.acquire() as con, con.transaction():
            earlier = await self._begin(con, cid, "inventory", key, actor)
            if earlier is not None:
                return earlier
            product_id, row = await self._inventory_row(con, sku, location_id)
            actual = row["version"] if row is not None else 0
            if expected is not None and expected != actual:
                raise CatalogConflict("inventory", key, expected, actual)
            version = await self._write_inventory(
                con, product_id, sku, location_id, qty, row is not None
            )
            result = {
                "product_id": product_id,
                "sku": sku,
                "location_id": location_id,
                "quantity": qty,
                "version": version,
            }
            return await self._finish(con, cid, key, result)

    async def adjust_inventory(
        self,
        *,
        change_id: Any,
        sku: str,
        location_id: str,
        delta: Any,
        actor: str,
        allow_negative: bool = False,
    ) -> ChangeResult:
        """Add ``delta`` (negative to take) to the stock of ``sku`` at ``location_id``."""
        cid = parse_change_id(change_id)
        step = parse_quantity(delta, "delta", signed=True)
        key = f"{sku}/{location_id}"
        async with self.db.acquire() as con, con.transaction():
            earlier = await self._begin(con, cid, "inventory", key, actor)
            if earlier is not None:
                return earlier
            product_id, row = await self._inventory_row(con, sku, location_id)
            quantity = (row["quantity"] if row is not None else 0) + step
            if quantity < 0 and not allow_negative:
                raise CatalogValidationError(
                    "delta",
                    f"{step} would leave {quantity} of {sku} at {location_id}",
                    "take at most what is in stock, or allow back-orders",
                )
            version = await self._write_inventory(
                con, product_id, sku, location_id, quantity, row is not None
            )
            result = {
                "product_id": product_id,
                "sku": sku,
                "location_id": location_id,
                "quantity": quantity,
                "version": version,
            }
            return await self._finish(con, cid, key, result)

    async def update_product(
        self,
        *,
        change_id: Any,
        product_id: str,
        changes: Mapping[str, Any],
        actor: str,
        expected_version: Any = None,
    ) -> ChangeResult:
        """Change product fields; ``attributes`` is merged (a ``None`` value removes a key)
        and the result is validated against the category's attribute definitions."""
        cid = parse_change_id(change_id)
        expected = parse_version(expected_version)
        unknown = sorted(set(changes) - PRODUCT_FIELDS)
        if unknown:
            raise CatalogValidationError(
                unknown[0],
                "cannot be changed here",
                f"send only {', '.join(sorted(PRODUCT_FIELDS))}",
            )
        for name in ("name", "category_id"):
            if name in changes and (not isinstance(changes[name], str) or not changes[name]):
                raise CatalogValidationError(name, "must be a non-empty string", "send a value")
        if "attributes" in changes and not isinstance(changes["attributes"], Mapping):
            raise CatalogValidationError("attributes", "must be an object", "send a JSON object")
        async with self.db.acquire() as con, con.transaction():
            earlier = await self._begin(con, cid, "product", product_id, actor)
            if earlier is not None:
                return earlier
            row = await con.fetchrow(
                "SELECT category_id, attributes, version FROM products "
                "WHERE product_id = $1 FOR UPDATE",
                product_id,
            )
            if row is None:
                raise CatalogNotFound("product", product_id)
            if expected is not None and expected != row["version"]:
                raise CatalogConflict("product", product_id, expected, row["version"])
            category = changes.get("category_id", row["category_id"])
            merged = dict(loads(row["attributes"]))
            for k, v in dict(changes.get("attributes") or {}).items():
                if v is None:
                    merged.pop(k, None)
                else:
                    merged[k] = v
            await self.check_attributes(con, category, merged)
            values = {k: v for k, v in changes.items() if k != "attributes"}
            sets = [f"{k} = ${i}" for i, k in enumerate(values, start=3)]
            sets.append("attributes = $2::jsonb")
            version = await con.fetchval(
                f"UPDATE products SET {', '.join(sets)}, version = version + 1, "
                "updated_at = now() WHERE product_id = $1 RETURNING version",
                product_id,
                dumps(merged),
                *values.values(),
            )
            result = {"product_id": product_id, "version": version, "fields": sorted(changes)}
            return await self._finish(con, cid, product_id, result)

    @staticmethod
    async def check_attributes(
        con: asyncpg.Connection, category_id: str, attributes: Mapping[str, Any]
    ) -> None:
        if not await con.fetchval("SELECT 1 FROM taxonomy WHERE category_id = $1", category_id):
            raise CatalogValidationError(
                "category_id", f"{category_id!r} is not a category", "pick one from /v1/taxonomy"
            )
        defs = [attrs.from_row(r) for r in await con.fetch(attrs.DEFINITIONS_SQL, category_id)]
        problems = attrs.violations(defs, attributes)
        if problems:
            name, problem = problems[0]
            raise CatalogValidationError(
                f"attributes.{name}",
                f"{problem} (category {category_id})",
                "fix the value or the category's attribute definitions",
            )
