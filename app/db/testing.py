"""A private, migrated database per test module (used by the integration tests).

Lives in the package so that tests, the bench script and ``catalog seed --fresh`` share it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from app.db.migrate import migrate


def with_database(dsn: str, database: str) -> str:
    """``dsn`` pointing at ``database`` instead of its own."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def create_database(
    admin_dsn: str, *, prefix: str = "hw", target: int | None = None, migrated: bool = True
) -> str:
    """Create ``<prefix>_<random>`` (migrated unless told otherwise); return its DSN."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = with_database(admin_dsn, name)
    if migrated:
        await migrate(dsn, target=target)
    return dsn


async def drop_database(admin_dsn: str, dsn: str, *, attempts: int = 50) -> None:
    """Drop the database behind ``dsn``, ending its sessions.

    A role without ``pg_signal_backend`` may not end an autovacuum worker that PostgreSQL
    started in the fresh database; such a worker finishes within moments, so try again.
    """
    name = urlsplit(dsn).path.lstrip("/")
    admin = await asyncpg.connect(admin_dsn)
    try:
        for attempt in range(attempts):
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except asyncpg.InsufficientPrivilegeError:
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(0.1)
    finally:
        await admin.close()


@asynccontextmanager
async def scratch_database(
    admin_dsn: str, *, prefix: str = "hw", target: int | None = None, migrated: bool = True
) -> AsyncIterator[str]:
    """A database created for the block and dropped after it."""
    dsn = await create_database(admin_dsn, prefix=prefix, target=target, migrated=migrated)
    try:
        yield dsn
    finally:
        await drop_database(admin_dsn, dsn)
