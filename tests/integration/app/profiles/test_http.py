"""The /v1/users endpoints on a real worker against this module's private database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import httpx
import pytest

from app.auth import Authenticator, PostgresKeyStore
from app.privacy.pseudonym import Pseudonymizer
from app.services.postgres import Postgres
from app.settings import Settings
from tests.integration.harness import Worker, unique, wait_until

PROFILE = {
    "full_name": "Grace Hopper",
    "email": "grace@example.com",
    "price_band": "gt200",
    "right_sphere": -3.0,
    "left_sphere": -2.5,
    "lens_type": "toric",
}


async def _keys(dsn: str) -> dict[str, str]:
    pg = Postgres(dsn, min_size=1, max_size=1)
    try:
        auth = Authenticator(PostgresKeyStore(pg))
        return {
            role: await auth.create(role, "profiles test")
            for role in ("admin", "service", "analyst", "ingest")
        }
    finally:
        await pg.on_stop()


@pytest.fixture(scope="module")
def keys(profiles_dsn: str) -> dict[str, str]:
    return asyncio.run(_keys(profiles_dsn))


@pytest.fixture(scope="module")
def worker(
    profiles_dsn: str, keys: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    # Own topics: the erasure tombstones consent.changes, which other workers must not see.
    w = Worker(
        tmp_path_factory.mktemp("profiles-http"),
        DATABASE_URL=profiles_dsn,
        TOPIC_PREFIX=unique("t-profiles") + ".",
    )
    try:
        w.start()
        yield w
    finally:
        w.cleanup()


def _call(w: Worker, method: str, path: str, key: str | None, **kw: object) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.request(method, f"{w.url}{path}", headers=headers, timeout=30, **kw)  # type: ignore[arg-type]


async def _access_rows(dsn: str, user_key: str) -> list[asyncpg.Record]:
    con = await asyncpg.connect(dsn)
    try:
        return await con.fetch(
            "SELECT actor_role, action, purpose, fields FROM access_log WHERE user_key = $1 "
            "ORDER BY access_id",
            user_key,
        )
    finally:
        await con.close()


def test_profile_and_gdpr_endpoints(
    worker: Worker, keys: dict[str, str], profiles_dsn: str, settings: Settings
) -> None:
    user_id = f"grace-{uuid.uuid4()}"
    user_key = Pseudonymizer(settings.pseudonym_key)(user_id)
    profile = f"/v1/users/{user_id}/profile"

    # 401 without or with a bad key, 403 for the wrong role, each with a message.
    assert _call(worker, "GET", f"/v1/users/{user_id}/export", None).status_code == 401
    assert _call(worker, "GET", f"/v1/users/{user_id}/export", "hw_nope_nope").status_code == 401
    for method, path, role in (
        ("GET", f"/v1/users/{user_id}/export", "service"),
        ("DELETE", f"/v1/users/{user_id}", "analyst"),
        ("PUT", profile, "analyst"),
        ("GET", f"{profile}?purpose=analytics", "ingest"),
        ("GET", f"{profile}?purpose=personalization", "analyst"),
    ):
        got = _call(worker, method, path, keys[role], json=PROFILE if method == "PUT" else None)
        assert got.status_code == 403, (method, path, role, got.text)
        assert got.json()["error"]

    wrote = wait_until(
        "PUT profile answering 200",
        lambda: (
            (r := _call(worker, "PUT", profile, keys["service"], json=PROFILE)).status_code == 200
            and r
        ),
        timeout=30,
    )
    assert wrote.json()["user_key"] == user_key
    bad = _call(worker, "PUT", profile, keys["service"], json={"right_axis": 400})
    assert bad.status_code == 400
    assert "right_axis" in bad.json()["error"]
    assert _call(worker, "GET", f"{profile}?purpose=fun", keys["service"]).status_code == 400

    got = _call(worker, "GET", f"{profile}?purpose=personalization", keys["service"])
    assert got.status_code == 200, got.text
    fields = got.json()["fields"]
    assert fields["sphere_range"] == [-3.0, -2.5]
    assert fields["price_band"] == "gt200"
    assert "full_name" not in fields
    assert "email" not in fields
    analytics = _call(worker, "GET", f"{profile}?purpose=analytics", keys["analyst"])
    assert analytics.json()["fields"] == {"price_band": "gt200"}
    rows = asyncio.run(_access_rows(profiles_dsn, user_key))
    assert [(r["actor_role"], r["action"], r["purpose"]) for r in rows] == [
        ("service", "write", "service"),
        ("service", "read", "personalization"),
        ("analyst", "read", "analytics"),
    ]

    export = _call(worker, "GET", f"/v1/users/{user_id}/export", keys["admin"])
    assert export.status_code == 200, export.text
    stores = export.json()["stores"]
    assert {"postgres", "milvus", "kafka"} <= set(stores)
    assert stores["postgres"]["profile"]["email"] == "grace@example.com"

    erased = _call(worker, "DELETE", f"/v1/users/{user_id}", keys["admin"])
    assert erased.status_code == 200, erased.text
    receipt = erased.json()
    assert receipt["complete"] is True
    assert uuid.UUID(receipt["receipt_id"])
    assert receipt["erased_at"]
    by_store = {s["store"]: s for s in receipt["stores"]}
    # profile + prescription + 4 access rows (write, 2 reads, export) anonymized
    assert by_store["postgres"]["removed"] == 6
    assert by_store["kafka"]["removed"] == 1
    assert all(s["error"] is None for s in receipt["stores"])

    again = _call(worker, "GET", f"/v1/users/{user_id}/export", keys["admin"]).json()
    assert again["stores"]["postgres"] == {
        "profile": None,
        "service_history": [],
        "consent": [],
        "access_log": [],
    }
    assert not any(again["stores"]["milvus"].values())
    assert _call(worker, "GET", f"{profile}?purpose=analytics", keys["analyst"]).status_code == 404
    assert worker.alive(), worker.log_tail()
