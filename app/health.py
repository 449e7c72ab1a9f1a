"""Dependency health, as reported by ``GET /health``.

Each probe is an async callable that raises :class:`ServiceUnavailable` when its service is down.
Probes run concurrently under one timeout each, so one dead service cannot slow the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.errors import ServiceUnavailable

Probe = Callable[[float], Awaitable[Any]]


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    latency_ms: float
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "up" if self.ok else "down",
            "latency_ms": round(self.latency_ms, 1),
            "detail": self.detail,
        }


async def _run(name: str, probe: Probe, timeout: float) -> Check:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout + 0.5):
            result = await probe(timeout)
        detail = "ok" if result is None else str(result)
        ok = True
    except ServiceUnavailable as err:
        ok, detail = False, err.detail
    except TimeoutError:
        ok, detail = False, f"no answer within {timeout}s"
    return Check(name, ok, (time.perf_counter() - started) * 1000, detail)


async def check_all(probes: Mapping[str, Probe], timeout: float) -> tuple[bool, dict[str, Any]]:
    """Run every probe; return (all up, JSON body)."""
    checks = await asyncio.gather(*(_run(n, p, timeout) for n, p in probes.items()))
    healthy = all(c.ok for c in checks)
    body = {
        "status": "up" if healthy else "down",
        "down": [c.name for c in checks if not c.ok],
        "services": {c.name: c.as_dict() for c in checks},
    }
    return healthy, body
