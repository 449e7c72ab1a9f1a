"""Stage 3, enriched → action: every batch of enriched events feeds the engine's generators,
and each user whose session changed gets a fresh recommendation, emitted to
``action.recommendations`` (keyed by user) and kept as the latest in a table.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from typing import Any

from faust import EventT, StreamT

from app.core import app, milvus, postgres, settings
from app.metrics import BATCH_SECONDS, STAGE_IN, STAGE_OUT
from app.profiles.wiring import install
from app.serving.experiments import LiveExperiments
from app.serving.interactions import to_interactions
from app.serving.runtime import runtime, to_record
from app.streaming.batch_send import BatchSend
from app.streaming.batches import take_batches
from app.streaming.current import as_current_event
from app.streaming.table_reads import read
from app.streaming.table_writes import TableWrites
from app.wire.codecs import decoder, encoder
from app.wire.dlq import dead_letter
from app.wire.topics import ENRICHED, RECOMMENDATIONS, enriched_topic, recommendations_topic
from tables.profiles import profiles_table
from tables.recommendations import recommendations_table
from tables.sessions import sessions_table

log = logging.getLogger(__name__)
STAGE = "act"
RETRAIN_SECONDS = 300.0
experiments = LiveExperiments(postgres)
profile_services = install(settings, postgres, milvus)


async def act_batch(events: list[EventT]) -> None:
    started = time.perf_counter()
    STAGE_IN.labels(STAGE, ENRICHED).inc(len(events))
    decode = decoder(ENRICHED)
    by_key: dict[bytes, list[tuple[EventT, dict[str, Any]]]] = defaultdict(list)
    for event in events:
        try:
            rec = decode(event.value)
        except Exception as err:
            await dead_letter(STAGE, event, "undecodable", err)
            continue
        by_key[event.key or rec["user_key"].encode()].append((event, rec))
    records = [r for group in by_key.values() for _, r in group]
    runtime.engine.observe(to_interactions(records))
    if runtime.vectors is not None:
        try:
            await runtime.vectors.observe(records)
        except Exception as err:  # Milvus down or a refused vector: recommendations go on
            log.warning("session/user vectors not written: %s", err)

    encode = encoder(RECOMMENDATIONS)
    out = BatchSend(app)
    latest: list[tuple[EventT, bytes, dict[str, Any]]] = []
    exposures: list[tuple[dict[str, str], str, list[str], float]] = []
    try:
        # Outcomes first: an order in this batch answers the exposures of earlier batches.
        await experiments.log_events(records)
    except Exception as err:
        log.warning("experiment outcomes not logged: %s", err)
    consents = {
        key: bool(group[-1][1].get("consent_personalization", True))
        for key, group in by_key.items()
    }
    # Cached per user; the batch's misses are read from PostgreSQL in one round.
    consented = [key for key, ok in consents.items() if ok]
    spheres = await runtime.prescriptions.spheres([k.decode() for k in consented], profile_services)
    for key, group in by_key.items():
        as_current_event(group[0][0])
        last = group[-1][1]
        weights, label = experiments.choose(key.decode())
        consent = consents[key]
        sphere = spheres.get(key.decode())
        rec = runtime.recommend(
            key.decode(),
            profile=read(profiles_table, key),
            session=read(sessions_table, key),
            consent_personalization=consent,
            weights=weights,
            prescription=sphere,
            experiment=label,
        )
        record = to_record(rec, str(uuid.uuid4()), trigger_event_id=str(last["event_id"]))
        if label is not None:
            exposures.append((label, key.decode(), rec.item_ids, rec.generated_at))
        await out.add(recommendations_topic, key, encode(record))
        STAGE_OUT.labels(STAGE, RECOMMENDATIONS).inc()
        latest.append((group[0][0], key, record))
    await out.finish()
    for label, user_key, items, ts in exposures:
        try:
            await experiments.log_exposure(label, user_key, items, ts)
        except Exception as err:
            log.warning("exposure not logged: %s", err)
    writes = TableWrites(app)
    for event, key, record in latest:
        await writes.set(recommendations_table, event, key, _storable(record))
    await writes.ship()
    BATCH_SECONDS.labels(STAGE).observe(time.perf_counter() - started)


def _storable(record: dict[str, Any]) -> dict[str, Any]:
    """JSON-friendly copy for the table (datetime as ISO text)."""
    return {**record, "generated_at": record["generated_at"].isoformat()}


@app.agent(enriched_topic, name="act")
async def act(stream: StreamT) -> None:
    await runtime.ready.wait()
    batches = take_batches(stream, settings.batch_size, within=settings.batch_wait_ms / 1000)
    async for events in batches:
        await act_batch(list(events))


@app.task
async def start_runtime() -> None:
    await runtime.start(postgres)
    await runtime.start_vectors(milvus, settings.milvus_collection_prefix, settings.database_url)


@app.timer(interval=2.0, name="refresh-experiments")
async def refresh_experiments() -> None:
    await experiments.refresh()


@app.timer(interval=RETRAIN_SECONDS, name="retrain-learned-model")
async def retrain() -> None:
    """Retrain the learned model from the history this worker has seen (off the loop)."""
    if len(runtime.learned.snapshot()) < 50:
        return
    model = await runtime.learned.retrain()
    log.info("learned model %s promoted", model.version)
