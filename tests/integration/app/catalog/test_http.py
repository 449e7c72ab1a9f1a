"""The catalog HTTP API on a real worker against this module's private database."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator

import asyncpg
import httpx
import pytest

from tests.integration.harness import Worker, wait_until

ADMIN = "hw_itadmin_adminsecret"
ANALYST = "hw_itanalyst_analystsecret"


async def _keys(dsn: str) -> None:
    con = await asyncpg.connect(dsn)
    try:
        for key, role in ((ADMIN, "admin"), (ANALYST, "analyst")):
            _, key_id, secret = key.split("_")
            await con.execute(
                "INSERT INTO api_keys (key_id, key_hash, role) VALUES ($1, $2, $3)",
                key_id,
                hashlib.sha256(secret.encode()).hexdigest(),
                role,
            )
    finally:
        await con.close()


@pytest.fixture(scope="module")
def worker(catalog_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    asyncio.run(_keys(catalog_dsn))
    w = Worker(tmp_path_factory.mktemp("catalog-http"), DATABASE_URL=catalog_dsn)
    try:
        w.start()
        wait_until(
            "GET /v1/taxonomy answering 200",
            lambda: w.get("/v1/taxonomy", headers=_auth(ANALYST)).status_code == 200,
            timeout=60,
        )
        yield w
    finally:
        w.cleanup()


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if key else {}


def _put(w: Worker, path: str, body: object, key: str = ADMIN) -> httpx.Response:
    return httpx.put(f"{w.url}{path}", json=body, headers=_auth(key), timeout=10)


def test_reads(worker: Worker) -> None:
    got = worker.get("/v1/products/P000001", headers=_auth(ANALYST))
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["product_id"] == "P000001"
    assert body["variants"]
    assert body["category_path"].endswith(body["category_id"])
    assert worker.get("/v1/products/NOPE", headers=_auth(ANALYST)).status_code == 404
    page = worker.get(
        "/v1/products?category=eyewear&in_stock=true&page=1&page_size=5", headers=_auth(ANALYST)
    ).json()
    assert 0 < len(page["items"]) <= 5
    assert all(i["category_path"].startswith("eyewear") and i["in_stock"] for i in page["items"])
    tree = worker.get("/v1/taxonomy", headers=_auth(ANALYST)).json()["categories"]
    assert {"eyewear", "contact-lenses"} <= {c["category_id"] for c in tree}


@pytest.mark.parametrize(
    "query", ["page=0", "page=x", "page_size=1000", "in_stock=maybe", "category=nope"]
)
def test_bad_list_queries_are_4xx_with_a_message(worker: Worker, query: str) -> None:
    got = worker.get(f"/v1/products?{query}", headers=_auth(ANALYST))
    assert got.status_code in (400, 404), got.text
    assert got.json()["error"]


def test_writes_need_admin_and_are_idempotent(worker: Worker) -> None:
    sku = worker.get("/v1/products/P000002", headers=_auth(ANALYST)).json()["variants"][0]["sku"]
    change = {"change_id": str(uuid.uuid4()), "sku": sku, "currency": "EUR", "amount": "7.77"}
    assert _put(worker, "/v1/products/P000002/price", change, key="").status_code == 401
    assert _put(worker, "/v1/products/P000002/price", change, key=ANALYST).status_code == 403
    first = _put(worker, "/v1/products/P000002/price", change)
    assert first.status_code == 200, first.text
    assert first.json()["applied"] is True
    again = _put(worker, "/v1/products/P000002/price", change)
    assert again.json()["applied"] is False
    variant = next(
        v
        for v in worker.get("/v1/products/P000002", headers=_auth(ANALYST)).json()["variants"]
        if v["sku"] == sku
    )
    assert variant["price"] == "7.77"
    stock = _put(
        worker,
        "/v1/products/P000002/inventory",
        {"change_id": str(uuid.uuid4()), "sku": sku, "location_id": "ONLINE", "quantity": 4},
    )
    assert stock.status_code == 200, stock.text
    assert stock.json()["quantity"] == 4


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("price", {"amount": "-3"}, 400, "amount"),
        ("price", {"amount": "3", "currency": "euro"}, 400, "currency"),
        ("price", {"amount": "3", "sku": "OTHER"}, 400, "sku"),
        ("inventory", {"location_id": "ONLINE", "quantity": -1}, 400, "quantity"),
        ("inventory", {"location_id": "MOON", "quantity": 1}, 404, None),
        ("inventory", {"quantity": 1}, 400, "location_id"),
    ],
)
def test_bad_writes_are_4xx_naming_the_field(
    worker: Worker, path: str, body: dict[str, object], status: int, field: str | None
) -> None:
    sku = worker.get("/v1/products/P000004", headers=_auth(ANALYST)).json()["variants"][0]["sku"]
    got = _put(
        worker,
        f"/v1/products/P000004/{path}",
        {"change_id": str(uuid.uuid4()), "sku": sku, **body},
    )
    assert got.status_code == status, got.text
    assert got.json()["error"]
    if field:
        assert got.json()["field"] == field


def test_not_json_is_400(worker: Worker) -> None:
    got = httpx.put(
        f"{worker.url}/v1/products/P000004/price", content=b"{nope", headers=_auth(ADMIN)
    )
    assert got.status_code == 400, got.text
    assert got.json()["field"] == "body"
    assert (
        _put(worker, "/v1/products/NOPE/price", {"change_id": str(uuid.uuid4())}).status_code == 404
    )
