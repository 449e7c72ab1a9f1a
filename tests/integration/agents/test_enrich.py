"""A user's events through the HTTP gateway, cleaning and enrichment: the enriched events carry
the product and profile, the session and profile tables answer over HTTP, and the closed
session reaches enriched.sessions."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.settings import Settings
from app.wire.codecs import decoder
from app.wire.topics import ENRICHED, ENRICHED_SESSIONS
from bench.common import drain
from tests.integration.harness import Worker, unique, wait_until


def _events(user: str, session: str) -> list[dict[str, Any]]:
    # One second apart: the test runs with a 5-second session timeout.
    t0 = datetime.now(UTC) - timedelta(minutes=3)
    base = {
        "user_id": user,
        "anonymous_id": f"anon-{user}",
        "session_id": session,
        "user_agent": "Mozilla/5.0 Chrome/131.0",
        "device": "mobile",
    }

    def at(s: int) -> str:
        return (t0 + timedelta(seconds=s)).isoformat()

    return [
        {**base, "event_type": "session_start", "occurred_at": at(0)},
        {
            **base,
            "event_type": "product_view",
            "occurred_at": at(1),
            "product_id": "P000001",
            "price": "19.90",
            "currency": "EUR",
            "properties": {"js": "1"},
        },
        {
            **base,
            "event_type": "product_view",
            "occurred_at": at(2),
            "product_id": "P000002",
            "properties": {"js": "1"},
        },
        {
            **base,
            "event_type": "search",
            "occurred_at": at(3),
            "query": "mail me at someone@example.org",
            "properties": {"js": "1"},
        },
        {
            **base,
            "event_type": "add_to_cart",
            "occurred_at": at(4),
            "product_id": "P000002",
            "quantity": 1,
            "properties": {"js": "1"},
        },
        {
            "user_id": user,
            "anonymous_id": f"anon-{user}",
            "session_id": session,
            "event_type": "order",
            "occurred_at": at(5),
            "order_id": "o-1",
            "currency": "EUR",
            "items": [{"product_id": "P000002", "quantity": 1, "unit_price": "35.00"}],
            "total": "35.00",
            "email": "someone@example.org",
        },
    ]


@pytest.fixture(scope="module")
def worker(seeded_database: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Any:
    dsn, _ = seeded_database
    prefix = unique("it-enrich") + "."
    w = Worker(
        tmp_path_factory.mktemp("enrich"),
        TOPIC_PREFIX=prefix,
        DATABASE_URL=dsn,
        SESSION_TIMEOUT="5",
        INGEST_MAX_EVENTS="50",
    )
    w.prefix = prefix  # type: ignore[attr-defined]
    w.start()
    wait_until("the worker to be ready", lambda: "Ready" in w.log_tail(400), timeout=120)
    yield w
    w.cleanup()


def _post(worker: Worker, body: Any, key: str | None, raw: bytes | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if raw is not None:
        return httpx.post(f"{worker.url}/v1/events", content=raw, headers=headers, timeout=10)
    return httpx.post(f"{worker.url}/v1/events", json=body, headers=headers, timeout=10)


def test_ingestion_refuses_bad_requests_with_a_message(
    worker: Worker, seeded_database: tuple[str, str]
) -> None:
    _, key = seeded_database
    ok_event = _events("bob", "s-bob")[1]
    assert _post(worker, {"events": [ok_event]}, None).status_code == 401
    assert _post(worker, {"events": [ok_event]}, "hw_nope_nope").status_code == 401
    bad_json = _post(worker, None, key, raw=b"{not json")
    assert bad_json.status_code == 400
    assert "JSON" in bad_json.json()["error"]
    too_many = _post(worker, {"events": [ok_event] * 51}, key)
    assert too_many.status_code == 413
    assert "limit" in too_many.json()["error"]
    huge = _post(worker, None, key, raw=b'{"events": ["' + b"x" * 2_000_000 + b'"]}')
    assert huge.status_code == 413
    mixed = _post(
        worker, {"events": [ok_event, {**ok_event, "price": "-3"}, {"event_type": "teleport"}]}, key
    )
    assert mixed.status_code == 202
    body = mixed.json()
    assert body["accepted"] == 1
    assert [e["index"] for e in body["errors"]] == [1, 2]
    assert body["errors"][0]["reason"] == "negative_amount"


def test_a_session_flows_to_enriched_events_tables_and_closed_sessions(
    worker: Worker, settings: Settings, seeded_database: tuple[str, str]
) -> None:
    _, key = seeded_database
    user = f"alice-{uuid.uuid4().hex[:8]}"
    session = f"s-{uuid.uuid4().hex[:8]}"
    events = _events(user, session)
    resp = _post(worker, {"events": events}, key)
    assert resp.status_code == 202, resp.text
    assert resp.json()["accepted"] == len(events)

    auth = {"Authorization": f"Bearer {key}"}
    state = wait_until(
        "the session table to hold all six events",
        lambda: (
            (r := worker.get(f"/v1/sessions/{user}", headers=auth)).status_code == 200
            and (r.json()["current"] or {}).get("events") == len(events)
            and r.json()
        ),
        timeout=60,
    )
    cur = state["current"]
    assert cur["session_id"] == session
    assert cur["viewed"] == ["P000001", "P000002"]
    assert cur["carted"] == ["P000002"]
    assert cur["bought"] == ["P000002"]
    assert cur["searches"] == 1
    assert user not in str(state)

    profile = worker.get(f"/v1/profiles/{user}", headers=auth).json()
    assert profile["purchased_items"] == ["P000002"]
    assert profile["category_affinity"], profile
    assert "buyer" in profile["segments"]
    assert worker.get("/v1/profiles/nobody-at-all", headers=auth).status_code == 404
    assert worker.get(f"/v1/profiles/{user}").status_code == 401

    prefix = worker.prefix  # type: ignore[attr-defined]
    # The topic also holds the one event the ingestion test accepted for another user.
    got = asyncio.run(drain(settings, [prefix + ENRICHED], len(events) + 1, timeout=60))
    mine = [r for r in got[prefix + ENRICHED] if r.key == state["user_key"].encode()]
    assert len(mine) == len(events)
    enriched = [decoder(ENRICHED)(r.value) for r in mine]
    views = [e for e in enriched if e["event_type"] == "product_view"]
    assert all(e["category_path"] and e["list_price"] is not None for e in views), views
    search = next(e for e in enriched if e["event_type"] == "search")
    assert "someone@example.org" not in str(search["query"])

    closed = asyncio.run(drain(settings, [prefix + ENRICHED_SESSIONS], 2, timeout=60))
    summaries = [decoder(ENRICHED_SESSIONS)(r.value) for r in closed[prefix + ENRICHED_SESSIONS]]
    summary = next(s for s in summaries if s["user_key"] == state["user_key"])
    assert summary["session_id"] == session
    assert summary["events"] == len(events)
    assert summary["bought"] == ["P000002"]


async def _read_to_end(settings: Settings, topic: str) -> list[Any]:
    """Every record of ``topic`` up to its current end offsets."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        (desc,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    parts = [TopicPartition(topic, p["partition"]) for p in desc["partitions"]]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        end = await consumer.end_offsets(parts)
        out: list[Any] = []
        async with asyncio.timeout(20):
            while any([await consumer.position(tp) < end[tp] for tp in parts]):
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    out.extend(records)
        return out
    finally:
        await consumer.stop()


