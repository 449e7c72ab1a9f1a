"""The HTTP layer over the in-memory log: status codes, bodies and content type."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from registry.server import CONTENT_TYPE, make_app
from registry.service import Registry
from registry.store import Store
from tests.unit.registry.fakes import MemoryLog
from tests.unit.registry.schemas import V1


@pytest.fixture
async def client() -> AsyncIterator[TestClient[Any, Any]]:
    store = Store()
    registry = Registry(store, MemoryLog(store))
    async with TestClient(TestServer(make_app(registry))) as c:
        yield c


async def call(
    client: TestClient[Any, Any], method: str, path: str, body: object = None, raw: bytes = b""
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else raw
    resp = await client.request(method, path, data=data)
    assert resp.content_type == CONTENT_TYPE, (method, path)
    return resp.status, await resp.json(content_type=None)


async def test_register_and_read_back(client: TestClient[Any, Any]) -> None:
    assert await call(client, "POST", "/subjects/s/versions", {"schema": V1}) == (200, {"id": 1})
    status, body = await call(client, "GET", "/subjects/s/versions/latest")
    assert status == 200
    assert (body["subject"], body["version"], body["id"]) == ("s", 1, 1)
    resp = await client.get("/subjects/s/versions/1/schema")
    assert json.loads(await resp.text())["name"] == "Order"
    assert await call(client, "GET", "/schemas/ids/1/versions") == (
        200,
        [{"subject": "s", "version": 1}],
    )


MALFORMED = [
    ("POST", "/subjects/s/versions", None, b"{not json", 400, 400),
    ("POST", "/subjects/s/versions", None, b"", 422, 422),
    ("POST", "/subjects/s/versions", [1, 2], b"", 422, 422),
    ("POST", "/subjects/s/versions", {"schemaType": "AVRO"}, b"", 422, 42201),
    ("POST", "/subjects/s/versions", {"schema": 42}, b"", 422, 42201),
    ("POST", "/subjects/s/versions", {"schema": '{"type": "nope"}'}, b"", 422, 42201),
    ("POST", "/subjects/s/versions", {"schema": V1, "schemaType": "PROTOBUF"}, b"", 422, 42201),
    ("POST", "/subjects/s", {"schema": "not avro"}, b"", 422, 42201),
    ("GET", "/subjects/s/versions/abc", None, b"", 422, 42202),
    ("GET", "/subjects/s/versions/0", None, b"", 422, 42202),
    ("DELETE", "/subjects/s/versions/1.5", None, b"", 422, 42202),
    ("PUT", "/config", {"compatibility": "SIDEWAYS"}, b"", 422, 42203),
    ("PUT", "/config/s", {"level": "FULL"}, b"", 422, 42203),
    ("PUT", "/config", None, b"[]", 422, 422),
    ("GET", "/subjects/nope/versions", None, b"", 404, 40401),
    ("GET", "/schemas/ids/abc", None, b"", 404, 40403),
    ("GET", "/schemas/ids/77", None, b"", 404, 40403),
    ("GET", "/config/nope", None, b"", 404, 40408),
    ("DELETE", "/config/nope", None, b"", 404, 40401),
    ("GET", "/no/such/path", None, b"", 404, 404),
    ("PATCH", "/subjects", None, b"", 405, 405),
]


@pytest.mark.parametrize(("method", "path", "body", "raw", "status", "error_code"), MALFORMED)
async def test_malformed_requests_get_confluent_errors(
    client: TestClient[Any, Any],
    method: str,
    path: str,
    body: object,
    raw: bytes,
    status: int,
    error_code: int,
) -> None:
    got_status, got = await call(client, method, path, body, raw)
    assert got_status == status
    assert got["error_code"] == error_code
    assert isinstance(got["message"], str)
    assert got["message"]


async def test_unexpected_errors_are_500_with_a_confluent_body(
    client: TestClient[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_args: object, **_kwargs: object) -> list[str]:
        raise RuntimeError("bug")

    monkeypatch.setattr(Registry, "subjects", boom)
    assert await call(client, "GET", "/subjects") == (
        500,
        {"error_code": 500, "message": "Internal server error; see the log"},
    )


async def test_small_endpoints(client: TestClient[Any, Any]) -> None:
    assert await call(client, "GET", "/") == (200, {})
    assert await call(client, "GET", "/mode") == (200, {"mode": "READWRITE"})
    assert await call(client, "GET", "/schemas/types") == (200, ["AVRO"])
    assert await call(client, "GET", "/config/") == (200, {"compatibilityLevel": "BACKWARD"})


async def test_compatibility_verbose(client: TestClient[Any, Any]) -> None:
    await call(client, "POST", "/subjects/s/versions", {"schema": V1})
    bad = json.dumps({"type": "record", "name": "Order", "namespace": "t", "fields": []})
    quiet = await call(client, "POST", "/compatibility/subjects/s/versions/latest", {"schema": V1})
    assert quiet == (200, {"is_compatible": True})
    status, body = await call(
        client,
        "POST",
        "/compatibility/subjects/s/versions/latest?verbose=true",
        {"schema": json.dumps({**json.loads(bad), "fields": [{"name": "a", "type": "bytes"}]})},
    )
    assert status == 200
    assert body["is_compatible"] is False
    assert body["messages"]
