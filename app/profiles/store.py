"""``ProfileStore``: encrypted writes and minimized, access-logged reads of profile data.

Reads take a purpose and return only that purpose's fields (:mod:`app.profiles.fields`);
only the columns those fields need are decrypted, and the access-log row is written in the same
transaction as the read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from app.profiles import fields as F
from app.profiles.access import Actor, log_access, log_accesses
from app.profiles.crypto import FieldCipher
from app.profiles.db import Database
from app.profiles.errors import ProfileError, ProfileNotFound, PurposeRefused
from app.profiles.validate import SERVICE_KINDS, InvalidField, check_value


def check_purpose(role: str, purpose: str) -> None:
    """Refuse a purpose unknown, or not open to ``role`` (see ``fields.ROLE_PURPOSES``)."""
    if purpose not in F.PURPOSES:
        raise ProfileError(f"Unknown purpose {purpose!r}: use one of {', '.join(F.PURPOSES)}")
    if purpose not in F.ROLE_PURPOSES.get(role, ()):
        allowed = ", ".join(F.ROLE_PURPOSES.get(role, ())) or "none"
        raise PurposeRefused(
            f"Role {role!r} may not read profiles for {purpose!r} (allowed: {allowed})"
        )


class ProfileStore:
    def __init__(self, db: Database, cipher: FieldCipher) -> None:
        self.db = db
        self.cipher = cipher

    # -- writes ------------------------------------------------------------------------------

    async def put(self, user_key: str, values: Mapping[str, Any], actor: Actor) -> list[str]:
        """Validate, encrypt and store ``values`` (field → value; None clears); returns names."""
        if not values:
            raise ProfileError("No profile fields given: send at least one field")
        clean = {name: check_value(name, v) for name, v in values.items()}
        now = datetime.now(UTC)
        async with self.db.acquire() as con, con.transaction():
            await con.execute(
                "INSERT INTO user_profiles (user_key) VALUES ($1) ON CONFLICT DO NOTHING", user_key
            )
            row = await con.fetchrow(
                "SELECT preferences FROM user_profiles WHERE user_key = $1 FOR UPDATE", user_key
            )
            profile_cols: dict[str, Any] = {}
            prefs = {k: v for k, v in clean.items() if k in F.PREFERENCES}
            if prefs:
                current = self._decrypt(
                    "user_profiles", "preferences", user_key, row["preferences"]
                )
                merged = {**(current or {}), **prefs}
                profile_cols["preferences"] = {k: v for k, v in merged.items() if v is not None}
            for name, value in clean.items():
                f = F.STORED[name]
                if f.table == "user_profiles" and f.column != "preferences":
                    profile_cols[f.column] = value
            rx = {F.STORED[n].column: v for n, v in clean.items() if n in F.PRESCRIPTION}
            await self._upsert(con, "user_profiles", user_key, profile_cols, now, touch=True)
            if rx:
                await self._upsert(con, "prescriptions", user_key, rx, now)
            await log_access(
                con,
                actor,
                action="write",
                user_key=user_key,
                fields=sorted(clean),
                purpose="service",
            )
        return sorted(clean)

    async def add_service(
        self,
        user_key: str,
        kind: str,
        occurred_at: datetime,
        actor: Actor,
        *,
        store_id: str | None = None,
        notes: str | None = None,
    ) -> int:
        if kind not in SERVICE_KINDS:
            raise InvalidField("kind", f"is {kind!r}", f"send one of {', '.join(SERVICE_KINDS)}")
        async with self.db.acquire() as con, con.transaction():
            if not await con.fetchval("SELECT 1 FROM user_profiles WHERE user_key = $1", user_key):
                raise ProfileNotFound(f"No profile for {user_key}: create it with put() first")
            enc = (
                None
                if notes is None
                else self._encrypt("service_history", "notes", user_key, notes)
            )
            service_id = await con.fetchval(
                "INSERT INTO service_history (user_key, kind, occurred_at, store_id, notes) "
                "VALUES ($1, $2, $3, $4, $5) RETURNING service_id",
                user_key,
                kind,
                occurred_at,
                store_id,
                enc,
            )
            await log_access(
                con,
                actor,
                action="write",
                user_key=user_key,
                fields=[F.SERVICE_HISTORY],
                purpose="service",
            )
        return int(service_id)

    async def touch(self, user_keys: Iterable[str], at: datetime | None = None) -> int:
        """Mark users active (the retention clock of inactive profiles restarts)."""
        async with self.db.acquire() as con:
            status = await con.execute(
                "UPDATE user_profiles SET last_active_at = greatest(last_active_at, $2) "
                "WHERE user_key = ANY($1::text[])",
                list(user_keys),
                at or datetime.now(UTC),
            )
        return int(status.split()[-1])

    # -- reads -------------------------------------------------------------------------------

    async def read(
        self, user_key: str, purpose: str, actor: Actor, *, today: date | None = None
    ) -> dict[str, Any]:
        """The fields ``purpose`` may see; 404 when there is no profile. Access-logged."""
        check_purpose(actor.role, purpose)
        async with self.db.acquire() as con, con.transaction():
            stored = await self.load(con, user_key, F.stored_needed(purpose))
            if stored is None:
                raise ProfileNotFound(f"No profile for user {user_key}")
            if F.SERVICE_HISTORY in F.ALLOWED[purpose]:
                stored[F.SERVICE_HISTORY] = await self.service_history(con, user_key)
            out = F.minimize(purpose, stored, today or datetime.now(UTC).date())
            await log_access(
                con, actor, action="read", user_key=user_key, fields=sorted(out), purpose=purpose
            )
        return out

    async def read_many(
        self,
        user_keys: Iterable[str],
        purpose: str,
        actor: Actor,
        *,
        today: date | None = None,
    ) -> dict[str, dict[str, Any]]:
        """:meth:`read` for many users in a few statements, whatever their number: users without
        a profile are left out. Each user returned is access-logged.

        The action stage reads a whole batch's users at once: one :meth:`read` per user was
        three round trips each, and the batch waited on all of them (measurements:
        docs/benchmarks.md, Design decisions, app/profiles/store.py)."""
        check_purpose(actor.role, purpose)
        keys = sorted(set(user_keys))
        if not keys:
            return {}
        wanted = [F.STORED[n] for n in F.stored_needed(purpose)]
        day = today or datetime.now(UTC).date()
        out: dict[str, dict[str, Any]] = {}
        # No transaction: the access-log rows are written before anything is returned, so a
        # failed write returns nothing, as in read(); and a batch of users without a profile,
        # the common case, costs one statement.
        async with self.db.acquire() as con:
            found = await con.fetch("SELECT * FROM user_profiles WHERE user_key = ANY($1)", keys)
            prescriptions: dict[str, Any] = {}
            if found and any(f.table == "prescriptions" for f in wanted):
                rows = await con.fetch(
                    "SELECT * FROM prescriptions WHERE user_key = ANY($1)",
                    [r["user_key"] for r in found],
                )
                prescriptions = {r["user_key"]: r for r in rows}
            for profile in found:
                user_key = profile["user_key"]
                rows_of = {"user_profiles": profile, "prescriptions": prescriptions.get(user_key)}
                stored = self._decrypt_rows(user_key, rows_of, wanted)
                if F.SERVICE_HISTORY in F.ALLOWED[purpose]:
                    stored[F.SERVICE_HISTORY] = await self.service_history(con, user_key)
                out[user_key] = F.minimize(purpose, stored, day)
            if out:
                await log_accesses(
                    con, actor, action="read", fields={k: sorted(v) for k, v in out.items()},
                    purpose=purpose,
                )  # fmt: skip
        return out

    async def load(self, con: Any, user_key: str, names: Iterable[str]) -> dict[str, Any] | None:
        """Decrypt the stored fields ``names`` of ``user_key`` (None when no profile row)."""
        wanted = [F.STORED[n] for n in names]
        profile = await con.fetchrow("SELECT * FROM user_profiles WHERE user_key = $1", user_key)
        if profile is None:
            return None
        rows: dict[str, Any] = {"user_profiles": profile}
        if any(f.table == "prescriptions" for f in wanted):
            rows["prescriptions"] = await con.fetchrow(
                "SELECT * FROM prescriptions WHERE user_key = $1", user_key
            )
        return self._decrypt_rows(user_key, rows, wanted)

    def _decrypt_rows(
        self, user_key: str, rows: Mapping[str, Any], wanted: Iterable[Any]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        decrypted: dict[tuple[str, str], Any] = {}
        for f in wanted:
            row = rows.get(f.table)
            if row is None or row[f.column] is None:
                continue
            key = (f.table, f.column)
            if key not in decrypted:
                decrypted[key] = self._decrypt(f.table, f.column, user_key, row[f.column])
            value = decrypted[key]
            out[f.name] = value.get(f.name) if f.column == "preferences" else value
        return {k: v for k, v in out.items() if v is not None}

    async def service_history(self, con: Any, user_key: str) -> list[dict[str, Any]]:
        rows = await con.fetch(
            "SELECT service_id, kind, occurred_at, store_id, notes FROM service_history "
            "WHERE user_key = $1 ORDER BY occurred_at, service_id",
            user_key,
        )
        return [
            {
                "service_id": r["service_id"],
                "kind": r["kind"],
                "occurred_at": r["occurred_at"].isoformat(),
                "store_id": r["store_id"],
                "notes": None
                if r["notes"] is None
                else self._decrypt("service_history", "notes", user_key, r["notes"]),
            }
            for r in rows
        ]

    # -- helpers -----------------------------------------------------------------------------

    def _encrypt(self, table: str, column: str, user_key: str, value: Any) -> str:
        return self.cipher.encrypt(value, table=table, column=column, user_key=user_key)

    def _decrypt(self, table: str, column: str, user_key: str, token: str | None) -> Any:
        if token is None:
            return None
        return self.cipher.decrypt(token, table=table, column=column, user_key=user_key)

    async def _upsert(
        self,
        con: Any,
        table: str,
        user_key: str,
        values: Mapping[str, Any],
        now: datetime,
        *,
        touch: bool = False,
    ) -> None:
        # Column names come from fields.STORED, never from the request.
        cols = list(values)
        enc = [
            None if v is None else self._encrypt(table, c, user_key, v) for c, v in values.items()
        ]
        stamps = ["updated_at", *(["last_active_at"] if touch else [])]
        names = ", ".join(["user_key", *cols, *stamps])
        params = ", ".join(f"${i}" for i in range(1, len(cols) + 2 + len(stamps)))
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*cols, *stamps))
        await con.execute(
            f"INSERT INTO {table} ({names}) VALUES ({params}) "
            f"ON CONFLICT (user_key) DO UPDATE SET {sets}",
            user_key,
            *enc,
            *([now] * len(stamps)),
        )
