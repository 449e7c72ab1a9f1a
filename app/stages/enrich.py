"""Stage 2, cleaned → enriched: each event joined with its product (the catalog read model)
and its user's behavioural profile; sessions and profiles kept in RocksDB tables; closed
sessions emitted to ``enriched.sessions``. Output keyed by user. :func:`enrich_key` is the
per-key logic.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from faust import EventT

from app.enrich import profiles, sessions
from app.metrics import STAGE_DROPPED
from app.models.dicts import CleanedDict, EnrichedDict
from app.settings import Settings
from app.stages.skeleton import Decoded, KeyBatch, Output, Stage
from app.wire.codecs import decoder
from app.wire.families import FAMILY_OF_CLEANED
from app.wire.topics import ENRICHED, ENRICHED_SESSIONS

STAGE = "enrich"
#: Event ids remembered per user to skip replays; a replay comes from one uncommitted batch.
APPLIED_KEPT = 500
#: product id → what enrichment adds (category_path, price, in_stock, brand); {} if unknown.
ProductLookup = Callable[[set[str]], Awaitable[dict[str, dict[str, Any]]]]


@dataclass
class EnrichBatch:
    products: dict[str, dict[str, Any]]
    wall_ms: int
    timeout_ms: int
    #: Sessions already emitted by the idle sweep: closing them again emits nothing.
    swept: set[str] = field(default_factory=set)


def product_ids(records: list[CleanedDict]) -> set[str]:
    """Every product an event names, line items included."""
    ids = {str(r["product_id"]) for r in records if r.get("product_id")}
    ids |= {str(i["product_id"]) for r in records for i in r.get("items") or ()}
    return ids


def enrich_key(ctx: EnrichBatch, batch: KeyBatch[CleanedDict]) -> list[Output]:
    """One user's events, oldest first, applied to the user's session and profile (each event
    once, by id), each emitted enriched; a session that ends is emitted too."""
    user_key = batch.key.decode()
    session_state = batch.state["sessions"]
    profile = batch.state["profiles"]
    # A replay after a crash (at-least-once) must not count an event twice. It is matched by
    # event id, not by source offset: the cleaning stage's own replay re-sends an event with
    # the same id at a new offset. Each table keeps its own ids, in the same record as the
    # counts they guard: the two tables' changelog records are separate writes, and a crash
    # between them must leave each consistent with itself.
    in_session: list[str] = session_state.setdefault("applied", [])
    in_profile: list[str] = profile.setdefault("applied", [])
    session_state.pop("offsets", None)
    out: list[Output] = []
    for item in sorted(batch.items, key=lambda i: i.record["occurred_at"]):
        rec = item.record
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
                wall_ms=ctx.wall_ms,
                timeout_ms=ctx.timeout_ms,
            )
            if done is not None:
                if done["session_id"] in ctx.swept:
                    ctx.swept.discard(done["session_id"])
                else:
                    out.append(Output(ENRICHED_SESSIONS, batch.key, done, item.event))
        if to_profile:
            in_profile.append(event_id)
            profiles.apply_event(profile, rec, at_ms=at_ms, products=ctx.products)
        info = ctx.products.get(str(rec.get("product_id") or ""), {})
        enriched: EnrichedDict = {
            **rec,
            "category_path": info.get("category_path"),
            "brand": info.get("brand"),
            "list_price": info.get("price"),
            "in_stock": info.get("in_stock"),
            "profile_segments": profiles.segments(profile),
            "top_categories": profiles.top_categories(profile),
        }
        out.append(Output(ENRICHED, batch.key, enriched, item.event))
    del in_session[:-APPLIED_KEPT]
    del in_profile[:-APPLIED_KEPT]
    return out


class EnrichStage(Stage[CleanedDict, EnrichBatch, Output]):
    name = STAGE

    def __init__(
        self, settings: Settings, products: ProductLookup, sessions_table: Any, profiles_table: Any
    ) -> None:
        self.settings = settings
        self._products = products
        self.writes = (sessions_table, profiles_table)
        self._prefix = settings.topic_prefix
        #: Shared with the idle sweep (``agents/enrich.py``), in this process only: a restart
        #: may emit a session twice, and consumers de-duplicate by session id.
        self.swept: set[str] = set()

    def source_label(self, event: EventT) -> str:
        return str(event.message.topic).removeprefix(self._prefix)

    def decode(self, event: EventT) -> CleanedDict:
        # Each cleaned topic with its own contract (they share the envelope, not the subject).
        topic = self.source_label(event)
        if topic not in FAMILY_OF_CLEANED:
            raise ValueError(f"enrich reads the cleaned topics, not {topic!r}")
        return decoder(topic)(event.value)  # type: ignore[no-any-return]

    async def prepare(self, items: list[Decoded[CleanedDict]]) -> EnrichBatch:
        products = await self._products(product_ids([i.record for i in items]))
        return EnrichBatch(
            products=products,
            wall_ms=int(time.time() * 1000),
            timeout_ms=int(self.settings.session_timeout_seconds * 1000),
            swept=self.swept,
        )

    def apply(self, ctx: EnrichBatch, batch: KeyBatch[CleanedDict]) -> list[Output]:
        return enrich_key(ctx, batch)
