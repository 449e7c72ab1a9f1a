"""Raw HTTP as curl or a non-Python client sends it: content type, errors, deletes."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.integration.harness import unique
from tests.integration.registry.avro_schemas import B_DEFAULT, A, text

CT = "application/vnd.schemaregistry.v1+json"


def test_curl_like_register_with_the_confluent_content_type(registry: str) -> None:
    subject = unique("curl-value")
    answer = httpx.post(
        f"{registry}/subjects/{subject}/versions",
        content=json.dumps({"schema": text(A), "schemaType": "AVRO"}),
        headers={"Content-Type": CT, "Accept": CT},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(CT)
    schema_id = answer.json()["id"]
    got = httpx.get(f"{registry}/schemas/ids/{schema_id}", headers={"Accept": CT}, timeout=30)
    assert got.headers["content-type"].startswith(CT)
    assert json.loads(got.json()["schema"]) == json.loads(text(A))
    raw = httpx.get(f"{registry}/subjects/{subject}/versions/1/schema", timeout=30)
    assert raw.json() == json.loads(text(A))
    assert httpx.get(f"{registry}/", timeout=30).json() == {}
    assert httpx.get(f"{registry}/mode", timeout=30).json() == {"mode": "READWRITE"}


MALFORMED = [
    # (method, path suffix after /subjects/{s}, raw body, status, error_code)
    ("POST", "/versions", b"{this is not json", 400, 400),
    ("POST", "/versions", b'{"schemaType": "AVRO"}', 422, 42201),
    ("POST", "/versions", b'{"schema": "{\\"type\\": \\"record\\"}"}', 422, 42201),
    (
        "POST",
        "/versions",
        json.dumps({"schema": text(A), "schemaType": "JSON"}).encode(),
        422,
        42201,
    ),
    ("GET", "/versions/one", b"", 422, 42202),
    ("GET", "/versions/1", b"", 404, 40401),
    ("POST", "", json.dumps({"schema": text(A)}).encode(), 404, 40401),
]


@pytest.mark.parametrize(("method", "suffix", "raw", "status", "error_code"), MALFORMED)
def test_malformed_requests_get_4xx_with_a_confluent_body(
    registry: str, method: str, suffix: str, raw: bytes, status: int, error_code: int
) -> None:
    url = f"{registry}/subjects/{unique('bad')}{suffix}"
    answer = httpx.request(method, url, content=raw, headers={"Content-Type": CT}, timeout=30)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(CT)
    body = answer.json()
    assert body["error_code"] == error_code
    assert body["message"]


@pytest.mark.parametrize(
    ("path", "body", "error_code"),
    [("/config", {"compatibility": "SIDEWAYS"}, 42203), ("/config", {"nope": 1}, 42203)],
)
def test_unknown_levels_are_42203(registry: str, path: str, body: object, error_code: int) -> None:
    answer = httpx.put(f"{registry}{path}", json=body, timeout=30)
    assert answer.status_code == 422
    assert answer.json()["error_code"] == error_code


def test_soft_then_hard_delete(registry: str) -> None:
    subject = unique("delete-value")
    base = f"{registry}/subjects/{subject}"
    first = httpx.post(f"{base}/versions", json={"schema": text(A)}, timeout=30).json()["id"]
    httpx.post(f"{base}/versions", json={"schema": text(A, B_DEFAULT)}, timeout=30)

    hard_first = httpx.delete(f"{base}?permanent=true", timeout=30)
    assert (hard_first.status_code, hard_first.json()["error_code"]) == (404, 40405)
    assert httpx.delete(base, timeout=30).json() == [1, 2]
    again = httpx.delete(base, timeout=30)
    assert (again.status_code, again.json()["error_code"]) == (404, 40404)
    assert subject not in httpx.get(f"{registry}/subjects", timeout=30).json()
    assert subject in httpx.get(f"{registry}/subjects?deleted=true", timeout=30).json()
    # A soft-deleted schema still decodes by id.
    assert httpx.get(f"{registry}/schemas/ids/{first}", timeout=30).status_code == 200

    assert httpx.delete(f"{base}?permanent=true", timeout=30).json() == [1, 2]
    gone = httpx.get(f"{base}/versions?deleted=true", timeout=30)
    assert (gone.status_code, gone.json()["error_code"]) == (404, 40401)