def _pseudonym(user: str) -> str:
    from app.privacy.pseudonym import Pseudonymizer
    from app.settings import get_settings

    return Pseudonymizer(get_settings().pseudonym_key)(user)


def test_gdpr_export_and_erasure_cover_the_tables(
    worker: Worker, seeded_database: tuple[str, str], settings: Settings
) -> None:
    _, key = seeded_database
    auth = {"Authorization": f"Bearer {key}"}
    user = f"gdpr-{uuid.uuid4().hex[:8]}"
    assert _post(worker, {"events": _events(user, f"s-{user}")}, key).status_code == 202
    # The profile answers 200 from the first event on; wait for the order, the last one.
    wait_until(
        "the user's order in the profile table",
        lambda: (
            (r := worker.get(f"/v1/profiles/{user}", headers=auth)).status_code == 200
            and r.json()["purchased_items"] == ["P000002"]
        ),
        timeout=60,
    )
    export = worker.get(f"/v1/users/{user}/export", headers=auth)
    assert export.status_code == 200, export.text
    assert "P000002" in export.text
    receipt = httpx.delete(f"{worker.url}/v1/users/{user}", headers=auth, timeout=30)
    assert receipt.status_code == 200, receipt.text
    assert "faust-tables" in receipt.text
    for view in ("sessions", "profiles"):
        wait_until(
            f"/v1/{view} to forget the user",
            lambda view=view: worker.get(f"/v1/{view}/{user}", headers=auth).status_code == 404,
            timeout=30,
        )
    again = worker.get(f"/v1/users/{user}/export", headers=auth)
    assert "P000002" not in again.text
    # Checked directly: the last changelog record of the user's key is a tombstone, so
    # recovery and compaction forget the user too.
    user_key = _pseudonym(user)
    for table in ("sessions", "profiles"):
        topic = f"{worker.app_id}-{table}-changelog"
        records = wait_until(
            f"a tombstone for the user in {topic}",
            lambda topic=topic: (r := asyncio.run(_read_to_end(settings, topic))) and r[-1:] and r,
            timeout=30,
        )
        last = [r for r in records if r.key == user_key.encode()]
        assert last, f"no changelog record of {table} for the user"
        assert last[-1].value is None, f"{table} changelog still holds the user"


