"""API keys with roles, hashed at rest, checked on every HTTP endpoint.

A key looks like ``hw_<key_id>_<secret>``. PostgreSQL's ``api_keys`` table stores the key id,
the SHA-256 of the secret and the role; the clear key is shown once, when it is created
(``faust -A app create-key --role ingest``). Lookups are cached for ``CACHE_SECONDS`` so a
request does not cost a query: a revoked key stops working within that time.

Permission table (``admin`` may do everything):

=================== ======================================================
role                may
=================== ======================================================
ingest              send events (POST /v1/events, POST /v1/consent)
service             read recommendations, catalog, sessions and profiles
analyst             read catalog, experiments and reports (no personal data)
admin               all of the above, catalog writes, keys, GDPR export/erase
=================== ======================================================
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Protocol

from faust.web import Request
from faust.web.exceptions import NotAuthenticated, PermissionDenied

from app.errors import HeadwaterError, ServiceUnavailable

ROLES = ("ingest", "service", "analyst", "admin")
CACHE_SECONDS = 30.0


class AuthError(HeadwaterError):
    """A key could not be created or verified."""


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: str
    label: str


class KeyStore(Protocol):
    async def find(self, key_id: str) -> tuple[str, str, str] | None:
        """(sha256 hex of the secret, role, label) of an unrevoked key, or None."""

    async def insert(self, key_id: str, key_hash: str, role: str, label: str) -> None: ...


class PostgresKeyStore:
    def __init__(self, postgres: object) -> None:
        self._pg = postgres

    async def find(self, key_id: str) -> tuple[str, str, str] | None:
        async with self._pg.acquire() as con:  # type: ignore[attr-defined]
            row = await con.fetchrow(
                "SELECT key_hash, role, coalesce(label, '') AS label FROM api_keys "
                "WHERE key_id = $1 AND revoked_at IS NULL",
                key_id,
            )
        return None if row is None else (row["key_hash"], row["role"], row["label"])

    async def insert(self, key_id: str, key_hash: str, role: str, label: str) -> None:
        async with self._pg.acquire() as con:  # type: ignore[attr-defined]
            await con.execute(
                "INSERT INTO api_keys (key_id, key_hash, role, label) VALUES ($1, $2, $3, $4)",
                key_id,
                key_hash,
                role,
                label,
            )


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_key(raw: str) -> tuple[str, str]:
    parts = raw.strip().split("_")
    if len(parts) != 3 or parts[0] != "hw" or not parts[1] or not parts[2]:
        raise NotAuthenticated("Malformed API key: expected hw_<key id>_<secret>")
    return parts[1], parts[2]


class Authenticator:
    def __init__(self, store: KeyStore) -> None:
        self.store = store
        self._cache: dict[str, tuple[float, tuple[str, str, str] | None]] = {}

    async def create(self, role: str, label: str = "") -> str:
        if role not in ROLES:
            raise AuthError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}")
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(24).replace("_", "-")
        await self.store.insert(key_id, _hash(secret), role, label)
        return f"hw_{key_id}_{secret}"

    async def _lookup(self, key_id: str) -> tuple[str, str, str] | None:
        now = time.monotonic()
        hit = self._cache.get(key_id)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
        found = await self.store.find(key_id)
        self._cache[key_id] = (now, found)
        return found

    async def verify(self, raw_key: str) -> Principal:
        key_id, secret = parse_key(raw_key)
        found = await self._lookup(key_id)
        if found is None or not hmac.compare_digest(found[0], _hash(secret)):
            raise NotAuthenticated("Unknown or revoked API key")
        return Principal(key_id=key_id, role=found[1], label=found[2])

    async def require(self, request: Request, *roles: str) -> Principal:
        """The caller's principal; 401 without a valid key, 403 when its role is not allowed."""
        header = request.headers.get("Authorization", "")
        raw = header[7:] if header.lower().startswith("bearer ") else ""
        raw = raw or request.headers.get("X-API-Key", "")
        if not raw:
            raise NotAuthenticated(
                "Missing API key: send 'Authorization: Bearer <key>' "
                "(create one with `faust -A app create-key --role ROLE`)"
            )
        try:
            principal = await self.verify(raw)
        except ServiceUnavailable:
            raise
        if principal.role != "admin" and principal.role not in roles:
            raise PermissionDenied(
                f"Role {principal.role!r} may not do this; it needs one of: "
                f"{', '.join((*roles, 'admin'))}"
            )
        return principal
