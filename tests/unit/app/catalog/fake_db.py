"""A PostgreSQL stand-in for the product read model: rows in a dict, reads that can be held.

It answers the two spellings of the read model's query (every active product; products by
id) from :attr:`FakeDB.rows`, counts reads, and can hold the next read until released, so a
test can change the rows or apply a change while a read is in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any


def row(
    product_id: str,
    *,
    brand: str | None = "Acme",
    path: str = "eyewear/frames",
    price: str | None = "10.00",
    stock: int = 3,
    active: bool = True,
    power: tuple[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "name": f"Product {product_id}",
        "brand": brand,
        "category_path": path,
        "price": None if price is None else Decimal(price),
        "stock": stock,
        "active": active,
        "power_min": None if power is None else Decimal(power[0]),
        "power_max": None if power is None else Decimal(power[1]),
    }


class FakeDB:
    def __init__(self, *rows: dict[str, Any]) -> None:
        self.rows: dict[str, dict[str, Any]] = {r["product_id"]: r for r in rows}
        self.reads: list[list[str] | None] = []  # ids per read; None for "every active"
        self.down = False
        self._hold: asyncio.Event | None = None
        self.holding = asyncio.Event()

    def hold_next_read(self) -> asyncio.Event:
        """The next read takes its snapshot, then waits until the returned event is set."""
        self._hold = asyncio.Event()
        self.holding.clear()
        return self._hold

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[FakeDB]:
        if self.down:
            raise OSError("connection refused")
        yield self

    async def fetch(self, query: str, currency: str, ids: list[str] | None = None) -> list[Any]:
        assert currency == "EUR"
        self.reads.append(ids)
        if ids is None:
            snapshot = [dict(r) for r in self.rows.values() if r["active"]]
        else:
            snapshot = [dict(self.rows[i]) for i in ids if i in self.rows]
        if self._hold is not None:
            hold, self._hold = self._hold, None
            self.holding.set()
            await hold.wait()
        return snapshot
