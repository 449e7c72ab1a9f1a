"""Every compatibility level over the REST API: one change it must allow, one it must refuse."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.integration.harness import unique
from tests.integration.registry.avro_schemas import A_STRING, B_DEFAULT, A, B, text

C_DEFAULT = {"name": "c", "type": "int", "default": 0}
CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}

# level: (history, allowed next schema, refused next schema)
LEVELS = {
    "NONE": ([text(A)], text(A_STRING), None),
    "BACKWARD": ([text(A)], text(A, B_DEFAULT), text(A, B)),
    "FORWARD": ([text(A, B)], text(A, B, {"name": "c", "type": "int"}), text(A)),
    "FULL": ([text(A)], text(A, B_DEFAULT), text(A, B)),
    # Transitive: the refused schema fits the newest version but not the first one.
    "BACKWARD_TRANSITIVE": (
        [text(A), text(A, B_DEFAULT)],
        text(A, B_DEFAULT, C_DEFAULT),
        text(A, B),
    ),
    "FORWARD_TRANSITIVE": ([text(A, B), text(A, B_DEFAULT)], text(A, B, C_DEFAULT), text(A)),
    "FULL_TRANSITIVE": ([text(A, B), text(A, B_DEFAULT)], text(A, B_DEFAULT, C_DEFAULT), text(A)),
}


def post(url: str, body: object) -> httpx.Response:
    return httpx.post(url, content=json.dumps(body), headers=CT, timeout=30)


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_level(registry: str, level: str) -> None:
    history, allowed, refused = LEVELS[level]
    subject = unique(f"level-{level.lower()}")
    versions = f"{registry}/subjects/{subject}/versions"
    put = httpx.put(
        f"{registry}/config/{subject}", json={"compatibility": level}, headers=CT, timeout=30
    )
    assert put.json() == {"compatibility": level}
    with_level = httpx.get(f"{registry}/config/{subject}", timeout=30)
    assert with_level.json() == {"compatibilityLevel": level}
    # Histories are registered under NONE so they can hold what the level itself forbids.
    httpx.put(f"{registry}/config/{subject}", json={"compatibility": "NONE"}, timeout=30)
    for schema_text in history:
        assert post(versions, {"schema": schema_text}).status_code == 200
    httpx.put(f"{registry}/config/{subject}", json={"compatibility": level}, timeout=30)

    if refused is not None:
        check = post(f"{registry}/compatibility/subjects/{subject}/versions", {"schema": refused})
        assert check.json() == {"is_compatible": False}
        answer = post(versions, {"schema": refused})
        assert answer.status_code == 409, answer.text
        assert answer.json()["error_code"] == 409
        assert subject in answer.json()["message"]
    answer = post(versions, {"schema": allowed})
    assert answer.status_code == 200, answer.text
    assert httpx.get(versions, timeout=30).json() == list(range(1, len(history) + 2))


def test_global_level_round_trip(registry: str) -> None:
    before = httpx.get(f"{registry}/config", timeout=30).json()
    assert before == {"compatibilityLevel": "BACKWARD"}
    try:
        answer = httpx.put(f"{registry}/config", json={"compatibility": "full"}, timeout=30)
        assert answer.json() == {"compatibility": "FULL"}
        assert httpx.get(f"{registry}/config", timeout=30).json() == {"compatibilityLevel": "FULL"}
    finally:
        httpx.put(f"{registry}/config", json={"compatibility": "BACKWARD"}, timeout=30)
