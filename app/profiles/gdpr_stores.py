"""The GDPR stores of this package: PostgreSQL, Milvus vectors and compacted Kafka topics."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaProducer

from app.profiles import access, consent
from app.profiles import fields as F
from app.profiles.db import MAINTENANCE, Database
from app.profiles.store import ProfileStore
from app.services.milvus import Milvus

log = logging.getLogger(__name__)


class PostgresUserStore:
    """Profile, prescription, service history, consent ledger and access log of a user."""

    name = "postgres"

    def __init__(self, profiles: ProfileStore) -> None:
        self.profiles = profiles
        self.db: Database = profiles.db

    async def export(self, user_key: str) -> dict[str, Any]:
        async with self.db.acquire() as con, con.transaction():
            stored = await self.profiles.load(con, user_key, F.STORED)
            row = await con.fetchrow(
                "SELECT created_at, updated_at, last_active_at FROM user_profiles "
                "WHERE user_key = $1",
                user_key,
            )
            profile = None
            if row is not None:
                profile = {**(stored or {}), **{k: v.isoformat() for k, v in row.items()}}
            return {
                "profile": profile,
                "service_history": await self.profiles.service_history(con, user_key),
                "consent": await consent.ledger(con, user_key),
                "access_log": await access.history(con, user_key),
            }

    async def erase(self, user_key: str) -> int:
        """Delete every row of ``user_key``; the access log keeps the rows, without the key."""
        async with self.db.acquire() as con, con.transaction():
            await con.execute(MAINTENANCE)
            counts = [
                await con.fetchval(
                    "SELECT count(*) FROM prescriptions WHERE user_key = $1", user_key
                ),
                await con.fetchval(
                    "SELECT count(*) FROM service_history WHERE user_key = $1", user_key
                ),
            ]
            for sql in (
                "DELETE FROM user_profiles WHERE user_key = $1",  # cascades to the two above
                "DELETE FROM consent_ledger WHERE user_key = $1",
                "UPDATE access_log SET user_key = NULL WHERE user_key = $1",
            ):
                status = await con.execute(sql, user_key)
                counts.append(int(status.split()[-1]))
        return int(sum(counts))


class MilvusUserStore:
    """The user's vectors in every version of the ``users`` and ``sessions`` collections.

    A user vector's id is the user_key; a session vector's id is the user_key or starts with
    ``<user_key>:`` (the convention the session embedder must follow for erasure to find it).
    Every physical version is covered, not only the live alias: a rollback must not bring an
    erased user back.
    """

    name = "milvus"

    def __init__(
        self, milvus: Milvus, *, prefix: str = "hw_", kinds: Sequence[str] = ("users", "sessions")
    ) -> None:
        self.milvus = milvus
        self.prefix = prefix
        self.kinds = tuple(kinds)

    @staticmethod
    def _filter(user_key: str) -> str:
        # user_key is an HMAC pseudonym (u_ + hex); quoting anyway keeps the expression safe.
        key = user_key.replace("\\", "\\\\").replace('"', '\\"')
        return f'id == "{key}" or id like "{key}:%"'

    async def _collections(self) -> list[str]:
        names = await self.milvus.run(lambda c: c.list_collections())
        heads = tuple(f"{self.prefix}{k}_" for k in self.kinds)
        return sorted(n for n in names if n.startswith(heads))

    async def _rows(
        self, collection: str, user_key: str, fields: list[str]
    ) -> list[dict[str, Any]]:
        rows = await self.milvus.run(
            lambda c: c.query(
                collection,
                filter=self._filter(user_key),
                output_fields=fields,
                consistency_level="Strong",
            )
        )
        return [dict(r) for r in rows]

    async def export(self, user_key: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in await self._collections():
            rows = await self._rows(name, user_key, ["id", "model_version", "updated_at", "vector"])
            out[name] = [{**r, "vector": [float(x) for x in r.get("vector", [])]} for r in rows]
        return out

    async def erase(self, user_key: str) -> int:
        removed = 0
        for name in await self._collections():
            ids = [r["id"] for r in await self._rows(name, user_key, ["id"])]
            if ids:
                await self.milvus.run(lambda c, n=name, i=ids: c.delete(n, ids=i))
                removed += len(ids)
        return removed


class KafkaTombstoneStore:
    """Writes a tombstone (null value) for the user's key to each compacted topic.

    Compaction then drops every earlier record of that key. Export returns nothing: reading a
    compacted topic for one key means reading it all, and what these topics hold (consent
    changes) is exported from the PostgreSQL ledger. Keys are the user_key bytes, partitioned
    like Faust's producer (the same aiokafka default partitioner), so the tombstone lands in the
    partition that holds the key.
    """

    name = "kafka"

    def __init__(self, bootstrap: str, topics: Sequence[str]) -> None:
        self.bootstrap = bootstrap
        self.topics = list(topics)

    async def export(self, user_key: str) -> dict[str, Any]:
        return {}

    async def erase(self, user_key: str) -> int:
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        await producer.start()
        try:
            for topic in self.topics:
                await producer.send_and_wait(topic, value=None, key=user_key.encode())
        finally:
            await producer.stop()
        return len(self.topics)
