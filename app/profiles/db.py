"""What the profile code needs from PostgreSQL: something with ``acquire()``.

The worker passes its :class:`app.services.postgres.Postgres` service; commands and tests pass
their own instance of it.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

#: Actions for the access log and the erasure audit when no HTTP caller is involved.
SYSTEM_KEY_ID = "system"

#: Lets a transaction delete from the append-only tables (see migration 0007).
MAINTENANCE = "SET LOCAL headwater.maintenance = 'on'"


class Database(Protocol):
    def acquire(self) -> AbstractAsyncContextManager[Any]: ...