async def _add_product(dsn: str, product_id: str, brand: str) -> dict[str, Any]:
    """Create ``product_id`` of ``brand`` while the worker runs; a seeded product's id, brand and
    category."""
    import asyncpg

    con = await asyncpg.connect(dsn)
    try:
        seeded = await con.fetchrow(
            "SELECT product_id, brand, category_id FROM products "
            "WHERE active AND brand IS NOT NULL ORDER BY product_id OFFSET 2 LIMIT 1"
        )
        await con.execute(
            "INSERT INTO products (product_id, name, brand, category_id) VALUES ($1, $2, $3, $4)",
            product_id,
            "Late arrival",
            brand,
            seeded["category_id"],
        )
        return dict(seeded)
    finally:
        await con.close()


def test_enriched_events_carry_the_brand_from_the_catalog(
    worker: Worker, settings: Settings, seeded_database: tuple[str, str]
) -> None:
    dsn, key = seeded_database
    tag = uuid.uuid4().hex[:8]
    new_pid, new_brand = f"LATE-{tag}", f"Brand-{tag}"
    seeded = asyncio.run(_add_product(dsn, new_pid, new_brand))
    user = f"brand-{tag}"
    start, view = _events(user, f"s-{user}")[:2]
    later = (datetime.fromisoformat(view["occurred_at"]) + timedelta(seconds=1)).isoformat()
    events = [
        start,
        {**view, "product_id": seeded["product_id"]},
        {**view, "product_id": new_pid, "occurred_at": later},
    ]
    assert _post(worker, {"events": events}, key).status_code == 202

    user_key = _pseudonym(user).encode()
    topic = worker.prefix + ENRICHED  # type: ignore[attr-defined]

    def views() -> dict[str, Any] | None:
        records = asyncio.run(_read_to_end(settings, topic))
        mine = [decoder(ENRICHED)(r.value) for r in records if r.key == user_key]
        got = {e["product_id"]: e for e in mine if e["event_type"] == "product_view"}
        return got if len(got) == 2 else None

    got = wait_until("the user's two enriched product views", views, timeout=60)
    assert got[seeded["product_id"]]["brand"] == seeded["brand"]  # loaded at start
    assert got[new_pid]["brand"] == new_brand  # created after the worker started
    auth = {"Authorization": f"Bearer {key}"}
    profile = wait_until(
        "the brands in the user's profile",
        lambda: (
            (r := worker.get(f"/v1/profiles/{user}", headers=auth)).status_code == 200
            and len(r.json()["brand_affinity"]) == 2
            and r.json()
        ),
        timeout=30,
    )
    assert set(profile["brand_affinity"]) == {seeded["brand"], new_brand}
