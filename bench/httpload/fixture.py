"""A worker with data behind its HTTP views: a private seeded database and a service API key,
generated traffic through every stage, and the users whose three views all answer 200."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from app.auth import Authenticator, PostgresKeyStore
from app.catalog import seed
from app.db.testing import create_database, drop_database
from app.generator.produce import produce
from app.generator.traffic import Catalog, TrafficGenerator
from app.services.postgres import Postgres
from app.settings import get_settings
from bench.bench_pipeline import _metric
from tests.integration.harness import Worker, unique, wait_until

PRODUCTS = 2000
ENDPOINTS = {
    "recommendations": "/v1/recommendations/{user}",
    "sessions": "/v1/sessions/{user}",
    "profiles": "/v1/profiles/{user}",
}


@dataclass
class Loaded:
    worker: Worker
    dsn: str
    api_key: str
    users: list[str]
    # Status counts per endpoint over one probe of every candidate user.
    probe: dict[str, Counter[str]]
    # Where the probed recommendations came from: the stream's table or computed on demand.
    rec_sources: Counter[str]


async def _database(admin_dsn: str) -> tuple[str, str]:
    """A migrated private database with the seeded catalog, and a ``service`` key in it."""
    dsn = await create_database(admin_dsn, prefix="hw_bench_http")
    con = await asyncpg.connect(dsn)
    try:
        await seed.load(con, seed.generate(PRODUCTS))
        # The worker loads the whole catalog when it starts; left in the outbox, the seed's
        # thousands of change rows would be relayed and re-read one by one during the load.
        await con.execute("UPDATE outbox SET published_at = now() WHERE published_at IS NULL")
    finally:
        await con.close()
    pg = Postgres(dsn, min_size=1, max_size=1)
    try:
        key = await Authenticator(PostgresKeyStore(pg)).create("service", "bench_http")
    finally:
        await pg.on_stop()
    return dsn, key


def _processed(worker: Worker, events: int) -> bool:
    """Every event cleaned, and the act stage has consumed all that enrichment produced."""
    text = worker.get("/metrics").text
    cleaned = _metric(text, "headwater_stage_in_total", stage="clean")
    enriched = _metric(
        text, "headwater_stage_out_total", stage="enrich", destination="enriched.events"
    )
    acted = _metric(text, "headwater_stage_in_total", stage="act")
    return cleaned >= events and enriched > 0 and acted >= enriched


def _probe(worker: Worker, dsn: str, key: str, candidates: list[str]) -> Loaded:
    """Ask every view once per candidate; keep the users for whom all three answer 200, so the
    load measures real reads and never a 404 fast path."""
    headers = {"Authorization": f"Bearer {key}"}
    probe: dict[str, Counter[str]] = {name: Counter() for name in ENDPOINTS}
    sources: Counter[str] = Counter()
    users = []
    with httpx.Client(base_url=worker.url, headers=headers, timeout=10) as http:
        for user in candidates:
            ok = True
            for name, template in ENDPOINTS.items():
                resp = http.get(template.format(user=user))
                probe[name][str(resp.status_code)] += 1
                ok = ok and resp.status_code == 200
                if name == "recommendations" and resp.status_code == 200:
                    sources[resp.json().get("source", "?")] += 1
            if ok:
                users.append(user)
    return Loaded(worker, dsn, key, users, probe, sources)


@contextmanager
def loaded_worker(events: int, tmp: Path) -> Iterator[Loaded]:
    settings = get_settings()
    prefix = unique("bench-http") + "."
    dsn, key = asyncio.run(_database(settings.database_url))
    worker = Worker(tmp, TOPIC_PREFIX=prefix, DATABASE_URL=dsn, LOG_LEVEL="warn")
    try:
        # Humans only: bot sessions are diverted by the cleaning stage and never get views.
        traffic = TrafficGenerator(
            Catalog.from_seed(PRODUCTS), seed=23, bot_share=0.0, malformed_share=0.0
        ).events(events)
        asyncio.run(produce(dataclasses.replace(settings, topic_prefix=prefix), traffic))
        candidates = sorted({g.key.decode() for g in traffic})
        print(f"produced {events} events for {len(candidates)} users; starting a worker")
        worker.start()
        wait_until(
            f"{events} events through every stage", lambda: _processed(worker, events), 600, 1
        )
        yield _probe(worker, dsn, key, candidates)
    finally:
        worker.cleanup()
        asyncio.run(drop_database(settings.database_url, dsn))


async def access_log_reads(dsn: str) -> dict[str, int]:
    """Access-log ``read`` rows per field: every 200 of a table view must have left one."""
    con = await asyncpg.connect(dsn)
    try:
        rows = await con.fetch(
            "SELECT fields[1] AS what, count(*) AS n FROM access_log WHERE action = 'read' "
            "GROUP BY 1"
        )
    finally:
        await con.close()
    return {r["what"]: int(r["n"]) for r in rows}
