"""Fakes for stage tests: events as Faust hands them to a stage, tables on ``memory://``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import faust


@dataclass
class FakeMessage:
    topic: str
    partition: int = 0
    offset: int = 0
    key: bytes | None = None
    value: bytes = b""


@dataclass
class FakeEvent:
    key: bytes | None
    value: bytes
    message: FakeMessage = field(default_factory=lambda: FakeMessage("t"))


def event(topic: str, key: bytes | None, value: bytes = b"v", offset: int = 0) -> Any:
    return FakeEvent(key, value, FakeMessage(topic, 0, offset, key, value))


def memory_app() -> faust.App:
    """An offline app whose tables live in memory (no broker is contacted)."""
    app = faust.App(
        f"stage-test-{uuid.uuid4().hex[:8]}",
        broker="kafka://127.0.0.1:1",
        store="memory://",
        autodiscover=False,
    )
    app.finalize()
    return app


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(1_800_000_000 + seconds, UTC)
