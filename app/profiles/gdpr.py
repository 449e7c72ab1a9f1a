"""GDPR export and erasure across every store that holds a user's data.

A store is anything with a ``name``, ``async export(user_key) -> dict`` and ``async
erase(user_key) -> int`` (how many items it removed). A process's stores are one
:class:`GdprStores`, held by its profile components; the HTTP views use all of them. Erasure asks
every store even when one fails (a failure is recorded in the receipt and the receipt is marked
incomplete); every store's erase is idempotent, so repeating the request finishes the job.

The receipt (id, time, each store and its count) is saved to ``erasure_audit`` without the
user's key: it proves an erasure happened without keeping whom it was about.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

import orjson

from app.profiles.access import Actor, log_access
from app.profiles.db import Database
from app.profiles.errors import GdprError

log = logging.getLogger(__name__)


@runtime_checkable
class UserDataStore(Protocol):
    name: str

    async def export(self, user_key: str) -> dict[str, Any]: ...

    async def erase(self, user_key: str) -> int: ...


class GdprStores:
    """The stores every export and erasure covers: one set per process, owned by
    :class:`app.profiles.components.ProfileComponents`."""

    def __init__(self) -> None:
        self._stores: dict[str, UserDataStore] = {}

    def register(self, store: UserDataStore, *, replace: bool = False) -> None:
        """Add ``store``; a second store under a taken name is refused unless ``replace``."""
        taken = self._stores.get(store.name)
        if taken is not None and taken is not store and not replace:
            raise GdprError(
                f"A GDPR store named {store.name!r} is already registered; give the new store "
                "another name or pass replace=True"
            )
        self._stores[store.name] = store

    def unregister(self, name: str) -> None:
        self._stores.pop(name, None)

    def __iter__(self) -> Iterator[UserDataStore]:
        return iter(list(self._stores.values()))


@dataclass(frozen=True)
class StoreResult:
    store: str
    removed: int
    error: str | None = None


@dataclass(frozen=True)
class Receipt:
    receipt_id: str
    erased_at: str
    reason: str
    stores: list[StoreResult] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(s.error is None for s in self.stores)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "complete": self.complete}


def is_empty(export: dict[str, Any]) -> bool:
    """True when an export holds no data in any store (after an erasure)."""

    def empty(value: Any) -> bool:
        if isinstance(value, dict):
            return all(empty(v) for v in value.values())
        if isinstance(value, list | tuple | set):
            return len(value) == 0
        return value is None

    return all(empty(v) for v in export["stores"].values())


class Orchestrator:
    def __init__(
        self,
        stores: Sequence[UserDataStore],
        *,
        audit_db: Database | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        names = [s.name for s in stores]
        if len(set(names)) != len(names):
            raise GdprError(f"GDPR store names must be unique, got {names}")
        self.stores = list(stores)
        self.audit_db = audit_db
        self.clock = clock

    async def export(self, user_key: str, actor: Actor) -> dict[str, Any]:
        """Everything every store holds about ``user_key``; access-logged afterwards."""
        out: dict[str, Any] = {}
        for store in self.stores:
            out[store.name] = await store.export(user_key)
        if self.audit_db is not None:
            # Logged after collecting, so an export does not list itself.
            async with self.audit_db.acquire() as con:
                await log_access(
                    con,
                    actor,
                    action="export",
                    user_key=user_key,
                    fields=list(out),
                    purpose="export",
                )
        return {"user_key": user_key, "exported_at": self.clock().isoformat(), "stores": out}

    async def erase(self, user_key: str, actor: Actor, *, reason: str = "request") -> Receipt:
        results: list[StoreResult] = []
        for store in self.stores:
            try:
                removed = await store.erase(user_key)
            except Exception as err:  # recorded in the receipt; the other stores still run
                log.exception("GDPR erase in store %s failed", store.name)
                results.append(StoreResult(store.name, 0, f"{type(err).__name__}: {err}"))
            else:
                results.append(StoreResult(store.name, int(removed)))
        receipt = Receipt(str(uuid.uuid4()), self.clock().isoformat(), reason, results)
        if self.audit_db is not None:
            await self._save(receipt, actor)
        return receipt

    async def _save(self, receipt: Receipt, actor: Actor) -> None:
        stores = orjson.dumps([asdict(s) for s in receipt.stores]).decode()
        async with self.audit_db.acquire() as con:  # type: ignore[union-attr]
            await con.execute(
                "INSERT INTO erasure_audit (receipt_id, erased_at, actor_key_id, actor_role, "
                "reason, complete, stores) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)",
                uuid.UUID(receipt.receipt_id),
                datetime.fromisoformat(receipt.erased_at),
                actor.key_id,
                actor.role,
                receipt.reason,
                receipt.complete,
                stores,
            )
            await log_access(
                con,
                actor,
                action="erase",
                user_key=None,
                fields=[s.store for s in receipt.stores],
                purpose=f"erasure {receipt.receipt_id}",
            )
