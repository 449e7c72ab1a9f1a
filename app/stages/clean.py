"""Stage 1, raw → cleaned: one stage per event family.

Per batch: decode (Avro, registry) and semantic checks → PII masking of free text (Presidio,
one call per batch) → per user: de-duplication and session statistics on the ``clean-state``
table, then consent → the bot model over every survivor (one call) → the cleaned envelope,
routed to ``cleaned.<family>`` or ``cleaned.bots``. :func:`clean_key` is the per-key logic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from faust import EventT

from app.cleaning.bots import SessionStats, blend, is_bot_user_agent, rule_score
from app.cleaning.dedup import seen_before
from app.cleaning.tools import CleaningTools
from app.cleaning.transform import to_cleaned, user_identity
from app.cleaning.validate import check_event
from app.metrics import STAGE_DROPPED
from app.models.dicts import RawEventDict
from app.settings import Settings
from app.stages.skeleton import Decoded, KeyBatch, Output, Refused, Stage
from app.wire.codecs import decoder
from app.wire.families import FAMILIES
from app.wire.topics import BOTS

STAGE = "clean"
#: Sessions whose statistics a user's state keeps (the newest by last event).
MAX_SESSIONS_KEPT = 8


@dataclass(slots=True)
class Survivor:
    """An event that passed de-duplication and consent, waiting for its bot score."""

    item: Decoded[RawEventDict]
    stats: SessionStats
    consent: dict[str, bool]
    query: str | None
    entities: list[str]


@dataclass
class CleanBatch:
    """What the per-key logic needs besides the key's own records and state."""

    now: datetime
    window_ms: int
    pseudonymize: Callable[[str], str]
    consent_of: Callable[[str], dict[str, bool]]
    #: event id → (masked query, entity types found), for events with free text.
    masked: dict[int, tuple[str, list[str]]] = field(default_factory=dict)


def clean_key(
    family: str, ctx: CleanBatch, batch: KeyBatch[RawEventDict], table: str
) -> list[Survivor]:
    """One user's events: drop replays within the window, update the session statistics,
    drop events without analytics consent. Updates ``batch.state[table]`` in place."""
    state = batch.state[table]
    sessions: dict[str, list[Any]] = state.setdefault("sessions", {})
    survivors: list[Survivor] = []
    for item in batch.items:
        raw = item.record
        at_ms = int(raw["occurred_at"].timestamp() * 1000)
        if seen_before(state, str(raw["event_id"]), at_ms, ctx.window_ms):
            STAGE_DROPPED.labels(STAGE, "duplicate").inc()
            continue
        session_id = str(raw.get("session_id") or "")
        stats = SessionStats.from_list(sessions.get(session_id))
        if family == "clickstream":
            props = raw.get("properties") or {}
            stats.update(
                at_ms,
                js=props.get("js") == "1",
                ua_bot=is_bot_user_agent(str(raw.get("user_agent") or "")),
            )
            sessions[session_id] = stats.as_list()
        identity, _ = user_identity(raw)
        consent = ctx.consent_of(ctx.pseudonymize(identity))
        if not consent["analytics"]:
            STAGE_DROPPED.labels(STAGE, "consent_analytics").inc()
            continue
        query, entities = ctx.masked.get(id(item), (None, []))
        # A copy: later events of the same session must not change this one's features.
        survivors.append(
            Survivor(item, SessionStats.from_list(stats.as_list()), consent, query, entities)
        )
    if len(sessions) > MAX_SESSIONS_KEPT:
        newest = sorted(sessions.items(), key=lambda kv: kv[1][2])[-MAX_SESSIONS_KEPT:]
        state["sessions"] = dict(newest)
    return survivors


def cleaned_output(
    family: str, ctx: CleanBatch, s: Survivor, anomaly: float, threshold: float
) -> Output:
    """A survivor and its anomaly score → the cleaned record, on its family's topic or bots."""
    rules, _fired = rule_score(s.stats)
    score = blend(rules, anomaly)
    is_bot = score >= threshold
    record = to_cleaned(
        family,
        s.item.record,
        pseudonymize=ctx.pseudonymize,
        masked_query=s.query,
        masked_entities=s.entities,
        received_at=ctx.now,
        bot_score=score,
        is_bot=is_bot,
        consent=s.consent,
    )
    topic = BOTS if is_bot else FAMILIES[family].cleaned_topic
    label = "bots" if is_bot else topic
    return Output(topic, record["user_key"].encode(), record, s.item.event, label)


class CleanStage(Stage[RawEventDict, CleanBatch, Survivor]):
    name = STAGE

    def __init__(
        self,
        family: str,
        settings: Settings,
        tools: Callable[[], Any],
        pseudonymize: Callable[[str], str],
        consent_of: Callable[[str], dict[str, bool]],
        state_table: Any,
    ) -> None:
        self.family = family
        self.settings = settings
        self._tools = tools  # async: the cleaning tools, built once at start
        self._pseudonymize = pseudonymize
        self._consent_of = consent_of
        self.writes = (state_table,)
        self._table = str(state_table.name)
        self._decode = decoder(FAMILIES[family].raw_topic)
        self._max_age = timedelta(hours=settings.max_event_age_hours)
        self._max_skew = timedelta(seconds=settings.max_clock_skew_seconds)
        self._cleaning: CleaningTools | None = None

    def source_label(self, event: EventT) -> str:
        return self.family

    def decode(self, event: EventT) -> RawEventDict:
        raw: RawEventDict = self._decode(event.value)
        if isinstance(raw, dict):
            check_event(
                self.family,
                raw,
                now=datetime.now(UTC),
                max_age=self._max_age,
                max_skew=self._max_skew,
            )
        return raw

    async def prepare(self, items: list[Decoded[RawEventDict]]) -> CleanBatch:
        self._cleaning = tools = await self._tools()
        ctx = CleanBatch(
            now=datetime.now(UTC),
            window_ms=int(self.settings.dedup_window_seconds * 1000),
            pseudonymize=self._pseudonymize,
            consent_of=self._consent_of,
        )
        # Free text through Presidio in one call per batch.
        texts = [(i, str(i.record.get("query") or "").strip().lower()) for i in items]
        to_mask = [(i, t) for i, t in texts if t]
        if to_mask:
            masked = await tools.masker.mask_many([t for _, t in to_mask])
            for (item, _), m in zip(to_mask, masked, strict=True):
                ctx.masked[id(item)] = (m.text, list(m.entities))
        return ctx

    def apply(self, ctx: CleanBatch, batch: KeyBatch[RawEventDict]) -> list[Survivor]:
        return clean_key(self.family, ctx, batch, self._table)

    async def complete(self, ctx: CleanBatch, results: list[Survivor]) -> list[Output | Refused]:
        assert self._cleaning is not None
        anomalies = await self._cleaning.anomaly([s.stats.features() for s in results])
        threshold = self.settings.bot_threshold
        outputs: list[Output | Refused] = []
        for s, anomaly in zip(results, anomalies, strict=True):
            try:
                outputs.append(cleaned_output(self.family, ctx, s, anomaly, threshold))
            except Exception as err:  # to_cleaned refused a value: dead-letter it
                outputs.append(Refused(s.item.event, "contract_violation", err))
        return outputs
