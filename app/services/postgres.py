"""One asyncpg pool per worker, opened on start and closed on stop.

The worker must keep running while PostgreSQL is down (``/health`` reports it), so the pool is
opened lazily: a failed open at start-up is logged and retried on the next use.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from mode import Service

from app.errors import ServiceUnavailable

log = logging.getLogger(__name__)


class Postgres(Service):
    """Owns the pool; ``acquire()`` hands out connections, ``ping()`` checks liveness."""

    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 10, **kwargs: object):
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.dsn = dsn
        self.min_size = min_size
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def on_start(self) -> None:
        try:
            await self.pool()
        except ServiceUnavailable as err:
            log.warning("%s; will retry on first use", err)

    async def on_stop(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def pool(self, timeout: float = 5.0) -> asyncpg.Pool:
        """The open pool, opening it first if needed."""
        if self._pool is not None:
            return self._pool
        async with self._opening:
            if self._pool is None:
                try:
                    self._pool = await asyncpg.create_pool(
                        self.dsn,
                        min_size=self.min_size,
                        max_size=self.max_size,
                        timeout=timeout,
                        command_timeout=30,
                    )
                except (TimeoutError, OSError, asyncpg.PostgresError) as err:
                    raise ServiceUnavailable("postgres", f"{type(err).__name__}: {err}") from err
        assert self._pool is not None
        return self._pool

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        pool = await self.pool()
        async with pool.acquire() as con:
            yield con

    async def ping(self, timeout: float) -> None:
        """Raise :class:`ServiceUnavailable` unless ``SELECT 1`` answers within ``timeout``."""
        try:
            async with asyncio.timeout(timeout):
                async with self.acquire() as con:
                    await con.fetchval("SELECT 1")
        except ServiceUnavailable:
            raise
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
            raise ServiceUnavailable("postgres", f"{type(err).__name__}: {err}") from err
