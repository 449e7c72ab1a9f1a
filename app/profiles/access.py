"""The access log: every read (and write) of personal data records who, what, when and why.

Rows are written in the same transaction as the read they describe, so a read that returns
data always left its row; the table is append-only (migration 0008).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ACTIONS = ("read", "write", "export", "erase")


@dataclass(frozen=True)
class Actor:
    """Who accesses: an API key (``Principal`` from app/auth.py fits) or a command."""

    key_id: str
    role: str


async def log_access(
    con: Any,
    actor: Actor,
    *,
    action: str,
    user_key: str | None,
    fields: Sequence[str],
    purpose: str,
) -> None:
    await con.execute(
        "INSERT INTO access_log (actor_key_id, actor_role, action, user_key, fields, purpose) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        actor.key_id,
        actor.role,
        action,
        user_key,
        list(fields),
        purpose,
    )


async def log_accesses(
    con: Any,
    actor: Actor,
    *,
    action: str,
    fields: Mapping[str, Sequence[str]],
    purpose: str,
) -> None:
    """One row per user (``fields``: user key → the fields accessed), in one statement."""
    keys = list(fields)
    await con.execute(
        "INSERT INTO access_log (actor_key_id, actor_role, action, user_key, fields, purpose) "
        "SELECT $1, $2, $3, k, ARRAY(SELECT jsonb_array_elements_text(f)), $5 "
        "FROM unnest($4::text[], $6::jsonb[]) AS u(k, f)",
        actor.key_id,
        actor.role,
        action,
        keys,
        purpose,
        [json.dumps(list(fields[k])) for k in keys],
    )


async def history(con: Any, user_key: str) -> list[dict[str, Any]]:
    """The accesses to ``user_key``'s data, oldest first (part of a GDPR export)."""
    rows = await con.fetch(
        "SELECT at, actor_key_id, actor_role, action, fields, purpose FROM access_log "
        "WHERE user_key = $1 ORDER BY access_id",
        user_key,
    )
    return [{**dict(r), "at": r["at"].isoformat()} for r in rows]
