"""Embeddings fed by the pipeline: product content vectors at start, session and user vectors
on every enriched event, written to Milvus (the system of record) through the live aliases.

Product vectors: TF-IDF + SVD over the catalog's text (fitted off the event loop). A session
vector is the recency-weighted blend of the vectors of the items it touched; a user vector is
the decayed blend of their sessions' items. Ids: ``<user_key>:<session_id>`` for sessions and
``<user_key>`` for users, so GDPR erasure finds them by the pseudonym.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from app.services.milvus import Milvus
from app.vectors.blend import BlendState, fold
from app.vectors.encoders import TfidfSvdEncoder
from app.vectors.schema import VectorRecord
from app.vectors.sources import catalog_products, content_records
from app.vectors.store import VectorStore
from app.vectors.versions import MilvusAliases, Versions

log = logging.getLogger(__name__)
SESSION_HALF_LIFE = 600.0
USER_HALF_LIFE = 14 * 86400.0
KINDS = ("products", "sessions", "users")


class LiveVectors:
    def __init__(self, milvus: Milvus, prefix: str) -> None:
        self.store = VectorStore(milvus, prefix=prefix)
        self.encoder = TfidfSvdEncoder()
        self.item_vectors: dict[str, np.ndarray] = {}
        self._sessions: dict[str, BlendState] = {}
        self._users: dict[str, BlendState] = {}
        self.ready = False

    async def start(self, dsn: str) -> None:
        """Fit the content encoder on the catalog, write product vectors, point the aliases."""
        products = await catalog_products(dsn)
        if len(products) < 3:
            log.info("embeddings: catalog too small (%d products); skipped", len(products))
            return
        loop = asyncio.get_running_loop()
        records = await loop.run_in_executor(None, self._fit, products)
        version = self.encoder.version
        versions = Versions(MilvusAliases(self.store), self.store.names)
        for kind in KINDS:
            await self.store.ensure(kind, version)
            # A restarted Milvus keeps collections released until someone loads them.
            name = self.store.names.physical(kind, version)
            await self.store.milvus.run(lambda c, n=name: c.load_collection(n))
        await self.store.upsert("products", records, version=version)
        await self.store.flush()
        for kind in KINDS:
            if await versions.live(kind) is None:
                await versions.promote(kind, version, allow_empty=True)
        await self.store.start()
        self.ready = True
        log.info("embeddings: %d product vectors (%s) live", len(records), version)

    def _fit(self, products: list[dict[str, Any]]) -> list[VectorRecord]:
        self.encoder.fit(products)
        records = content_records(products, self.encoder)
        self.item_vectors = {r.id: np.asarray(r.vector, dtype=np.float64) for r in records}
        return records

    async def observe(self, events: Iterable[Mapping[str, Any]]) -> int:
        """Fold each event's items into its session and user; upsert the touched vectors."""
        if not self.ready:
            return 0
        now_ms = int(time.time() * 1000)
        touched_sessions: dict[str, BlendState] = {}
        touched_users: dict[str, BlendState] = {}
        for e in events:
            items = [e["product_id"]] if e.get("product_id") else []
            items += [i["product_id"] for i in e.get("items") or ()]
            at = e["occurred_at"].timestamp()
            user = str(e["user_key"])
            sid = f"{user}:{e.get('session_id') or 'none'}"
            for item in items:
                vec = self.item_vectors.get(str(item))
                if vec is None:
                    continue
                self._sessions[sid] = touched_sessions[sid] = fold(
                    self._sessions.get(sid), vec, at, SESSION_HALF_LIFE
                )
                self._users[user] = touched_users[user] = fold(
                    self._users.get(user), vec, at, USER_HALF_LIFE
                )
        version = self.encoder.version
        for kind, states in (("sessions", touched_sessions), ("users", touched_users)):
            records = [
                VectorRecord(key, state.embedding, version, now_ms)
                for key, state in states.items()
                if np.linalg.norm(state.total) > 0
            ]
            if records:
                await self.store.upsert(kind, records)
        return len(touched_sessions) + len(touched_users)

    def forget(self, user_key: str) -> None:
        self._users.pop(user_key, None)
        for sid in [s for s in self._sessions if s.startswith(f"{user_key}:")]:
            del self._sessions[sid]
