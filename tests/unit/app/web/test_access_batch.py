"""The access-log group commit: a read answers only after its row is committed, reads that
arrive during a commit share the next one, and a failed commit fails every read in it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from app.errors import ServiceUnavailable
from app.profiles.access import Actor
from app.web.access_batch import AccessLogWriter

ACTOR = Actor("k1", "service")


class FakePostgres:
    """Records each executemany batch; a commit completes when ``gate`` is set."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.batches: list[list[tuple[Any, ...]]] = []
        self.gate = asyncio.Event()
        self.fail = fail

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[FakePostgres]:
        yield self

    async def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        assert sql.startswith("INSERT INTO access_log")
        await self.gate.wait()
        if self.fail:
            raise self.fail
        self.batches.append(rows)


async def _read(writer: AccessLogWriter, user: str) -> None:
    await writer.log(ACTOR, action="read", user_key=user, fields=["sessions"], purpose="service")


async def test_reads_during_a_commit_share_the_next_one() -> None:
    pg = FakePostgres()
    writer = AccessLogWriter(pg)
    first = asyncio.create_task(_read(writer, "u1"))
    await asyncio.sleep(0)  # u1's commit is now in flight
    rest = [asyncio.create_task(_read(writer, f"u{i}")) for i in range(2, 6)]
    await asyncio.sleep(0)
    assert not first.done()  # no answer before the row is committed
    pg.gate.set()
    await asyncio.gather(first, *rest)
    assert [[r[4] for r in b] for b in pg.batches] == [["u1"], ["u2", "u3", "u4", "u5"]]
    row = pg.batches[0][0]
    assert row[1:] == ("k1", "service", "read", "u1", ["sessions"], "service")


async def test_a_failed_commit_fails_every_read_of_its_batch() -> None:
    pg = FakePostgres(fail=ServiceUnavailable("postgres", "down"))
    writer = AccessLogWriter(pg)
    reads = [asyncio.create_task(_read(writer, f"u{i}")) for i in range(3)]
    await asyncio.sleep(0)
    pg.gate.set()
    results = await asyncio.gather(*reads, return_exceptions=True)
    assert all(isinstance(r, ServiceUnavailable) for r in results)


async def test_unknown_action_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown access action"):
        await AccessLogWriter(FakePostgres()).log(
            ACTOR, action="peek", user_key="u", fields=[], purpose="x"
        )
