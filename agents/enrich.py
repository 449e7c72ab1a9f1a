"""Stage 2, cleaned → enriched: each event joined with its product (PostgreSQL catalog through
the invalidated cache) and its user's behavioural profile; sessions and profiles kept in
RocksDB tables; closed sessions emitted to ``enriched.sessions``. Output keyed by user.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from typing import Any

from faust import EventT, StreamT

from app.catalog.cache import CachedProduct
from app.core import app, product_cache, settings
from app.enrich import profiles, sessions
from app.errors import ServiceUnavailable
from app.metrics import BATCH_SECONDS, STAGE_DROPPED, STAGE_IN, STAGE_OUT
from app.streaming.batch_send import BatchSend
from app.streaming.batches import take_batches
from app.streaming.current import as_current_event
from app.streaming.table_reads import read
from app.streaming.table_writes import TableWrites
from app.wire.codecs import decoder, encoder
from app.wire.dlq import dead_letter
from app.wire.topics import (
    CLEANED,
    ENRICHED,
    ENRICHED_SESSIONS,
    cleaned_all_topic,
    enriched_sessions_topic,
    enriched_topic,
)
from tables.profiles import profiles_table
from tables.sessions import sessions_table

log = logging.getLogger(__name__)
STAGE = "enrich"
#: Event ids remembered per user to skip replays; a replay comes from one uncommitted batch.
APPLIED_KEPT = 500
#: Sessions already emitted by the idle sweep (which may not write tables: no current event).
_swept: set[str] = set()


async def _products(ids: set[str]) -> dict[str, CachedProduct | None]:
    async def one(pid: str) -> tuple[str, CachedProduct | None]:
        try:
            return pid, await product_cache.get(pid)
        except (ServiceUnavailable, OSError) as err:
            log.warning("catalog unavailable, enriching without product data: %s", err)
            return pid, None

    return dict(await asyncio.gather(*(one(pid) for pid in ids)))


def _product_info(p: CachedProduct | None) -> dict[str, Any]:
    if p is None:
        return {}
    return {
        "category_path": p.category_path,
        "price": p.price,
        "in_stock": p.stock > 0,
        "brand": None,
    }


async def _emit_session(summary: dict[str, Any]) -> None:
    if summary["session_id"] in _swept:
        _swept.discard(summary["session_id"])
        return
    await enriched_sessions_topic.send(
        key=summary["user_key"].encode(), value=encoder(ENRICHED_SESSIONS)(summary)
    )
    STAGE_OUT.labels(STAGE, ENRICHED_SESSIONS).inc()


async def enrich_batch(events: list[EventT]) -> None:
    started = time.perf_counter()
    decoded: list[tuple[EventT, dict[str, Any]]] = []
    for event in events:
        STAGE_IN.labels(STAGE, event.message.topic.removeprefix(settings.topic_prefix)).inc()
        try:
            decoded.append((event, decoder(CLEANED["clickstream"])(event.value)))
        except Exception as err:
            await dead_letter(STAGE, event, "undecodable", err)
    ids = {str(d["product_id"]) for _, d in decoded if d.get("product_id")}
    ids |= {str(i["product_id"]) for _, d in decoded for i in d.get("items") or ()}
    products = {pid: _product_info(p) for pid, p in (await _products(ids)).items()}

    by_key: dict[bytes, list[tuple[EventT, dict[str, Any]]]] = defaultdict(list)
    for event, rec in decoded:
        by_key[event.key or rec["user_key"].encode()].append((event, rec))
    wall_ms = int(time.time() * 1000)
    timeout_ms = int(settings.session_timeout_seconds * 1000)
    encode = encoder(ENRICHED)
    closed: list[dict[str, Any]] = []
    out = BatchSend(app)
    new_states: list[tuple[EventT, bytes, dict[str, Any], dict[str, Any]]] = []
    for key, group in by_key.items():
        as_current_event(group[0][0])
        user_key = key.decode()
        session_state: dict[str, Any] = dict(read(sessions_table, key) or {})
        profile: dict[str, Any] = dict(read(profiles_table, key) or {})
        # A replay after a crash (at-least-once) must not count an event twice. It is matched by
        # event id, not by source offset: the cleaning stage's own replay re-sends an event with
        # the same id at a new offset (the recovery test caught the offset version doing that).
        # Each table keeps its own ids, in the same record as the counts they guard: the two
        # tables' changelog records are separate writes, and a crash between them left the
        # profile counted while the session's ids (which guarded both) were lost, or the reverse.
        in_session: list[str] = session_state.setdefault("applied", [])
        in_profile: list[str] = profile.setdefault("applied", [])
        session_state.pop("offsets", None)
        for event, rec in sorted(group, key=lambda er: er[1]["occurred_at"]):
            event_id = rec["event_id"]
            to_session, to_profile = event_id not in in_session, event_id not in in_profile
            if not (to_session or to_profile):
                STAGE_DROPPED.labels(STAGE, "already_applied").inc()
                continue
            at_ms = int(rec["occurred_at"].timestamp() * 1000)
            if to_session:
                in_session.append(event_id)
                done = sessions.apply_event(
                    session_state,
                    user_key,
                    rec,
                    at_ms=at_ms,
                    wall_ms=wall_ms,
                    timeout_ms=timeout_ms,
                )
                if done is not None:
                    closed.append(done)
            if to_profile:
                in_profile.append(event_id)
                profiles.apply_event(profile, rec, at_ms=at_ms, products=products)
            info = products.get(str(rec.get("product_id") or ""), {})
            enriched = {
                **rec,
                "category_path": info.get("category_path"),
                "brand": info.get("brand"),
                "list_price": info.get("price"),
                "in_stock": info.get("in_stock"),
                "profile_segments": profiles.segments(profile),
                "top_categories": profiles.top_categories(profile),
            }
            try:
                await out.add(enriched_topic, key, encode(enriched))
                STAGE_OUT.labels(STAGE, ENRICHED).inc()
            except Exception as err:
                await dead_letter(STAGE, event, "contract_violation", err)
        del in_session[:-APPLIED_KEPT]
        del in_profile[:-APPLIED_KEPT]
        new_states.append((group[0][0], key, session_state, profile))
    for summary in closed:
        await _emit_session(summary)
    # Output first, state second (see agents/clean.py): a replayed event is either applied
    # and delivered already (skipped by ``applied``) or not applied at all.
    await out.finish()
    writes = TableWrites(app)
    for event, key, session_state, profile in new_states:
        await writes.set(sessions_table, event, key, session_state)
        await writes.set(profiles_table, event, key, profile)
    await writes.ship()
    BATCH_SECONDS.labels(STAGE).observe(time.perf_counter() - started)


@app.agent(cleaned_all_topic, name="enrich")
async def enrich(stream: StreamT) -> None:
    batches = take_batches(stream, settings.batch_size, within=settings.batch_wait_ms / 1000)
    async for events in batches:
        await enrich_batch(list(events))


@app.timer(interval=10.0, name="close-idle-sessions")
async def close_idle_sessions() -> None:
    """Emit sessions idle for the timeout even if their user never comes back.

    A timer has no current event, so it cannot write a RocksDB table: it emits the summary and
    remembers the id; the user's next event closes the state without emitting it again.
    Consumers de-duplicate by session id (a restart may emit one twice).
    """
    wall_ms = int(time.time() * 1000)
    timeout_ms = int(settings.session_timeout_seconds * 1000)
    for key, state in list(sessions_table.items()):
        cur = (state or {}).get("current")
        if cur is None or cur["session_id"] in _swept:
            continue
        if sessions.idle(state, wall_ms, timeout_ms):
            summary = sessions.summary(key.decode(), cur, "inactivity")
            await enriched_sessions_topic.send(key=key, value=encoder(ENRICHED_SESSIONS)(summary))
            STAGE_OUT.labels(STAGE, ENRICHED_SESSIONS).inc()
            _swept.add(cur["session_id"])
