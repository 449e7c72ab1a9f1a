"""Access-log rows of concurrent personal-data reads, committed together (group commit).

Each read still waits until its row is committed before it answers, so a read that returned
data always left its row, as before. What changes is the cost: reads that arrive while a commit
is in flight share the next one, one pool checkout and one pipelined ``executemany`` per batch,
instead of a checkout, an INSERT and a connection reset per read, the cost that dominated the
table views under load (measurements: docs/benchmarks.md, Design decisions,
app/web/access_batch.py). With no commit in flight a row is written at once, so a lone read
waits no longer than before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.profiles.access import ACTIONS, Actor

INSERT = (
    "INSERT INTO access_log (at, actor_key_id, actor_role, action, user_key, fields, purpose) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)"
)
Row = tuple[datetime, str, str, str, str | None, list[str], str]


@dataclass
class _Waiting:
    row: Row
    done: asyncio.Future[None]


class AccessLogWriter:
    """Writes access-log rows through ``postgres`` (anything with ``acquire()``), batched."""

    def __init__(self, postgres: Any, max_batch: int = 500) -> None:
        self._postgres = postgres
        self._max_batch = max_batch
        self._pending: list[_Waiting] = []
        # The drain task runs while rows wait; kept referenced so it is not collected.
        self._drain: asyncio.Task[None] | None = None

    async def log(
        self,
        actor: Actor,
        *,
        action: str,
        user_key: str | None,
        fields: Sequence[str],
        purpose: str,
    ) -> None:
        """Return once the row is committed; raise what the commit raised."""
        if action not in ACTIONS:
            raise ValueError(f"unknown access action {action!r}")
        loop = asyncio.get_running_loop()
        # ``at`` is when the read happened, not when its batch commits.
        row: Row = (
            datetime.now(UTC),
            actor.key_id,
            actor.role,
            action,
            user_key,
            list(fields),
            purpose,
        )
        waiting = _Waiting(row, loop.create_future())
        self._pending.append(waiting)
        if self._drain is None or self._drain.done():
            self._drain = loop.create_task(self._drain_pending())
        await waiting.done

    async def _drain_pending(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            try:
                async with self._postgres.acquire() as con:
                    await con.executemany(INSERT, [w.row for w in batch])
            except Exception as err:
                # Every read of the batch fails as a lone read would have (503 or 500).
                _settle(batch, err)
            except BaseException:
                # Cancelled (worker stopping): no read may answer as if its row were written.
                stopped, self._pending = batch + self._pending, []
                _settle(stopped, RuntimeError("access log writer stopped before the commit"))
                raise
            else:
                _settle(batch, None)


def _settle(batch: list[_Waiting], err: Exception | None) -> None:
    for w in batch:
        if w.done.done():  # the request went away; its row is written (or failed) anyway
            continue
        if err is None:
            w.done.set_result(None)
        else:
            w.done.set_exception(err)
