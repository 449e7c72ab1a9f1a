"""Catalog HTTP API on every worker: reads from PostgreSQL, writes through the service layer.

GET  /v1/products/{id}              product with variants, prices, stock, media, optics
GET  /v1/products?category=&in_stock=&page=&page_size=
GET  /v1/taxonomy                   the category tree with stable paths
PUT  /v1/products/{id}/price        {"change_id", "sku"?, "currency", "amount"}
PUT  /v1/products/{id}/inventory    {"change_id", "sku"?, "location_id", "quantity"|"delta",
                                     "expected_version"?}

Reads need the ``service``/``analyst`` role, writes ``admin`` (see app/auth.py). Bad input is a
400 naming the field, an unknown id a 404, a lost optimistic race a 409, PostgreSQL down a 503.
``change_id`` may come as the ``Idempotency-Key`` header instead: a retry applies nothing twice.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from faust.web import Request, Response, View

from app.catalog import queries
from app.catalog.errors import CatalogConflict, CatalogNotFound, CatalogValidationError
from app.catalog.service import CatalogService
from app.core import app
from app.errors import ServiceUnavailable
from app.web.base import require

log = logging.getLogger(__name__)
READ_ROLES = ("service", "analyst", "admin")
WRITE_ROLES = ("admin",)
MAX_PAGE_SIZE = 200

Handler = Callable[..., Awaitable[Response]]


def _answers_errors(fn: Handler) -> Handler:
    """Map catalog errors to 4xx and a database outage to 503, each as a JSON message."""

    @functools.wraps(fn)
    async def wrapper(view: View, request: Request, **kwargs: Any) -> Response:
        try:
            return await fn(view, request, **kwargs)
        except CatalogValidationError as err:
            return view.error(400, str(err), field=err.field)
        except CatalogNotFound as err:
            return view.error(404, str(err))
        except CatalogConflict as err:
            return view.error(409, str(err), current_version=err.actual)
        except (ServiceUnavailable, OSError, asyncpg.InterfaceError) as err:
            log.warning("catalog view %s: %s", request.url, err)
            return view.error(503, "the catalog database is unavailable; retry shortly")

    return wrapper


def _int(query: Any, name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as err:
        raise CatalogValidationError(name, f"{raw!r} is not an integer", "send a number") from err
    if not low <= value <= high:
        raise CatalogValidationError(
            name, f"{value} is out of range", f"send a value from {low} to {high}"
        )
    return value


def _bool(query: Any, name: str) -> bool | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise CatalogValidationError(name, f"{raw!r} is not a boolean", "send true or false")


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as err:
        raise CatalogValidationError("body", "is not valid JSON", "send a JSON object") from err
    if not isinstance(body, dict):
        raise CatalogValidationError("body", "is not a JSON object", "send a JSON object")
    header = request.headers.get("Idempotency-Key")
    if header and "change_id" not in body:
        body["change_id"] = header
    if "change_id" not in body:
        raise CatalogValidationError(
            "change_id", "is missing", "send a new UUID per change (body or Idempotency-Key)"
        )
    return body


async def _sku(con: asyncpg.Connection, product_id: str, body: dict[str, Any]) -> str:
    """The body's SKU, checked to belong to the product; optional for single-SKU products."""
    skus = [r[0] for r in await con.fetch(
        "SELECT sku FROM variants WHERE product_id = $1 ORDER BY sku", product_id
    )]  # fmt: skip
    if not skus:
        raise CatalogNotFound("product", product_id)
    sku = body.get("sku")
    if sku is None:
        if len(skus) > 1:
            raise CatalogValidationError(
                "sku", f"product {product_id} has {len(skus)} SKUs", f"send one of {skus}"
            )
        return str(skus[0])
    if sku not in skus:
        raise CatalogValidationError(
            "sku", f"{sku!r} is not a SKU of {product_id}", f"send one of {skus}"
        )
    return str(sku)


@app.page("/v1/products/{product_id}")
class Product(View):
    @_answers_errors
    async def get(self, request: Request, product_id: str) -> Response:
        await require(self, request, *READ_ROLES)
        async with app.components.postgres.acquire() as con:
            body = await queries.product_detail(con, product_id)
        if body is None:
            raise CatalogNotFound("product", product_id)
        return self.json(body)


@app.page("/v1/products")
class Products(View):
    @_answers_errors
    async def get(self, request: Request) -> Response:
        await require(self, request, *READ_ROLES)
        q = request.query
        page = _int(q, "page", 1, 1, 1_000_000)
        page_size = _int(q, "page_size", 50, 1, MAX_PAGE_SIZE)
        in_stock = _bool(q, "in_stock")
        category = q.get("category") or None
        async with app.components.postgres.acquire() as con:
            if category is not None and not await queries.category_exists(con, category):
                raise CatalogNotFound("category", category)
            body = await queries.list_products(
                con, category=category, in_stock=in_stock, page=page, page_size=page_size
            )
        return self.json(body)


@app.page("/v1/taxonomy")
class Taxonomy(View):
    @_answers_errors
    async def get(self, request: Request) -> Response:
        await require(self, request, *READ_ROLES)
        async with app.components.postgres.acquire() as con:
            return self.json({"categories": await queries.taxonomy_tree(con)})


@app.page("/v1/products/{product_id}/price")
class Price(View):
    @_answers_errors
    async def put(self, request: Request, product_id: str) -> Response:
        principal = await require(self, request, *WRITE_ROLES)
        body = await _body(request)
        async with app.components.postgres.acquire() as con:
            sku = await _sku(con, product_id, body)
        done = await CatalogService(app.components.postgres).set_price(
            change_id=body["change_id"],
            sku=sku,
            currency=body.get("currency", "EUR"),
            amount=body.get("amount"),
            actor=f"api:{principal.key_id}",
        )
        return self.json({"applied": done.applied, **done.result})


@app.page("/v1/products/{product_id}/inventory")
class Inventory(View):
    @_answers_errors
    async def put(self, request: Request, product_id: str) -> Response:
        principal = await require(self, request, *WRITE_ROLES)
        body = await _body(request)
        location = body.get("location_id")
        if not isinstance(location, str) or not location:
            raise CatalogValidationError("location_id", "is missing", "send a location id")
        async with app.components.postgres.acquire() as con:
            sku = await _sku(con, product_id, body)
        service = CatalogService(app.components.postgres)
        actor = f"api:{principal.key_id}"
        if ("quantity" in body) == ("delta" in body):
            raise CatalogValidationError(
                "quantity", "exactly one of quantity or delta is needed", "send one of them"
            )
        if "delta" in body:
            done = await service.adjust_inventory(
                change_id=body["change_id"],
                sku=sku,
                location_id=location,
                delta=body["delta"],
                actor=actor,
            )
        else:
            done = await service.set_inventory(
                change_id=body["change_id"],
                sku=sku,
                location_id=location,
                quantity=body["quantity"],
                expected_version=body.get("expected_version"),
                actor=actor,
            )
        return self.json({"applied": done.applied, **done.result})
