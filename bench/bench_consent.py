"""Consent withdrawal → no personalized recommendation: the delay, measured on a real worker.

Run: ``.venv/bin/python -m bench.bench_consent [--users 30]`` with the stack up (make up).
For each user: a view that makes their list personal, then POST /v1/consent withdrawing
personalization, then GET /v1/recommendations polled every 10 ms until ``personalized`` is
false. Prints p50/p99/max of that delay (target: under one second).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import httpx

from app.settings import get_settings
from bench.common import write_results
from tests.integration.conftest import seeded_database
from tests.integration.harness import Worker, unique, wait_until


def _view(user: str, t: datetime) -> dict[str, object]:
    return {
        "event_type": "product_view",
        "user_id": user,
        "anonymous_id": f"a-{user}",
        "session_id": f"s-{user}",
        "product_id": "P000010",
        "occurred_at": t.isoformat(),
        "properties": {"js": "1"},
        "user_agent": "Mozilla/5.0 Chrome/131.0",
    }


def _personalized(client: httpx.Client, user: str) -> bool:
    return bool(client.get(f"/v1/recommendations/{user}").json()["personalized"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=30)
    args = parser.parse_args()
    settings = get_settings()
    fixture = seeded_database.__wrapped__(settings)  # type: ignore[attr-defined]
    dsn, key = next(fixture)
    auth = {"Authorization": f"Bearer {key}"}
    delays: list[float] = []
    #: (seconds since the worker was ready, delay ms) per user, in order: shows when outliers hit.
    timeline: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        worker = Worker(
            Path(tmp),
            TOPIC_PREFIX=unique("bench-consent") + ".",
            DATABASE_URL=dsn,
            LOG_LEVEL="warn",
        )
        try:
            worker.start()
            wait_until(
                "worker ready",
                lambda: (
                    "Ready" in worker.log_tail(400)
                    or worker.get("/v1/recommendations/x", headers=auth).status_code == 200
                ),
                120,
            )
            ready = time.perf_counter()
            # One client with keep-alive for every request: a new httpx client per call builds
            # an SSL context, a delay of the client's that would be counted as the worker's
            # (measurements: docs/benchmarks.md, Design decisions, bench/bench_consent.py).
            client = httpx.Client(base_url=worker.url, headers=auth, timeout=10)
            t0 = datetime.now(UTC) - timedelta(minutes=1)
            crowd = [_view(f"c{i}-{uuid.uuid4().hex[:4]}", t0) for i in range(10)]
            client.post("/v1/events", json={"events": crowd})
            for _ in range(args.users):
                user = f"consent-{uuid.uuid4().hex[:8]}"
                client.post("/v1/events", json={"events": [_view(user, t0)]})
                wait_until("a personalized list", partial(_personalized, client, user), 60, 0.05)
                started = time.perf_counter()
                client.post(
                    "/v1/consent",
                    json={"user_id": user, "purpose": "personalization", "granted": False},
                )
                while _personalized(client, user):
                    time.sleep(0.01)
                delays.append((time.perf_counter() - started) * 1000)
                timeline.append((round(started - ready, 2), round(delays[-1], 1)))
            client.close()
        finally:
            worker.cleanup()
            with contextlib.suppress(StopIteration):
                next(fixture)
    delays.sort()
    p99 = delays[min(len(delays) - 1, round(0.99 * (len(delays) - 1)))]
    figures = {
        "users": len(delays),
        "p50_ms": round(statistics.median(delays), 1),
        "p99_ms": round(p99, 1),
        "max_ms": round(delays[-1], 1),
        "timeline": timeline,
    }
    path = write_results("consent", figures)
    slow = [f"{d:.0f} ms at +{at:.1f} s" for at, d in timeline if d > 500]
    if slow:
        print("withdrawals over 500 ms (time since the worker was ready): " + ", ".join(slow))
    print(
        f"consent withdrawal → non-personal list, {len(delays)} users: "
        f"p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms "
        f"(target < 1000 ms); results in {path}"
    )


if __name__ == "__main__":
    main()
