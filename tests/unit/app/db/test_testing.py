"""drop_database retries while PostgreSQL refuses to end a session it may not signal."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from app.db import testing


class FakeConnection:
    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.statements: list[str] = []
        self.closed = False

    async def execute(self, sql: str) -> str:
        self.statements.append(sql)
        if self.refusals:
            self.refusals -= 1
            raise asyncpg.InsufficientPrivilegeError(
                "must be a member of the role whose process is being terminated"
            )
        return "DROP DATABASE"

    async def close(self) -> None:
        self.closed = True


def _connect_to(conn: FakeConnection) -> Any:
    async def connect(dsn: str) -> FakeConnection:
        return conn

    return connect


async def test_drop_is_retried_until_the_session_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = FakeConnection(refusals=2)
    monkeypatch.setattr(testing.asyncpg, "connect", _connect_to(conn))
    await testing.drop_database("postgresql://u@h/postgres", "postgresql://u@h/hw_abc")
    assert conn.statements == ['DROP DATABASE IF EXISTS "hw_abc" WITH (FORCE)'] * 3
    assert conn.closed


async def test_a_lasting_refusal_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = FakeConnection(refusals=10)
    monkeypatch.setattr(testing.asyncpg, "connect", _connect_to(conn))
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await testing.drop_database(
            "postgresql://u@h/postgres", "postgresql://u@h/hw_abc", attempts=3
        )
    assert len(conn.statements) == 3
    assert conn.closed
