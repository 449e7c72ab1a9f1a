"""Export, erase, export-empty across PostgreSQL, a real Milvus collection and a Kafka topic;
each store is checked directly after the erasure, not through the orchestrator."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import numpy as np
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from app.profiles import consent
from app.profiles.access import Actor
from app.profiles.gdpr import Orchestrator, is_empty
from app.profiles.gdpr_stores import KafkaTombstoneStore, MilvusUserStore, PostgresUserStore
from app.profiles.store import ProfileStore
from app.services.milvus import Milvus
from app.services.postgres import Postgres
from app.settings import Settings
from app.vectors.schema import VectorRecord
from app.vectors.store import VectorStore
from tests.integration.app.vectors.conftest import drop_prefixed

ADMIN = Actor("adm1", "admin")
SERVICE = Actor("svc1", "service")


@pytest.fixture
def prefix(settings: Settings) -> Iterator[str]:
    p = f"tgdpr{uuid.uuid4().hex[:8]}_"
    yield p
    drop_prefixed(settings.milvus_uri, p)


@pytest.fixture
async def milvus(settings: Settings) -> AsyncIterator[Milvus]:
    m = Milvus(settings.milvus_uri, threads=2)
    try:
        yield m
    finally:
        await m.on_stop()


@pytest.fixture
async def topic(settings: Settings) -> AsyncIterator[str]:
    name = f"test-gdpr-consent-{uuid.uuid4().hex[:10]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(name, 2, 1, topic_configs={"cleanup.policy": "compact"})]
        )
        yield name
        await admin.delete_topics([name])
    finally:
        await admin.close()


def _vec(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=8).astype(np.float32)
    return v / np.linalg.norm(v)


async def _vectors(milvus: Milvus, prefix: str, user_key: str, other: str) -> VectorStore:
    vs = VectorStore(milvus, prefix=prefix, dims={"users": 8, "sessions": 8})
    now = int(datetime.now(UTC).timestamp() * 1000)
    for version in ("v1", "v2"):  # an older version must be erased too
        await vs.ensure("users", version)
        await vs.upsert(
            "users",
            [VectorRecord(k, _vec(i), version, now) for i, k in enumerate((user_key, other))],
            version=version,
        )
    await vs.ensure("sessions", "v1")
    ids = [f"{user_key}:s1", f"{user_key}:s2", f"{other}:s1"]
    await vs.upsert(
        "sessions",
        [VectorRecord(k, _vec(9 + i), "v1", now) for i, k in enumerate(ids)],
        version="v1",
    )
    await vs.flush()
    return vs


async def _ids(milvus: Milvus, collection: str) -> set[str]:
    rows = await milvus.run(
        lambda c: c.query(
            collection, filter='id != ""', output_fields=["id"], consistency_level="Strong"
        )
    )
    return {r["id"] for r in rows}


async def _last_value(bootstrap: str, topic: str, key: bytes) -> tuple[bool, bytes | None]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(2)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        end = await consumer.end_offsets(parts)
        found, last = False, None
        while [p for p in parts if await consumer.position(p) < end[p]]:
            batch = await consumer.getmany(timeout_ms=2000)
            assert batch, f"no records from {topic} before its end offsets {end}"
            for records in batch.values():
                for r in records:
                    if r.key == key:
                        found, last = True, r.value
        return found, last
    finally:
        await consumer.stop()


async def test_export_erase_export_empty(
    db: Postgres,
    profiles: ProfileStore,
    milvus: Milvus,
    prefix: str,
    topic: str,
    settings: Settings,
    user_key: str,
) -> None:
    other = "u_" + user_key[2:][::-1]
    for key in (user_key, other):
        await profiles.put(key, {"email": f"{key}@example.com", "right_sphere": -1.0}, SERVICE)
        await profiles.add_service(key, "eye_exam", datetime.now(UTC), SERVICE, notes="note")
        await consent.record(db, key, "marketing", True, datetime.now(UTC), "test")
    await profiles.read(user_key, "personalization", SERVICE)
    await _vectors(milvus, prefix, user_key, other)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"consent", key=user_key.encode())
    finally:
        await producer.stop()

    orch = Orchestrator(
        [
            PostgresUserStore(profiles),
            MilvusUserStore(milvus, prefix=prefix),
            KafkaTombstoneStore(settings.kafka_bootstrap, [topic]),
        ],
        audit_db=db,
    )
    first = await orch.export(user_key, ADMIN)
    pg = first["stores"]["postgres"]
    assert pg["profile"]["email"] == f"{user_key}@example.com"
    assert pg["profile"]["right_sphere"] == -1.0
    assert pg["service_history"][0]["notes"] == "note"
    assert [c["purpose"] for c in pg["consent"]] == ["marketing"]
    assert {a["action"] for a in pg["access_log"]} == {"write", "read"}
    vectors = first["stores"]["milvus"]
    assert {r["id"] for rows in vectors.values() for r in rows} == {
        user_key,
        f"{user_key}:s1",
        f"{user_key}:s2",
    }
    assert sum(len(rows) for rows in vectors.values()) == 4  # users v1 + v2, two sessions
    assert len(vectors[f"{prefix}users_v1"][0]["vector"]) == 8

    receipt = await orch.erase(user_key, ADMIN)
    assert receipt.complete
    removed = {s.store: s.removed for s in receipt.stores}
    # 1 profile + 1 prescription + 1 service + 1 consent + 3 access rows anonymized
    # (write profile, write service, read) + the export row.
    assert removed == {"postgres": 8, "milvus": 4, "kafka": 1}

    # Each store checked directly.
    async with db.acquire() as con:
        for table in ("user_profiles", "prescriptions", "service_history", "consent_ledger"):
            n = await con.fetchval(f"SELECT count(*) FROM {table} WHERE user_key = $1", user_key)
            assert n == 0, f"{table} still holds the erased user"
        assert (
            await con.fetchval("SELECT count(*) FROM access_log WHERE user_key = $1", user_key) == 0
        )
        assert (
            await con.fetchval("SELECT count(*) FROM user_profiles WHERE user_key = $1", other) == 1
        )
        audit = await con.fetchrow(
            "SELECT * FROM erasure_audit WHERE receipt_id = $1", uuid.UUID(receipt.receipt_id)
        )
    assert audit is not None
    assert audit["complete"] is True
    assert user_key not in str(dict(audit))
    assert await _ids(milvus, f"{prefix}users_v1") == {other}
    assert await _ids(milvus, f"{prefix}users_v2") == {other}
    assert await _ids(milvus, f"{prefix}sessions_v1") == {f"{other}:s1"}
    assert await _last_value(settings.kafka_bootstrap, topic, user_key.encode()) == (True, None)

    assert is_empty(await orch.export(user_key, ADMIN))
    still = await orch.export(other, ADMIN)
    assert still["stores"]["postgres"]["profile"]["email"] == f"{other}@example.com"
