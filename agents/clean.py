"""Stage 1, raw → cleaned: one agent per event family.

Per batch: decode (Avro, registry) → semantic checks → PII masking of free text (Presidio, on
its thread) → de-duplication and bot statistics on the per-user table → consent → cleaned
envelope, routed to ``cleaned.<family>`` or ``cleaned.bots``. Anything that fails goes to
``dlq.events`` with its original bytes and the reason; the agent never stops on bad input.
Every event is counted once as in, and once as out, dead-lettered or dropped.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from faust import EventT, StreamT

from app.cleaning.bots import SessionStats, blend, is_bot_user_agent, rule_score
from app.cleaning.dedup import seen_before
from app.cleaning.errors import InvalidEvent
from app.cleaning.services import cleaning_services
from app.cleaning.transform import to_cleaned, user_identity
from app.cleaning.validate import check_event
from app.core import app, settings
from app.metrics import BATCH_SECONDS, STAGE_DROPPED, STAGE_IN, STAGE_OUT
from app.streaming.batch_send import BatchSend
from app.streaming.batches import take_batches
from app.streaming.current import as_current_event
from app.streaming.table_reads import read
from app.streaming.table_writes import TableWrites
from app.wire.codecs import decoder, encoder
from app.wire.dlq import dead_letter
from app.wire.topics import BOTS, CLEANED, RAW, bots_topic, cleaned_topics, raw_topics
from tables.clean_state import clean_state
from tables.consent import consent_of

log = logging.getLogger(__name__)
STAGE = "clean"
MAX_SESSIONS_KEPT = 8


class _Pending:
    """One event on its way through the batch."""

    __slots__ = ("entities", "event", "query", "raw")

    def __init__(self, event: EventT, raw: dict[str, Any]) -> None:
        self.event = event
        self.raw = raw
        self.query: str | None = None
        self.entities: list[str] = []


async def clean_batch(family: str, events: list[EventT]) -> None:
    started = time.perf_counter()
    services = await cleaning_services(settings)
    decode = decoder(RAW[family])
    now = datetime.now(UTC)
    STAGE_IN.labels(STAGE, family).inc(len(events))

    pending: list[_Pending] = []
    for event in events:
        try:
            raw = decode(event.value)
            if not isinstance(raw, dict):
                raise InvalidEvent("undecodable", "value is not a record")
            check_event(
                family,
                raw,
                now=now,
                max_age=timedelta(hours=settings.max_event_age_hours),
                max_skew=timedelta(seconds=settings.max_clock_skew_seconds),
            )
            pending.append(_Pending(event, raw))
        except InvalidEvent as err:
            await dead_letter(STAGE, event, err.reason, err)
        except Exception as err:  # a decoder error of any kind: the bytes are not our contract
            await dead_letter(STAGE, event, "undecodable", err)

    # Free text through Presidio in one call per batch.
    texts = [(p, str(p.raw.get("query") or "").strip().lower()) for p in pending]
    to_mask = [(p, t) for p, t in texts if t]
    if to_mask:
        masked = await services.masker.mask_many([t for _, t in to_mask])
        for (p, _), m in zip(to_mask, masked, strict=True):
            p.query, p.entities = m.text, list(m.entities)

    # Per-user state: read once, update per event, write once.
    by_key: dict[bytes, list[_Pending]] = defaultdict(list)
    for p in pending:
        by_key[p.event.key or b""].append(p)
    survivors: list[tuple[_Pending, SessionStats, dict[str, bool]]] = []
    window_ms = int(settings.dedup_window_seconds * 1000)
    new_states: list[tuple[EventT, bytes, dict[str, Any]]] = []
    for key, group in by_key.items():
        # Tables write to the store and changelog partition of the *current* event; in a
        # batch that is whatever came last, so point it at this key's own source partition.
        as_current_event(group[0].event)
        state: dict[str, Any] = dict(read(clean_state, key) or {})
        sessions: dict[str, list[Any]] = state.setdefault("sessions", {})
        for p in group:
            at_ms = int(p.raw["occurred_at"].timestamp() * 1000)
            if seen_before(state, str(p.raw["event_id"]), at_ms, window_ms):
                STAGE_DROPPED.labels(STAGE, "duplicate").inc()
                continue
            session_id = str(p.raw.get("session_id") or "")
            stats = SessionStats.from_list(sessions.get(session_id))
            if family == "clickstream":
                props = p.raw.get("properties") or {}
                stats.update(
                    at_ms,
                    js=props.get("js") == "1",
                    ua_bot=is_bot_user_agent(str(p.raw.get("user_agent") or "")),
                )
                sessions[session_id] = stats.as_list()
            identity, _ = user_identity(p.raw)
            consent = consent_of(services.pseudonymize(identity))
            if not consent["analytics"]:
                STAGE_DROPPED.labels(STAGE, "consent_analytics").inc()
                continue
            survivors.append((p, SessionStats.from_list(stats.as_list()), consent))
        if len(sessions) > MAX_SESSIONS_KEPT:
            newest = sorted(sessions.items(), key=lambda kv: kv[1][2])[-MAX_SESSIONS_KEPT:]
            state["sessions"] = dict(newest)
        new_states.append((group[0].event, key, state))

    anomalies = await services.anomaly([s.features() for _, s, _ in survivors])
    encode = encoder(CLEANED[family])
    encode_bot = encoder(BOTS)
    out = BatchSend(app)
    for (p, stats, consent), anomaly in zip(survivors, anomalies, strict=True):
        rules, _fired = rule_score(stats)
        score = blend(rules, anomaly)
        is_bot = score >= settings.bot_threshold
        try:
            record = to_cleaned(
                family,
                p.raw,
                pseudonymize=services.pseudonymize,
                masked_query=p.query,
                masked_entities=p.entities,
                received_at=now,
                bot_score=score,
                is_bot=is_bot,
                consent=consent,
            )
            key = record["user_key"].encode()
            if is_bot:
                await out.add(bots_topic, key, encode_bot(record))
                STAGE_OUT.labels(STAGE, "bots").inc()
            else:
                await out.add(cleaned_topics[family], key, encode(record))
                STAGE_OUT.labels(STAGE, CLEANED[family]).inc()
        except Exception as err:  # e.g. a value the cleaned contract refuses
            await dead_letter(STAGE, p.event, "contract_violation", err)
    # State after output: a crash in between replays the batch and re-sends (at-least-once,
    # duplicates carry the same event id), while the other order could mark an event as seen
    # whose output never reached the broker, and the replay would drop it as a duplicate.
    await out.finish()
    writes = TableWrites(app)
    for event, key, state in new_states:
        await writes.set(clean_state, event, key, state)
    await writes.ship()
    BATCH_SECONDS.labels(STAGE).observe(time.perf_counter() - started)


@app.task
async def build_cleaning_services() -> None:
    """Presidio and the bot model at start-up, not inside the first batch (building them, and
    settling the heap after, takes seconds that the first events would otherwise wait)."""
    await cleaning_services(settings)


def _make_agent(family: str) -> None:
    async def clean(stream: StreamT) -> None:
        batches = take_batches(stream, settings.batch_size, within=settings.batch_wait_ms / 1000)
        async for events in batches:
            await clean_batch(family, list(events))

    clean.__name__ = f"clean_{family}"
    app.agent(raw_topics[family], name=f"clean-{family}")(clean)


for _family in RAW:
    _make_agent(_family)
