"""State lives in the topic: a restarted or second registry serves the same ids and versions."""

from __future__ import annotations

import httpx

from tests.integration.harness import unique, wait_until
from tests.integration.registry.avro_schemas import B_DEFAULT, A, text
from tests.integration.registry.conftest import Factory


def register(url: str, subject: str, schema: str) -> int:
    answer = httpx.post(f"{url}/subjects/{subject}/versions", json={"schema": schema}, timeout=30)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["id"])


def snapshot(url: str) -> dict[str, list[tuple[int, int]]]:
    """subject → [(version, id)] for every live subject."""
    state: dict[str, list[tuple[int, int]]] = {}
    for subject in httpx.get(f"{url}/subjects", timeout=30).json():
        versions = httpx.get(f"{url}/subjects/{subject}/versions", timeout=30).json()
        state[subject] = [
            (v, httpx.get(f"{url}/subjects/{subject}/versions/{v}", timeout=30).json()["id"])
            for v in versions
        ]
    return state


def test_restart_keeps_ids_and_versions(registry_factory: Factory) -> None:
    first = registry_factory().start()
    orders, gone = unique("orders-value"), unique("gone-value")
    register(first.url, orders, text(A))
    register(first.url, orders, text(A, B_DEFAULT))
    top = register(first.url, gone, text({"name": "z", "type": "bytes"}))
    httpx.put(f"{first.url}/config/{orders}", json={"compatibility": "FULL"}, timeout=30)
    # Hard-delete the subject holding the highest id: the id must still never come back.
    httpx.delete(f"{first.url}/subjects/{gone}", timeout=30)
    httpx.delete(f"{first.url}/subjects/{gone}?permanent=true", timeout=30)
    before = snapshot(first.url)
    assert before == {orders: [(1, top - 2), (2, top - 1)]}
    first.stop()

    second = registry_factory(first.topic).start()
    assert snapshot(second.url) == before
    level = httpx.get(f"{second.url}/config/{orders}", timeout=30).json()
    assert level == {"compatibilityLevel": "FULL"}
    assert register(second.url, unique("new-value"), text({"name": "n", "type": "long"})) == top + 1


def test_second_instance_sees_the_first_ones_writes(registry_factory: Factory) -> None:
    writer = registry_factory().start()
    reader = registry_factory(writer.topic).start()
    subject = unique("shared-value")
    schema_id = register(writer.url, subject, text(A))

    def seen() -> bool:
        answer = httpx.get(f"{reader.url}/subjects/{subject}/versions/latest", timeout=5)
        return answer.status_code == 200 and answer.json()["id"] == schema_id

    wait_until(f"second registry serving {subject}", seen, timeout=15)
