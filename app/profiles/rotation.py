"""Key rotation: re-encrypt every stored value that is not under the active key.

Works in small transactions (``batch`` rows, locked with SKIP LOCKED) so that workers keep
writing meanwhile; a value a worker writes during the run is already under the active key
(the workers must run with the new key first in ``HEADWATER_ENCRYPTION_KEYS``). Rerunning is
safe: only values under another key are touched.
"""

from __future__ import annotations

from app.profiles.crypto import FieldCipher
from app.profiles.db import Database
from app.profiles.fields import ENCRYPTED, ROW_KEY


def _stale(columns: tuple[str, ...]) -> str:
    # Key ids are [A-Za-z0-9-]: no LIKE wildcard can occur in them.
    return " OR ".join(f"({c} IS NOT NULL AND {c} NOT LIKE $1 || ':%')" for c in columns)


async def rotate(db: Database, cipher: FieldCipher, *, batch: int = 200) -> dict[str, int]:
    """Re-encrypt under the active key; returns the number of values rewritten per table."""
    active = cipher.active_kid
    done: dict[str, int] = {}
    for table, columns in ENCRYPTED.items():
        key = ROW_KEY[table]
        done[table] = 0
        select = (
            f"SELECT {key} AS row_key, user_key, {', '.join(columns)} FROM {table} "
            f"WHERE {_stale(columns)} LIMIT {int(batch)} FOR UPDATE SKIP LOCKED"
        )
        sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(columns, start=2))
        update = f"UPDATE {table} SET {sets} WHERE {key} = $1"
        while True:
            async with db.acquire() as con, con.transaction():
                rows = await con.fetch(select, active)
                for row in rows:
                    values = []
                    for c in columns:
                        token = row[c]
                        if token is not None and cipher.needs_rotation(token):
                            ctx = {"table": table, "column": c, "user_key": row["user_key"]}
                            token = cipher.encrypt(cipher.decrypt(token, **ctx), **ctx)
                            done[table] += 1
                        values.append(token)
                    await con.execute(update, row["row_key"], *values)
            if len(rows) < batch:
                break
    return done


async def key_usage(db: Database) -> dict[str, int]:
    """How many stored values each key id encrypts (to know when an old key can go)."""
    parts = [
        f"SELECT split_part({c}, ':', 1) AS kid FROM {t} WHERE {c} IS NOT NULL"
        for t, cols in ENCRYPTED.items()
        for c in cols
    ]
    sql = f"SELECT kid, count(*) AS n FROM ({' UNION ALL '.join(parts)}) v GROUP BY kid"
    async with db.acquire() as con:
        rows = await con.fetch(sql)
    return {r["kid"]: int(r["n"]) for r in sorted(rows, key=lambda r: r["kid"])}
