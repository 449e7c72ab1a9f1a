"""Stage 2, cleaned → enriched (logic in :mod:`app.stages.enrich`), and the sweep that emits
sessions whose user never came back."""

from __future__ import annotations

import time
from typing import Any

from faust import StreamT

from app.catalog.read_model import ProductView
from app.core import app
from app.enrich import sessions
from app.metrics import STAGE_OUT
from app.stages.enrich import EnrichStage
from app.stages.skeleton import run_stage
from app.streaming.batch_send import BatchSend
from app.wire.codecs import encoder
from app.wire.topics import ENRICHED_SESSIONS
from tables.profiles import profiles_table
from tables.sessions import sessions_table


async def _products(ids: set[str]) -> dict[str, dict[str, Any]]:
    """What enrichment adds per product, from the catalog read model: misses in one query;
    with PostgreSQL down, {} for the products it does not hold (one warning a batch)."""
    views = await app.components.products.get_many(ids)
    return {pid: _product_info(p) for pid, p in views.items()}


def _product_info(p: ProductView | None) -> dict[str, Any]:
    if p is None:
        return {}
    return {
        "category_path": p.category_path,
        "price": p.price,
        "in_stock": p.in_stock,
        "brand": p.brand,
    }


stage = EnrichStage(app.settings, _products, sessions_table, profiles_table)


@app.agent(app.pipeline.cleaned_all, name="enrich")
async def enrich(stream: StreamT) -> None:
    await run_stage(app, stage, stream)


@app.timer(interval=10.0, name="close-idle-sessions")
async def close_idle_sessions() -> None:
    """Emit sessions idle for the timeout even if their user never comes back.

    A timer has no current event, so it cannot write a RocksDB table: it emits the summary and
    remembers the id; the user's next event closes the state without emitting it again.
    Consumers de-duplicate by session id (a restart may emit one twice).
    """
    wall_ms = int(time.time() * 1000)
    timeout_ms = int(app.settings.session_timeout_seconds * 1000)
    encode = encoder(ENRICHED_SESSIONS)
    out = BatchSend(app)
    emitted: list[str] = []
    for key, state in list(sessions_table.items()):
        cur = (state or {}).get("current")
        if cur is None or cur["session_id"] in stage.swept:
            continue
        if sessions.idle(state, wall_ms, timeout_ms):
            summary = sessions.summary(key.decode(), cur, "inactivity")
            await out.add(app.pipeline[ENRICHED_SESSIONS], key, encode(summary))
            emitted.append(cur["session_id"])
    await out.finish()  # remembered as swept only once the broker has them
    stage.swept.update(emitted)
    STAGE_OUT.labels("enrich", ENRICHED_SESSIONS).inc(len(emitted))
