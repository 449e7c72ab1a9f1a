"""What the catalog needs from PostgreSQL: something that lends connections, and JSON helpers.

Both ``asyncpg.Pool`` and the worker's :class:`app.services.postgres.Postgres` fit
:class:`Database`. JSON is encoded explicitly (``$n::jsonb``) rather than through a connection
codec, because the worker's pool is shared with code that expects asyncpg's defaults.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import asyncpg
import orjson


class Database(Protocol):
    def acquire(self) -> AbstractAsyncContextManager[asyncpg.Connection]: ...


def dumps(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def loads(value: Any) -> Any:
    """A json/jsonb column as Python (asyncpg returns text without a codec)."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value
