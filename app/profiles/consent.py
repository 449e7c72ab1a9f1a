"""The consent ledger in PostgreSQL: every change appended, the latest per purpose wins.

``record`` is what the consent pipeline calls for each change it publishes on (or reads from)
the compacted ``consent.changes`` topic; a redelivered change is recorded once (unique on user,
purpose, time and source). ``current`` answers with the defaults of ``tables/consent.py`` for
purposes a user never changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.profiles.db import Database
from app.profiles.errors import ProfileError

PURPOSES = ("analytics", "personalization", "marketing")
#: Same defaults as tables/consent.py: absent means granted, except marketing (opt-in).
DEFAULTS = {"analytics": True, "personalization": True, "marketing": False}


async def record(
    db: Database,
    user_key: str,
    purpose: str,
    granted: bool,
    changed_at: datetime,
    source: str,
) -> bool:
    """Append one change; False when this exact change was already recorded."""
    if purpose not in PURPOSES:
        raise ProfileError(f"Unknown consent purpose {purpose!r}: use one of {', '.join(PURPOSES)}")
    if changed_at.tzinfo is None:
        raise ProfileError("changed_at must carry a time zone (UTC): naive times are ambiguous")
    async with db.acquire() as con:
        status = await con.execute(
            "INSERT INTO consent_ledger (user_key, purpose, granted, changed_at, source) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT ON CONSTRAINT consent_ledger_once DO NOTHING",
            user_key,
            purpose,
            granted,
            changed_at,
            source,
        )
    return bool(status.endswith(" 1"))


async def record_change(db: Database, change: dict[str, Any]) -> bool:
    """:func:`record` for a decoded ``consent.changes`` value (the Avro ``ConsentChange``)."""
    return await record(
        db,
        str(change["user_key"]),
        str(change["purpose"]),
        bool(change["granted"]),
        change["changed_at"],
        str(change["source"]),
    )


async def current(db: Database, user_key: str) -> dict[str, bool]:
    """``{purpose: granted}`` for every purpose (the latest change, else the default)."""
    async with db.acquire() as con:
        rows = await con.fetch(
            "SELECT purpose, granted FROM consent_current WHERE user_key = $1", user_key
        )
    return {**DEFAULTS, **{r["purpose"]: r["granted"] for r in rows}}


async def ledger(con: Any, user_key: str) -> list[dict[str, Any]]:
    """Every recorded change of ``user_key``, oldest first (part of a GDPR export)."""
    rows = await con.fetch(
        "SELECT purpose, granted, changed_at, source, recorded_at FROM consent_ledger "
        "WHERE user_key = $1 ORDER BY changed_at, change_id",
        user_key,
    )
    return [
        {
            **dict(r),
            "changed_at": r["changed_at"].isoformat(),
            "recorded_at": r["recorded_at"].isoformat(),
        }
        for r in rows
    ]
